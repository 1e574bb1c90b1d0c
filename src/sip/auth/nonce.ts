// Server nonces (RFC 3261 §22.4, RFC 7616 §3.3 and §5.4-5.5) that name the node and slot that issued
// them — Kamailio's auth module model (src/modules/auth/nid.c, nc.c): the nonce carries an index into
// the issuing node's nonce-count table, so replay protection needs no state outside that node
// (src/state/nonce-table.ts). A nonce from another node, or from this node before a restart (a new
// random node id per start), verifies its MAC but is answered with a fresh challenge, stale=true.
// RFC 7616 §3.3 suggests the shape: "time-stamp H(time-stamp ":" ETag ":" secret-data)".
//
// Wire format: base64url (RFC 4648 §5, no padding) of 30 bytes  → always exactly 40 characters:
//
//   bytes  0..5   issuedAt, ms since the epoch, 48-bit big-endian
//          6..9   node id (random per start of the issuing node)
//         10..13  sequence number in the node's nonce table (its slot is the sequence modulo the size)
//         14..29  HMAC-SHA256(secret, "tg-nonce-v2" ‖ bytes[0..14) ‖ realm), first 16 bytes
//
// 30 bytes is a multiple of 3, so the encoding has no padding and no spare bits: each nonce has exactly one
// textual form (no malleable aliases). The realm is bound into the MAC so a nonce issued for one realm
// cannot be replayed against another.
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

export type NonceSecret = string | Uint8Array;
/** One secret, or several for rotation: the first one signs new nonces, every one is accepted. */
export type NonceSecrets = NonceSecret | readonly NonceSecret[];

/** Who issued a nonce: the node (random per start) and the nonce's sequence in its table. */
export interface NonceOrigin {
  nodeId: number;
  seq: number;
}

export type NonceCheck =
  | { kind: 'valid'; issuedAt: number; id: string; nodeId: number; seq: number }
  | { kind: 'expired'; issuedAt: number; id: string; nodeId: number; seq: number }
  | { kind: 'invalid' };

export const NONCE_LENGTH = 40;
const RAW_LENGTH = 30;
const PREFIX_LENGTH = 14;
const MAC_LENGTH = 16;
const MAC_DOMAIN = Buffer.from('tg-nonce-v2', 'latin1');
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
export function createNonce(secrets: NonceSecrets, nowMs: number, realm = '', origin?: NonceOrigin): string {
  const issuedAt = Math.floor(nowMs);
  if (!(issuedAt >= 0 && issuedAt <= MAX_ISSUED_AT)) throw new RangeError(`nonce: bad clock value ${nowMs}`);
  const raw = Buffer.allocUnsafe(RAW_LENGTH);
  raw.writeUIntBE(issuedAt, 0, 6);
  if (origin === undefined) randomFillSync(raw, 6, 8);
  else {
    raw.writeUInt32BE(origin.nodeId >>> 0, 6);
    raw.writeUInt32BE(origin.seq >>> 0, 10);
  }
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
  const nodeId = raw.readUInt32BE(6);
  const seq = raw.readUInt32BE(10);
  if (nowMs - issuedAt > ttlSeconds * 1000) return { kind: 'expired', issuedAt, id, nodeId, seq };
  return { kind: 'valid', issuedAt, id, nodeId, seq };
}

/**
 * The stable identifier of a well-formed nonce (its issuedAt ‖ node ‖ sequence part, 19 base64url
 * characters). Only meaningful after checkNonce() accepted the nonce.
 */
export function nonceId(nonce: string): string {
  // 19 characters = 114 bits: all 112 bits of issuedAt ‖ node ‖ sequence plus 2 MAC bits.
  return nonce.slice(0, 19);
}

/** Seconds a nonce issued at `issuedAt` has left to live (at least 1), for expiring nonce-count state. */
export function nonceRemainingSeconds(issuedAt: number, nowMs: number, ttlSeconds: number): number {
  return Math.max(1, Math.ceil((issuedAt + ttlSeconds * 1000 - nowMs) / 1000));
}
