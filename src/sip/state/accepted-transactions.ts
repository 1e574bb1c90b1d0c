// Requests the edge accepted, remembered across processes and nodes (issue 7 item 5).
//
// RFC 3261 §17.2: a retransmitted request gets the response already sent, not a second evaluation. The
// edge's per-process transaction cache handles retransmissions that reach the same process; a
// retransmission that reaches another worker or node re-runs digest verification and finds its nc
// already used. This set lets that process recognise it ("accepted before") instead of refusing it as a
// replay. Keys are the edge's transaction keys (branch, method, source); entries live `ttlSeconds`
// (32 s = 64*T1 for the edge, Timer J).
//
// remember() is fire-and-forget: it is on the path of every accepted request and nothing waits for it.
import type { Redis } from 'ioredis';

export interface AcceptedTransactions {
  remember(key: string, ttlSeconds: number): void;
  has(key: string): boolean | Promise<boolean>;
}

export interface MemoryAcceptedTransactionsOptions {
  /** Clock in ms, for tests. */
  now?: () => number;
  /**
   * Hard cap; the oldest entry is dropped first. Default 400,000 — above 10,000 accepted requests/s
   * × 32 s. A dropped entry only means a late cross-process retransmission is challenged again.
   */
  maxEntries?: number;
}

export class MemoryAcceptedTransactions implements AcceptedTransactions {
  readonly maxEntries: number;
  /** key → expiry (ms). TTLs are all alike, so insertion order ≈ expiry order. */
  private readonly entries = new Map<string, number>();
  private readonly now: () => number;

  constructor(options: MemoryAcceptedTransactionsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 400_000;
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries >= 1)) {
      throw new RangeError('MemoryAcceptedTransactions: maxEntries must be a positive integer');
    }
  }

  get size(): number {
    return this.entries.size;
  }

  remember(key: string, ttlSeconds: number): void {
    const now = this.now();
    for (const [k, expiresAt] of this.entries) {
      if (expiresAt > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(k);
    }
    this.entries.delete(key);
    this.entries.set(key, now + Math.max(1, ttlSeconds) * 1000);
  }

  has(key: string): boolean {
    const expiresAt = this.entries.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.now()) return true;
    this.entries.delete(key);
    return false;
  }
}

export interface RedisAcceptedTransactionsOptions {
  /** Key prefix; the key is `{prefix}tx:{key}`. Default 'tg:'. */
  keyPrefix?: string;
}

/** One expiring key per accepted transaction (SET … PX); Redis expires them itself. */
export class RedisAcceptedTransactions {
  readonly keyPrefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisAcceptedTransactionsOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'tg:';
  }

  /** Resolves when stored; rejects when Redis fails (the caller decides whether to wait). */
  async remember(key: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`${this.keyPrefix}tx:${key}`, '1', 'PX', Math.max(1, ttlSeconds) * 1000);
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.exists(`${this.keyPrefix}tx:${key}`)) === 1;
  }
}
