// Calls-per-second limits shared by every edge thread. For a limit L calls/s: capacity =
// max(1, ceil(L)) calls per window of capacity / L seconds (the semantics of
// src/state/cps-limiter.ts: "at most L calls in any one second" for a whole L, not a token
// bucket's 2L).
//
// A fixed-size record cannot hold `capacity` timestamps (up to 10,000), so the window is counted in
// SLICES sub-windows of window/SLICES each, conservatively: a slice counts all its admissions while
// its latest one is inside the window. The count can only be too high, never too low — so the limit
// is never exceeded; the price is that a call may be refused up to window/SLICES early. Record
// payload: windowMs, capacity, then SLICES+1 (slice number, admissions, latest admission) in a ring.
import { KEY_WORDS, type SharedTable, type TableSpec } from './shared-table.ts';

export interface CpsDecision {
  allowed: boolean;
  /** 0 when allowed; else whole seconds until a call would be admitted (≥ 1), for Retry-After. */
  retryAfterSeconds: number;
}

export const MAX_CPS_CAPACITY = 10_000;
const SLICES = 16;
const RING = SLICES + 1;
const ALLOWED: CpsDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

export function cpsTableSpec(buckets: number): TableSpec {
  return { buckets, ways: 4, words: 2 + 3 * RING };
}

export class CpsTable {
  constructor(
    private readonly table: SharedTable,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits one call under `key` limited to `limit` calls/s. RangeError for a limit ≤ 0 or too big. */
  take(key: string, limit: number): CpsDecision {
    if (!(Number.isFinite(limit) && limit > 0))
      throw new RangeError(`CPS limit must be positive, got ${limit}`);
    const capacity = Math.max(1, Math.ceil(limit));
    if (capacity > MAX_CPS_CAPACITY) throw new RangeError(`CPS limit must be at most ${MAX_CPS_CAPACITY}`);
    const windowMs = (capacity * 1000) / limit;
    const sliceMs = windowMs / SLICES;
    const now = this.now();
    const slice = Math.floor(now / sliceMs);
    const t = this.table;
    const f = t.f64;
    const b = t.bucketOf(key);
    t.lock(b);
    try {
      let base = t.find(b, now);
      const p = () => base + KEY_WORDS;
      if (base < 0 || f[p()] !== windowMs || f[p() + 1] !== capacity) {
        if (base < 0) base = t.claim(b, now);
        else f.fill(0, p(), p() + 2 + 3 * RING);
        f[p()] = windowMs;
        f[p() + 1] = capacity;
      }
      const ring = p() + 2;
      let count = 0;
      let oldest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < RING; i++) {
        const at = ring + 3 * i;
        const n = f[at + 1]!;
        const latest = f[at + 2]!;
        if (n > 0 && f[at]! >= slice - SLICES && latest + windowMs > now) {
          count += n;
          if (latest < oldest) oldest = latest;
        }
      }
      if (count >= capacity) {
        // The oldest counted slice stops counting when its latest admission leaves the window.
        const waitMs = oldest + windowMs - now;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      }
      const at = ring + 3 * (slice % RING);
      if (f[at] !== slice) {
        f[at] = slice;
        f[at + 1] = 0;
      }
      f[at + 1]!++;
      f[at + 2] = now;
      f[base + 2] = now + windowMs;
      return ALLOWED;
    } finally {
      t.unlock(b);
    }
  }
}
