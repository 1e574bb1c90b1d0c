// Redis when it answers, this node's memory when it does not (DESIGN.md: "if Redis goes away the
// API keeps serving, falls back to per-node limits, and says so in the log and in GET /health").
// ioredis keeps reconnecting in the background; once Redis answers again the counters are shared
// again (the per-node counts of the outage are dropped, not merged).
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type {
  BucketLimit,
  CounterStatus,
  CounterStore,
  FailureLimit,
  RateDecision,
} from './counter-store.ts';
import { MemoryCounterStore } from './memory-counter-store.ts';
import { RedisCounterStore } from './redis-counter-store.ts';

export interface ResilientOptions {
  url: string;
  prefix: string;
  log: Logger;
  /** Longest wait for one Redis command before this request falls back to memory. */
  commandTimeoutMs?: number;
  /** After a failed command, how long to use memory before trying Redis again. */
  retryAfterFailureMs?: number;
}

/** A Redis URL without its password, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparseable url)';
  }
}

type State = 'starting' | 'up' | 'down';

export class ResilientCounterStore implements CounterStore {
  readonly #client: Redis;
  readonly #redis: RedisCounterStore;
  readonly #memory = new MemoryCounterStore();
  readonly #log: Logger;
  readonly #where: string;
  readonly #retryAfterFailureMs: number;
  #state: State = 'starting';
  /** A command failed without the connection dropping (e.g. a timeout): skip Redis until then. */
  #skipUntil = 0;
  #started: Promise<void> | undefined;
  #closed = false;
  #lastError: string | undefined;

  constructor(opts: ResilientOptions) {
    this.#log = opts.log;
    this.#where = redactRedisUrl(opts.url);
    this.#retryAfterFailureMs = opts.retryAfterFailureMs ?? 1000;
    this.#client = new Redis(opts.url, {
      lazyConnect: true,
      // Fail at once while disconnected instead of queueing: the memory store answers meanwhile.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
      commandTimeout: opts.commandTimeoutMs ?? 500,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 4), 2000),
    });
    // Without a listener an 'error' event would crash the process; state changes are logged below.
    this.#client.on('error', (err: Error) => {
      this.#lastError = err.message;
    });
    this.#client.on('ready', () => this.#markUp());
    this.#client.on('close', () => this.#markDown(this.#lastError ?? 'connection closed'));
    this.#redis = new RedisCounterStore(this.#client, opts.prefix);
  }

  take(key: string, limit: BucketLimit): Promise<RateDecision> {
    return this.#run((s) => s.take(key, limit));
  }

  recordFailure(key: string, limit: FailureLimit): Promise<number> {
    return this.#run((s) => s.recordFailure(key, limit));
  }

  blockedFor(key: string): Promise<number> {
    return this.#run((s) => s.blockedFor(key));
  }

  status(): CounterStatus {
    return this.#usable() ? { backend: 'redis', redis: 'ok' } : { backend: 'memory', redis: 'unreachable' };
  }

  /** Connects if not yet done and pings Redis: the answer GET /health gives. */
  async probe(): Promise<CounterStatus> {
    await this.#start();
    if (this.#client.status === 'ready') {
      try {
        await this.#client.ping();
        this.#skipUntil = 0;
        this.#markUp();
      } catch (err) {
        this.#failed(err);
      }
    }
    return this.status();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#memory.close();
    if (this.#client.status === 'ready') await this.#redis.close();
    else this.#client.disconnect();
  }

  // -------------------------------------------------------------------------------------------

  /** Connects on first use; failing to is not an error, only a reason to use memory for now. */
  #start(): Promise<void> {
    this.#started ??= this.#client.connect().then(
      () => this.#markUp(),
      (err: unknown) => this.#markDown(err instanceof Error ? err.message : String(err)),
    );
    return this.#started;
  }

  #usable(): boolean {
    return this.#state === 'up' && this.#client.status === 'ready' && Date.now() >= this.#skipUntil;
  }

  async #run<T>(op: (store: CounterStore) => Promise<T>): Promise<T> {
    await this.#start();
    if (this.#usable()) {
      try {
        return await op(this.#redis);
      } catch (err) {
        this.#failed(err);
      }
    }
    return op(this.#memory);
  }

  #failed(err: unknown): void {
    this.#skipUntil = Date.now() + this.#retryAfterFailureMs;
    this.#markDown(err instanceof Error ? err.message : String(err));
  }

  #markUp(): void {
    if (this.#closed || this.#state === 'up') return;
    if (this.#state === 'down')
      this.#log.info(
        { redis: this.#where },
        'redis reachable again: rate limits and auth-failure blocks are shared across nodes',
      );
    this.#state = 'up';
  }

  #markDown(reason: string): void {
    if (this.#closed || this.#state === 'down') return;
    this.#state = 'down';
    this.#log.warn(
      { redis: this.#where, reason },
      'redis unreachable: the API keeps serving with per-node rate limits and auth-failure blocks until it is back',
    );
  }
}
