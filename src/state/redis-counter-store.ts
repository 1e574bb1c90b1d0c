// Counters in Redis, shared by every node. Each operation is one Lua script, so the read-modify-
// write is atomic, and the clock is Redis's own (TIME), so nodes with skewed clocks still agree.
// Keys of one counter share a hash tag ({…}) so the scripts also run on Redis Cluster.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type {
  BucketLimit,
  CounterStatus,
  CounterStore,
  FailureLimit,
  RateDecision,
} from './counter-store.ts';

// The GCRA of counter-store.ts: returns 0 when allowed, else the milliseconds to wait.
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local capacity = interval * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
tat = tat + interval
local ahead = tat - now
if ahead > capacity then return math.ceil(ahead - capacity) end
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(ahead))
return 0
`;

// Sliding window of failure times (a sorted set scored by time); at the limit, set the block.
const FAILURE_SCRIPT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return blocked end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return tonumber(ARGV[3])
end
return 0
`;

type ScriptedRedis = Redis & {
  tgTake(key: string, intervalMs: string, burst: string): Promise<number>;
  tgFailure(
    failKey: string,
    blockKey: string,
    max: string,
    windowMs: string,
    blockMs: string,
    member: string,
  ): Promise<number>;
};

/** Talks to Redis only: every method rejects when Redis does. See resilient-counter-store.ts for the fallback. */
export class RedisCounterStore implements CounterStore {
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    redis.defineCommand('tgTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    redis.defineCommand('tgFailure', { numberOfKeys: 2, lua: FAILURE_SCRIPT });
    this.#redis = redis as ScriptedRedis;
    this.#prefix = prefix;
  }

  get client(): Redis {
    return this.#redis;
  }

  async take(key: string, limit: BucketLimit): Promise<RateDecision> {
    const wait = await this.#redis.tgTake(
      `${this.#prefix}bucket:{${key}}`,
      String(1000 / limit.perSecond),
      String(limit.burst),
    );
    return { allowed: wait === 0, retryAfterMs: wait };
  }

  async recordFailure(key: string, limit: FailureLimit): Promise<number> {
    return this.#redis.tgFailure(
      `${this.#prefix}fail:{${key}}`,
      `${this.#prefix}block:{${key}}`,
      String(limit.maxFailures),
      String(limit.windowMs),
      String(limit.blockMs),
      randomUUID(),
    );
  }

  async blockedFor(key: string): Promise<number> {
    const ttl = await this.#redis.pttl(`${this.#prefix}block:{${key}}`);
    return Math.max(ttl, 0);
  }

  status(): CounterStatus {
    return { backend: 'redis', redis: 'ok' };
  }

  async probe(): Promise<CounterStatus> {
    await this.#redis.ping();
    return this.status();
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
