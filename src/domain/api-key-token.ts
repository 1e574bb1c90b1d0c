// API keys are Bearer tokens (docs/glossary.md "API key"): "tgk_" and 40 random base64url characters
// (240 bits). Only the SHA-256 of the whole token is stored; the first characters are kept as a
// `prefix` so people can tell their keys apart without the key being usable from it.
import { randomBytes } from 'node:crypto';

export const API_KEY_SCHEME = 'tgk_';
export const API_KEY_PREFIX_LENGTH = API_KEY_SCHEME.length + 8;
const TOKEN_RE = /^tgk_[A-Za-z0-9_-]{40}$/;

export function generateApiKeyToken(): string {
  return API_KEY_SCHEME + randomBytes(30).toString('base64url');
}

/** Whether a presented Bearer token has our shape (anything else cannot be a key: no lookup needed). */
export function isApiKeyToken(token: string): boolean {
  return TOKEN_RE.test(token);
}

export function apiKeyPrefix(token: string): string {
  return token.slice(0, API_KEY_PREFIX_LENGTH);
}

export type ApiKeyState = 'active' | 'expired' | 'revoked';

/** A key is usable until it is revoked or its expiry passes (an expiry equal to now has passed). */
export function apiKeyState(
  key: { revoked_at: string | null; expires_at: string | null },
  now: Date,
): ApiKeyState {
  if (key.revoked_at !== null) return 'revoked';
  if (key.expires_at !== null && Date.parse(key.expires_at) <= now.getTime()) return 'expired';
  return 'active';
}

export type ExpiryResult = { ok: true; value: string | null } | { ok: false; message: string };

/**
 * `expires_at` for a new key: an RFC 3339 date-time with a time zone (a bare date or local time is
 * ambiguous), in the future. Returned normalised to UTC ISO 8601.
 */
export function parseApiKeyExpiry(input: string | null | undefined, now: Date): ExpiryResult {
  if (input === undefined || input === null) return { ok: true, value: null };
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(input) ||
    Number.isNaN(Date.parse(input))
  ) {
    return {
      ok: false,
      message: `expires_at must be a date-time with a time zone, such as 2030-01-31T00:00:00Z (got "${input.slice(0, 64)}")`,
    };
  }
  const at = new Date(Date.parse(input));
  // Date.parse rolls 2030-02-31 over into March; refuse dates that do not exist.
  const [datePart] = input.split('T');
  const [y, m, d] = (datePart ?? '').split('-').map(Number);
  const probe = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 0));
  if (probe.getUTCMonth() !== (m ?? 1) - 1 || probe.getUTCDate() !== d) {
    return { ok: false, message: `expires_at ${input} is not a calendar date` };
  }
  if (at.getTime() <= now.getTime()) {
    return {
      ok: false,
      message: `expires_at ${at.toISOString()} is not in the future; give a later date-time or leave it out for a key that does not expire`,
    };
  }
  return { ok: true, value: at.toISOString() };
}
