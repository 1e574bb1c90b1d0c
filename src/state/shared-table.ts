// A bounded hash table in one SharedArrayBuffer, read and written by every edge thread — the model of
// Kamailio's htable module (src/modules/htable/ht_api.c: fixed buckets, one lock per bucket), made
// set-associative so its size never changes:
//
//   buckets × ways slots; a key lives in bucket (h1 mod buckets), in any of its `ways` slots.
//   slot record (Float64): [h1, h2, expiresAt (ms), payload × words]; bytes × `bytes` beside it.
//
// Every operation locks one bucket (shared-lock.ts), so a read-modify-write of a record is atomic
// across threads. Eviction rule: a key that is not present takes an empty or expired slot of its
// bucket; when all `ways` are live, the slot expiring first is overwritten and `evictions` counts it.
// Memory is fixed at creation: buckets × ways × (8 × (3 + words) + bytes) bytes.
import { hashKey, keyHash } from './key-hash.ts';
import { lockWord, unlockWord } from './shared-lock.ts';

export interface TableSpec {
  /** Power of two. */
  buckets: number;
  ways: number;
  /** Float64 payload words per slot. */
  words: number;
  /** Extra bytes per slot (e.g. a contact URI). */
  bytes?: number;
}

const H_SEED1 = 0;
const H_SEED2 = 1;
const H_EVICTIONS = 2;
const HEADER = 4;
/** Record words before the payload. */
export const KEY_WORDS = 3;

function layout(spec: TableSpec): { lockBytes: number; recordWords: number; total: number } {
  if (!(Number.isInteger(spec.buckets) && spec.buckets > 0 && (spec.buckets & (spec.buckets - 1)) === 0))
    throw new RangeError(`table buckets must be a power of two, got ${spec.buckets}`);
  if (!(Number.isInteger(spec.ways) && spec.ways >= 1)) throw new RangeError('table ways must be ≥ 1');
  const lockBytes = Math.ceil(((HEADER + spec.buckets) * 4) / 8) * 8;
  const recordWords = KEY_WORDS + spec.words;
  const slots = spec.buckets * spec.ways;
  return { lockBytes, recordWords, total: lockBytes + slots * recordWords * 8 + slots * (spec.bytes ?? 0) };
}

/** Allocates a table's memory (in the thread that creates the state; the others attach to it). */
export function createTableMemory(spec: TableSpec): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(layout(spec).total);
  const i32 = new Int32Array(sab, 0, HEADER);
  const seeds = new Uint32Array(2);
  crypto.getRandomValues(seeds);
  i32[H_SEED1] = seeds[0]! | 0;
  i32[H_SEED2] = seeds[1]! | 0;
  return sab;
}

export class SharedTable {
  readonly f64: Float64Array;
  readonly u8: Uint8Array;
  readonly recordWords: number;
  readonly ways: number;
  readonly bytesPerSlot: number;
  private readonly i32: Int32Array;
  private readonly mask: number;
  private readonly seed1: number;
  private readonly seed2: number;
  /** Hash of the key of the last bucketOf() call. */
  private h1 = 0;
  private h2 = 0;

  constructor(
    sab: SharedArrayBuffer,
    readonly spec: TableSpec,
  ) {
    const l = layout(spec);
    if (sab.byteLength !== l.total) throw new RangeError('table memory does not match its spec');
    this.i32 = new Int32Array(sab, 0, l.lockBytes / 4);
    const slots = spec.buckets * spec.ways;
    this.f64 = new Float64Array(sab, l.lockBytes, slots * l.recordWords);
    this.u8 = new Uint8Array(sab, l.lockBytes + slots * l.recordWords * 8, slots * (spec.bytes ?? 0));
    this.recordWords = l.recordWords;
    this.ways = spec.ways;
    this.bytesPerSlot = spec.bytes ?? 0;
    this.mask = spec.buckets - 1;
    this.seed1 = this.i32[H_SEED1]!;
    this.seed2 = this.i32[H_SEED2]!;
  }

  /** Hashes `key` (kept for find/claim) and returns its bucket. Lock it before find/claim. */
  bucketOf(key: string): number {
    hashKey(key, this.seed1, this.seed2);
    this.h1 = keyHash.h1;
    this.h2 = keyHash.h2;
    return this.h1 & this.mask;
  }

  lock(bucket: number): void {
    lockWord(this.i32, HEADER + bucket);
  }

  unlock(bucket: number): void {
    unlockWord(this.i32, HEADER + bucket);
  }

  /** Record base (Float64 index) of the live record of the last hashed key in `bucket`, or -1. */
  find(bucket: number, now: number): number {
    const f = this.f64;
    const w = this.recordWords;
    let base = bucket * this.ways * w;
    for (let i = 0; i < this.ways; i++, base += w) {
      if (f[base] === this.h1 && f[base + 1] === this.h2 && f[base + 2]! > now) return base;
    }
    return -1;
  }

  /**
   * A slot for the last hashed key (not present): empty or expired first, else the one expiring first
   * (an eviction). The payload is zeroed; the caller sets expiresAt (base + 2) and the payload.
   */
  claim(bucket: number, now: number): number {
    const f = this.f64;
    const w = this.recordWords;
    const first = bucket * this.ways * w;
    let victim = first;
    let victimExpiry = Number.POSITIVE_INFINITY;
    for (let i = 0, base = first; i < this.ways; i++, base += w) {
      const e = f[base + 2]!;
      if (e <= now) {
        victim = base;
        victimExpiry = -1;
        break;
      }
      if (e < victimExpiry) {
        victim = base;
        victimExpiry = e;
      }
    }
    if (victimExpiry > now) Atomics.add(this.i32, H_EVICTIONS, 1);
    f[victim] = this.h1;
    f[victim + 1] = this.h2;
    f.fill(0, victim + 2, victim + w);
    return victim;
  }

  /** Slot number of a record base (to address its bytes). */
  slotOf(base: number): number {
    return base / this.recordWords;
  }

  /** Live records that were overwritten because their bucket was full. */
  get evictions(): number {
    return Atomics.load(this.i32, H_EVICTIONS);
  }

  /** Live records (takes every bucket lock in turn: for tests and metrics, not the hot path). */
  liveCount(now: number): number {
    let n = 0;
    const w = this.recordWords;
    for (let b = 0; b <= this.mask; b++) {
      this.lock(b);
      for (let i = 0, base = b * this.ways * w; i < this.ways; i++, base += w)
        if (this.f64[base + 2]! > now) n++;
      this.unlock(b);
    }
    return n;
  }

  /** Slots in the table: the bound on live records. */
  get capacity(): number {
    return (this.mask + 1) * this.ways;
  }
}
