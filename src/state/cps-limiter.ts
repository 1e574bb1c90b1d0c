// Calls-per-second limits (issue 7 item 6: per-trunk `cps_limit` on new INVITEs → 503 + Retry-After;
// DESIGN.md: a `cpsKey` limit holds across the whole cluster).
//
// Semantics — a sliding window, not a token bucket. For a limit L calls/s:
//   capacity = max(1, ceil(L)) calls, window = capacity / L seconds,
//   a call is admitted iff fewer than `capacity` calls were admitted in the last `window`.
// For a whole L that is literally "at most L calls in any one second"; for L = 0.5 it is one call per
// 2 s; for L = 2.5, 3 calls per 1.2 s. The long-run rate is exactly L and the burst is ceil(L).
//
// Why not a token bucket (rate L, burst L): it admits up to ~2L calls in a second (a full bucket plus a
// second of refill). Carriers count "calls in any second" and reject the excess, and the issue's own test
// — limit 5, 20 INVITEs paced over one second → exactly 5 forwarded — fails with a bucket (≈9 pass).
// The cost is memory: `capacity` timestamps per key (a ring buffer here, a list in Redis), which is
// small because keys are trunks and cpsKeys, and capacity is capped at MAX_CPS_CAPACITY.
//
// retryAfterSeconds (for the 503's Retry-After, RFC 3261 §20.33, whole seconds) is when the oldest call
// in the window leaves it, rounded up, at least 1; 0 when admitted.
import type { Redis } from 'ioredis';
import { LUA_NOW, RedisScript, scriptNow } from './redis-script.ts';

export interface CpsDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise whole seconds until a call would be admitted (≥ 1). */
  retryAfterSeconds: number;
}

export interface CpsLimiter {
  /** Admit one call under `key` (a trunk id or a cpsKey) limited to `limit` calls per second. */
  take(key: string, limit: number): CpsDecision | Promise<CpsDecision>;
}

/** Largest burst a limit may ask for (a limit of 10,000 calls/s). */
export const MAX_CPS_CAPACITY = 10_000;

export interface CpsWindow {
  capacity: number;
  windowMs: number;
}

/** The window a limit implies (see the header comment). Throws RangeError for a limit ≤ 0 or too big. */
export function cpsWindow(limit: number): CpsWindow {
  if (!(Number.isFinite(limit) && limit > 0)) {
    throw new RangeError(`CPS limit must be a positive number, got ${limit}`);
  }
  const capacity = Math.max(1, Math.ceil(limit));
  if (capacity > MAX_CPS_CAPACITY) {
    throw new RangeError(`CPS limit must be at most ${MAX_CPS_CAPACITY}, got ${limit}`);
  }
  return { capacity, windowMs: (capacity * 1000) / limit };
}

const ALLOWED: CpsDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

function refused(waitMs: number): CpsDecision {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** Admission times of one key, oldest first, in a ring buffer of `capacity` slots. */
interface Ring {
  times: Float64Array;
  head: number;
  count: number;
  windowMs: number;
  lastUsed: number;
}

export interface MemoryCpsLimiterOptions {
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Hard cap on keys; the least recently used key is dropped. Default 100,000. */
  maxKeys?: number;
}

/** One process's limiter. O(1) amortised per take; idle keys are swept a few per call. */
export class MemoryCpsLimiter implements CpsLimiter {
  readonly maxKeys: number;
  /** Map order = least recently used first. */
  private readonly rings = new Map<string, Ring>();
  private readonly now: () => number;

  constructor(options: MemoryCpsLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
    if (!(Number.isInteger(this.maxKeys) && this.maxKeys >= 1)) {
      throw new RangeError('MemoryCpsLimiter: maxKeys must be a positive integer');
    }
  }

  get size(): number {
    return this.rings.size;
  }

  take(key: string, limit: number): CpsDecision {
    const { capacity, windowMs } = cpsWindow(limit);
    const now = this.now();
    this.sweep(now, 4);
    let ring = this.rings.get(key);
    if (ring !== undefined) {
      this.rings.delete(key);
      if (ring.times.length !== capacity) ring = resize(ring, capacity);
      ring.windowMs = windowMs;
    } else {
      while (this.rings.size >= this.maxKeys) {
        const oldest = this.rings.keys().next();
        if (oldest.done) break;
        this.rings.delete(oldest.value);
      }
      ring = { times: new Float64Array(capacity), head: 0, count: 0, windowMs, lastUsed: now };
    }
    ring.lastUsed = now;
    this.rings.set(key, ring);
    const { times } = ring;
    // Admissions that left the window.
    while (ring.count > 0 && times[ring.head]! + windowMs <= now) {
      ring.head = (ring.head + 1) % capacity;
      ring.count--;
    }
    if (ring.count < capacity) {
      times[(ring.head + ring.count) % capacity] = now;
      ring.count++;
      return ALLOWED;
    }
    return refused(times[ring.head]! + windowMs - now);
  }

  /** Keys idle for longer than their window hold no admissions and are dropped. */
  private sweep(now: number, budget: number): void {
    for (const [key, ring] of this.rings) {
      if (budget-- <= 0 || ring.lastUsed + ring.windowMs > now) return;
      this.rings.delete(key);
    }
  }
}

/** A limit changed: keep the newest admissions that fit the new capacity. */
function resize(ring: Ring, capacity: number): Ring {
  const old = ring.times.length;
  const keep = Math.min(ring.count, capacity);
  const times = new Float64Array(capacity);
  for (let i = 0; i < keep; i++) times[i] = ring.times[(ring.head + ring.count - keep + i) % old]!;
  return { times, head: 0, count: keep, windowMs: ring.windowMs, lastUsed: ring.lastUsed };
}

// KEYS[1] list of admission times, oldest first. ARGV: now, capacity, windowMs.
// Returns {1, 0} when admitted, {0, waitMs} when refused. Times are appended in script-clock order, so the
// list stays sorted and expired admissions are always at its head (amortised O(1)).
const TAKE = new RedisScript(`${LUA_NOW}
local capacity = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local cutoff = now - windowMs
while true do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head or tonumber(head) > cutoff then break end
  redis.call('LPOP', KEYS[1])
end
local n = redis.call('LLEN', KEYS[1])
if n > capacity then
  redis.call('LTRIM', KEYS[1], n - capacity, -1)
  n = capacity
end
if n < capacity then
  redis.call('RPUSH', KEYS[1], now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(windowMs))
  return {1, 0}
end
return {0, math.ceil(tonumber(redis.call('LINDEX', KEYS[1], 0)) + windowMs - now)}
`);

export interface RedisCpsLimiterOptions {
  /** Key prefix; the key is `{prefix}cps:{key}`. Default 'tg:'. */
  keyPrefix?: string;
  /** Clock in ms for tests; by default the Redis server clock (one clock for every node). */
  now?: () => number;
}

/** The limiter shared by every node: one list per key, updated atomically by a Lua script. */
export class RedisCpsLimiter implements CpsLimiter {
  readonly keyPrefix: string;
  private readonly clock: (() => number) | undefined;

  constructor(
    private readonly redis: Redis,
    options: RedisCpsLimiterOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'tg:';
    this.clock = options.now;
  }

  async take(key: string, limit: number): Promise<CpsDecision> {
    const { capacity, windowMs } = cpsWindow(limit);
    const r = (await TAKE.run(
      this.redis,
      [`${this.keyPrefix}cps:${key}`],
      [scriptNow(this.clock), capacity, windowMs],
    )) as [number, number];
    return r[0] === 1 ? ALLOWED : refused(r[1]);
  }
}
