// Auth IDs and tokens in Plivo's shape: 20 upper-case alphanumerics (MA… accounts, SA… subaccounts),
// 40-character random tokens. Tokens are stored as SHA-256 hashes and compared in constant time.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  let out = '';
  // randomInt is unbiased (rejection sampling), unlike byte % alphabet.length.
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export type AccountKind = 'account' | 'subaccount';

export function generateAuthId(kind: AccountKind): string {
  return (kind === 'account' ? 'MA' : 'SA') + randomString(UPPER_ALNUM, 18);
}

export function generateAuthToken(): string {
  return randomString(ALNUM, 40);
}

export const AUTH_ID_PATTERN = /^(MA|SA)[A-Z0-9]{18}$/;

export function isAuthId(value: string): boolean {
  return AUTH_ID_PATTERN.test(value);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A hash of nothing anybody holds: compared against when the auth id is unknown, so timing is alike. */
export const UNKNOWN_ACCOUNT_HASH = hashToken(`unknown:${randomString(ALNUM, 40)}`);

/** Constant-time check of a presented token against a stored SHA-256 hex hash. */
export function tokenMatches(storedHashHex: string, presented: string): boolean {
  const a = Buffer.from(storedHashHex, 'hex');
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return a.length === b.length && timingSafeEqual(a, b);
}
