// Stateless server nonces (RFC 3261 §22.4, RFC 7616 §3.3 and §5.4-5.5).
//
// Any edge node holding the cluster secret can verify a nonce another node issued, so no nonce state
// needs sharing (only nonce counts do, see nonce-count.ts). RFC 7616 §3.3 suggests exactly this shape:
// "time-stamp H(time-stamp ":" ETag ":" secret-data)".
//
// Wire format: base64url (RFC 4648 §5, no padding) of 30 bytes  → always exactly 40 characters:
//
//   bytes  0..5   issuedAt, ms since the epoch, 48-bit big-endian
//          6..13  random (8 bytes)
//         14..29  HMAC-SHA256(secret, "tg-nonce-v1" ‖ bytes[0..14) ‖ realm), first 16 bytes
//
// 30 bytes is a multiple of 3, so the encoding has no padding and no spare bits: each nonce has exactly one
// textual form (no malleable aliases). The realm is bound into the MAC so a nonce issued for one realm
// cannot be replayed against another. nonceId() (the first 19 characters, covering issuedAt ‖ random)
// keys the nonce counts.
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

export type NonceSecret = string | Uint8Array;
/** One secret, or several for rotation: the first one signs new nonces, every one is accepted. */
export type NonceSecrets = NonceSecret | readonly NonceSecret[];

export type NonceCheck =
  | { kind: 'valid'; issuedAt: number; id: string }
  | { kind: 'expired'; issuedAt: number; id: string }
  | { kind: 'invalid' };

export const NONCE_LENGTH = 40;
const RAW_LENGTH = 30;
const PREFIX_LENGTH = 14;
const MAC_LENGTH = 16;
const MAC_DOMAIN = Buffer.from('tg-nonce-v1', 'latin1');
const MAX_ISSUED_AT = 2 ** 48 - 1;
const BASE64URL_40 = /^[A-Za-z0-9_-]{40}$/;
/** Tolerated clock difference between the node that issued a nonce and the one checking it. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

const INVALID: NonceCheck = Object.freeze({ kind: 'invalid' });

function firstSecret(secrets: NonceSecrets): NonceSecret {
  if (typeof secrets === 'string' || secrets instanceof Uint8Array) return secrets;
  const first = (secrets as readonly NonceSecret[])[0];
  if (first === undefined) throw new RangeError('nonce: at least one secret is required');
  return first;
}

function mac(secret: NonceSecret, raw: Buffer, realm: string): Buffer {
  return createHmac('sha256', secret)
    .update(MAC_DOMAIN)
    .update(raw.subarray(0, PREFIX_LENGTH))
    .update(realm, 'utf8')
    .digest();
}

/**
 * Issue a nonce. `nowMs` is wall-clock milliseconds (Date.now()). Throws only on programmer error
 * (no secret / absurd clock), never on protocol input.
 */
export function createNonce(secrets: NonceSecrets, nowMs: number, realm = ''): string {
  const issuedAt = Math.floor(nowMs);
  if (!(issuedAt >= 0 && issuedAt <= MAX_ISSUED_AT)) throw new RangeError(`nonce: bad clock value ${nowMs}`);
  const raw = Buffer.allocUnsafe(RAW_LENGTH);
  raw.writeUIntBE(issuedAt, 0, 6);
  randomFillSync(raw, 6, 8);
  mac(firstSecret(secrets), raw, realm).copy(raw, PREFIX_LENGTH, 0, MAC_LENGTH);
  return raw.toString('base64url');
}

/**
 * Verify a nonce: MAC first (constant time), then age. `expired` is only reported for a nonce we really
 * issued, so the caller may answer stale=true (RFC 7616 §3.3) only when the digest was otherwise right.
 * A nonce "issued" more than `clockSkewSeconds` in the future is invalid. Malformed input never throws.
 */
export function checkNonce(
  secrets: NonceSecrets,
  nonce: string,
  nowMs: number,
  ttlSeconds: number,
  realm = '',
  clockSkewSeconds = DEFAULT_CLOCK_SKEW_SECONDS,
): NonceCheck {
  if (typeof nonce !== 'string' || nonce.length !== NONCE_LENGTH || !BASE64URL_40.test(nonce)) return INVALID;
  const raw = Buffer.from(nonce, 'base64url');
  if (raw.length !== RAW_LENGTH) return INVALID;
  const given = raw.subarray(PREFIX_LENGTH);
  let ok = false;
  if (typeof secrets === 'string' || secrets instanceof Uint8Array) {
    ok = timingSafeEqual(mac(secrets, raw, realm).subarray(0, MAC_LENGTH), given);
  } else {
    // Try every key (no early exit) so timing does not reveal which key matched.
    for (const s of secrets as readonly NonceSecret[]) {
      if (timingSafeEqual(mac(s, raw, realm).subarray(0, MAC_LENGTH), given)) ok = true;
    }
  }
  if (!ok) return INVALID;
  const issuedAt = raw.readUIntBE(0, 6);
  if (issuedAt - nowMs > clockSkewSeconds * 1000) return INVALID;
  const id = nonceId(nonce);
  if (nowMs - issuedAt > ttlSeconds * 1000) return { kind: 'expired', issuedAt, id };
  return { kind: 'valid', issuedAt, id };
}

/**
 * The stable identifier of a well-formed nonce (its issuedAt ‖ random part, 19 base64url characters),
 * used as the nonce-count key. Only meaningful after checkNonce() accepted the nonce.
 */
export function nonceId(nonce: string): string {
  // 19 characters = 114 bits: all 112 bits of issuedAt ‖ random plus 2 MAC bits. No decode needed.
  return nonce.slice(0, 19);
}

/** Seconds a nonce issued at `issuedAt` has left to live (at least 1), for expiring nonce-count state. */
export function nonceRemainingSeconds(issuedAt: number, nowMs: number, ttlSeconds: number): number {
  return Math.max(1, Math.ceil((issuedAt + ttlSeconds * 1000 - nowMs) / 1000));
}
