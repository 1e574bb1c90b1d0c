// What GET /api/v1/sip-credentials shows as `registration` (README.md "Calls to carriers (provider
// credentials)"): derived from whether the credential asks for a registration at its carrier and
// from the latest attempt recorded for it. `registered` only while the carrier's accepted
// registration has not expired: an accepted REGISTER binds the contact only until its expiry
// (RFC 3261 §10.2.1), so a registration nobody refreshed is reported as `failed`, not as kept.

export const REGISTRATION_STATES = ['registered', 'failed', 'disabled'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

/** The latest attempt to register at the carrier. */
export type RegistrationAttempt =
  | { ok: true; expiresAt: string; attemptedAt: string }
  | { ok: false; error: string; attemptedAt: string };

export interface RegistrationStatus {
  state: RegistrationState;
  /** When the carrier's accepted registration runs out (RFC 3339), while registered. */
  expiresAt: string | null;
  /** Why the credential is not registered now, when it should be. */
  lastError: string | null;
  lastAttemptTime: string | null;
}

export const NOT_ATTEMPTED_ERROR = 'no registration attempt has been made yet';

/** The status shown for a credential, at `now` (ms since the epoch). */
export function registrationStatus(
  register: boolean,
  attempt: RegistrationAttempt | undefined,
  now: number,
): RegistrationStatus {
  if (!register) return { state: 'disabled', expiresAt: null, lastError: null, lastAttemptTime: null };
  if (attempt === undefined)
    return { state: 'failed', expiresAt: null, lastError: NOT_ATTEMPTED_ERROR, lastAttemptTime: null };
  if (!attempt.ok)
    return {
      state: 'failed',
      expiresAt: null,
      lastError: attempt.error,
      lastAttemptTime: attempt.attemptedAt,
    };
  if (Date.parse(attempt.expiresAt) <= now)
    return {
      state: 'failed',
      expiresAt: null,
      lastError: `the registration expired at ${attempt.expiresAt} and was not refreshed`,
      lastAttemptTime: attempt.attemptedAt,
    };
  return {
    state: 'registered',
    expiresAt: attempt.expiresAt,
    lastError: null,
    lastAttemptTime: attempt.attemptedAt,
  };
}

/** Longest lastError kept: a carrier's reason phrase or a transport error, not a message body. */
export const REGISTRATION_ERROR_MAX = 500;

/**
 * The error text stored for a failed attempt: control characters (a carrier's reason phrase is
 * untrusted input) become spaces and it is cut to REGISTRATION_ERROR_MAX characters.
 */
export function registrationErrorText(error: string): string {
  const clean = error.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const chars = [...clean];
  const text =
    chars.length > REGISTRATION_ERROR_MAX
      ? `${chars.slice(0, REGISTRATION_ERROR_MAX - 3).join('')}...`
      : clean;
  return text === '' ? 'registration failed' : text;
}
