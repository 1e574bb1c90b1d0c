// Nonce slots and their nonce counts, shared by every edge thread of this node — Kamailio's auth
// module model (src/modules/auth/nid.c issues nonces from a shared counter, nc.c keeps one nc record
// per nonce index in shared memory).
//
// Every nonce this node issues takes the next value of a shared 32-bit sequence; the sequence modulo
// `slots` is its slot, and the slot records which sequence owns it plus the nc window of RFC 4303
// §3.4.3 (highest nc seen and a 64-bit bitmap of the 64 below it; the reasons are in
// src/sip/auth/nonce-count.ts). Issuing resets the slot, so:
//   * a nonce's replay history lives exactly as long as its slot is not reissued — after `slots`
//     newer nonces the old nonce answers 'reused' and its client gets a fresh challenge, stale=true
//     (size slots above nonces issued per second × nonce TTL);
//   * memory is fixed: 16 bytes per slot (+ the lock stripes).
// Replay protection is complete without any other node: a nonce names the node that issued it
// (src/sip/auth/nonce.ts), and only that node's table can accept it.

import { lockWord, unlockWord } from './shared-lock.ts';

export type NcResult = 'fresh' | 'replay' | 'reused';

export interface NonceTableSpec {
  /** Power of two. */
  slots: number;
}

export const DEFAULT_NONCE_SLOTS = 1 << 20;
const STRIPES = 4096;
const H_SEQ = 0;
const HEADER = 8;
const WORDS = 4; // owner sequence, max nc, bitmap lo, bitmap hi

function totalInts(spec: NonceTableSpec): number {
  if (!(Number.isInteger(spec.slots) && spec.slots > 0 && (spec.slots & (spec.slots - 1)) === 0))
    throw new RangeError(`nonce slots must be a power of two, got ${spec.slots}`);
  return HEADER + STRIPES + spec.slots * WORDS;
}

export function createNonceTableMemory(spec: NonceTableSpec): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(totalInts(spec) * 4);
  // Start the sequence at a random point: a restarted node's first nonces do not reuse the numbers
  // (and slots) of its previous run's, which a client might still hold.
  const r = new Uint32Array(1);
  crypto.getRandomValues(r);
  new Int32Array(sab)[H_SEQ] = r[0]! | 0;
  return sab;
}

export class NonceTable {
  private readonly i32: Int32Array;
  private readonly mask: number;
  private readonly stripeMask = STRIPES - 1;

  constructor(
    sab: SharedArrayBuffer,
    readonly spec: NonceTableSpec,
  ) {
    if (sab.byteLength !== totalInts(spec) * 4) throw new RangeError('nonce memory does not match its spec');
    this.i32 = new Int32Array(sab);
    this.mask = spec.slots - 1;
  }

  /** Takes the next sequence number for a new nonce and resets its slot. */
  issue(): number {
    const seq = Atomics.add(this.i32, H_SEQ, 1) >>> 0;
    const slot = seq & this.mask;
    const lock = HEADER + (slot & this.stripeMask);
    const base = HEADER + STRIPES + slot * WORDS;
    lockWord(this.i32, lock);
    this.i32[base] = (seq + 1) | 0; // +1: an all-zero slot owns nothing
    this.i32[base + 1] = 0;
    this.i32[base + 2] = 0;
    this.i32[base + 3] = 0;
    unlockWord(this.i32, lock);
    return seq;
  }

  /**
   * Records that `nc` was used with the nonce of sequence `seq` (RFC 7616 §3.3): 'fresh' the first
   * time, 'replay' for a repeat or an nc older than the window, 'reused' when the slot now belongs to
   * a newer nonce. nc is 1..0xffffffff (the caller validated its 8 hex digits).
   */
  check(seq: number, nc: number): NcResult {
    const slot = seq & this.mask;
    const lock = HEADER + (slot & this.stripeMask);
    const base = HEADER + STRIPES + slot * WORDS;
    const i32 = this.i32;
    lockWord(i32, lock);
    try {
      if (i32[base]! >>> 0 !== ((seq + 1) | 0) >>> 0) return 'reused';
      const max = i32[base + 1]! >>> 0;
      let lo = i32[base + 2]! >>> 0;
      let hi = i32[base + 3]! >>> 0;
      if (nc > max) {
        const d = nc - max;
        if (d >= 64) {
          hi = 0;
          lo = 1;
        } else if (d >= 32) {
          hi = lo << (d - 32);
          lo = 1;
        } else {
          hi = (hi << d) | (lo >>> (32 - d));
          lo = (lo << d) | 1;
        }
        i32[base + 1] = nc | 0;
        i32[base + 2] = lo | 0;
        i32[base + 3] = hi | 0;
        return 'fresh';
      }
      const i = max - nc;
      if (i >= 64) return 'replay';
      if (i < 32) {
        const m = 1 << i;
        if ((lo & m) !== 0) return 'replay';
        i32[base + 2] = lo | m;
      } else {
        const m = 1 << (i - 32);
        if ((hi & m) !== 0) return 'replay';
        i32[base + 3] = hi | m;
      }
      return 'fresh';
    } finally {
      unlockWord(i32, lock);
    }
  }
}
