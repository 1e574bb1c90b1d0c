// Counters that must agree across every node of a cluster (DESIGN.md "Storage and scale"): API
// rate limits and brute-force blocks. Redis holds them when REDIS_URL is set; otherwise (or while
// Redis is unreachable) the same logic runs in this process's memory.

export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: milliseconds until one more request would be allowed. 0 when allowed. */
  readonly retryAfterMs: number;
}

export interface BucketLimit {
  /** Sustained rate. */
  readonly perSecond: number;
  /** Requests allowed at once from a full bucket. */
  readonly burst: number;
}

export interface FailureLimit {
  /** This many failures within `windowMs` block the key. */
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly blockMs: number;
}

/** Where the counters live right now, for GET /health and the logs. */
export type CounterStatus =
  | { readonly backend: 'memory'; readonly redis: 'not_configured' }
  | { readonly backend: 'redis'; readonly redis: 'ok' }
  | { readonly backend: 'memory'; readonly redis: 'unreachable' };

export interface CounterStore {
  /** Token bucket: takes one token for `key`, or says how long until one is available. */
  take(key: string, limit: BucketLimit): Promise<RateDecision>;
  /**
   * Counts one failure for `key`. When this makes `maxFailures` within `windowMs`, the key is
   * blocked for `blockMs` and the count starts again. Returns the remaining block in ms (0: not blocked).
   */
  recordFailure(key: string, limit: FailureLimit): Promise<number>;
  /** Remaining block in ms, 0 when `key` is not blocked. */
  blockedFor(key: string): Promise<number>;
  /** Where the counters live now, as last observed (no I/O). */
  status(): CounterStatus;
  /** Like status(), after checking the backend answers (GET /health). */
  probe(): Promise<CounterStatus>;
  close(): Promise<void>;
}

/**
 * GCRA (the "virtual scheduling" form of a token bucket, ITU-T I.371): each request moves the
 * theoretical arrival time `tat` one emission interval on; a request is refused when that would
 * put `tat` more than `burst` intervals ahead of now. Shared by the memory and Redis stores so
 * both answer alike; the Redis script is the same arithmetic in Lua.
 */
export function gcra(
  storedTat: number | undefined,
  now: number,
  limit: BucketLimit,
): { allowed: boolean; tat: number; retryAfterMs: number } {
  const interval = 1000 / limit.perSecond;
  const capacity = interval * limit.burst;
  const tat = Math.max(storedTat ?? now, now) + interval;
  const ahead = tat - now;
  if (ahead > capacity)
    return { allowed: false, tat: storedTat ?? now, retryAfterMs: Math.ceil(ahead - capacity) };
  return { allowed: true, tat, retryAfterMs: 0 };
}
