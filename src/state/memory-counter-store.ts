// Counters in this process's memory: the store when REDIS_URL is not set, and the fallback while
// Redis is unreachable. Bounded, so a flood of distinct keys cannot grow it without limit.
import {
  type BucketLimit,
  type CounterStatus,
  type CounterStore,
  type FailureLimit,
  gcra,
  type RateDecision,
} from './counter-store.ts';

export interface MemoryCounterOptions {
  /** Most keys kept per kind; beyond it the oldest go first. */
  maxKeys?: number;
  now?: () => number;
  /** How often expired keys are swept (ms); 0 disables the timer (tests call sweep()). */
  sweepMs?: number;
}

interface Bucket {
  tat: number;
}

interface Failures {
  /** Failure times within the window, oldest first. */
  times: number[];
}

export class MemoryCounterStore implements CounterStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #failures = new Map<string, Failures>();
  readonly #blocks = new Map<string, number>();
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout | undefined;
  /** Longest window seen, so the sweep knows when a failure list is stale. */
  #windowMs = 0;

  constructor(opts: MemoryCounterOptions = {}) {
    this.#maxKeys = opts.maxKeys ?? 100_000;
    this.#now = opts.now ?? Date.now;
    const sweepMs = opts.sweepMs ?? 30_000;
    if (sweepMs > 0) {
      this.#timer = setInterval(() => this.sweep(), sweepMs);
      this.#timer.unref();
    }
  }

  async take(key: string, limit: BucketLimit): Promise<RateDecision> {
    const now = this.#now();
    const bucket = this.#buckets.get(key);
    const d = gcra(bucket?.tat, now, limit);
    if (d.allowed) {
      if (bucket) bucket.tat = d.tat;
      else this.#put(this.#buckets, key, { tat: d.tat });
    }
    return { allowed: d.allowed, retryAfterMs: d.retryAfterMs };
  }

  async recordFailure(key: string, limit: FailureLimit): Promise<number> {
    const now = this.#now();
    const blocked = this.#remaining(key, now);
    if (blocked > 0) return blocked;
    this.#windowMs = Math.max(this.#windowMs, limit.windowMs);
    let entry = this.#failures.get(key);
    if (!entry) {
      entry = { times: [] };
      this.#put(this.#failures, key, entry);
    }
    const since = now - limit.windowMs;
    while (entry.times.length > 0 && (entry.times[0] ?? 0) <= since) entry.times.shift();
    entry.times.push(now);
    if (entry.times.length < limit.maxFailures) return 0;
    this.#failures.delete(key);
    this.#put(this.#blocks, key, now + limit.blockMs);
    return limit.blockMs;
  }

  async blockedFor(key: string): Promise<number> {
    return this.#remaining(key, this.#now());
  }

  status(): CounterStatus {
    return { backend: 'memory', redis: 'not_configured' };
  }

  async probe(): Promise<CounterStatus> {
    return this.status();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Drops what has expired: full buckets, blocks that ended, failures older than any window. */
  sweep(): void {
    const now = this.#now();
    for (const [key, b] of this.#buckets) if (b.tat <= now) this.#buckets.delete(key);
    for (const [key, until] of this.#blocks) if (until <= now) this.#blocks.delete(key);
    for (const [key, f] of this.#failures) {
      const last = f.times[f.times.length - 1];
      if (last === undefined || last <= now - this.#windowMs) this.#failures.delete(key);
    }
  }

  /** Number of keys held, per kind (for tests of the bound). */
  sizes(): { buckets: number; failures: number; blocks: number } {
    return { buckets: this.#buckets.size, failures: this.#failures.size, blocks: this.#blocks.size };
  }

  #remaining(key: string, now: number): number {
    const until = this.#blocks.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.#blocks.delete(key);
      return 0;
    }
    return until - now;
  }

  #put<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= this.#maxKeys) {
      this.sweep();
      // Still full: evict the oldest insertion (Maps iterate in insertion order).
      while (map.size >= this.#maxKeys) {
        const oldest = map.keys().next();
        if (oldest.done) break;
        map.delete(oldest.value);
      }
    }
    map.set(key, value);
  }
}
