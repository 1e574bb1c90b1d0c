// All mutable state of one SIP edge thread (docs/architecture.md, "Edge runtime and state"):
//
//   * this node's hot-path state — nonce counts, failures and bans, packet rate, CPS windows, accepted
//     transactions, registrar bindings — in the shared-memory tables of src/state/, which every edge
//     thread of the node reads and writes synchronously. Nothing on a request's path waits.
//   * with REDIS_URL, bans also span nodes: each failure is counted in Redis too, in the background,
//     and a ban Redis reports (here or from another node, by pub/sub) is copied into the shared ban
//     table. Redis is never on the digest path: nonces are node-local (src/sip/auth/nonce.ts).
//
// A Redis outage degrades bans to per-node (the shared table keeps enforcing them), reported by
// health().degraded and one warn line per outage (redis-health.ts); no request fails because of it.
import { Redis, type RedisOptions } from 'ioredis';
import { RedisBanList } from './ban-list.ts';
import { RedisHealth, type StateLog } from './redis-health.ts';
import { attachSharedState, type SharedState, type SharedStateMemory } from './shared-state.ts';

export interface EdgeStateOptions {
  memory: SharedStateMemory;
  redisUrl?: string | undefined;
  /** Prefix of every Redis key. Default 'tg:' (tests use a random one). */
  keyPrefix?: string;
  log: StateLog;
  /** Clock in ms, for tests. */
  now?: () => number;
  redisOptions?: Partial<RedisOptions>;
}

export type EdgeStateBackend = 'shared-memory' | 'redis';

export interface EdgeStateHealth {
  backend: EdgeStateBackend;
  /** Redis is configured but not usable right now: bans are per node until it is back. */
  degraded: boolean;
}

export interface EdgeState {
  readonly shared: SharedState;
  /** Synchronous, for every packet: this node's bans and those Redis reported. */
  isBanned(key: string): boolean;
  /** Counts a failure here (synchronously) and, with Redis, across nodes (in the background). */
  recordFailure(key: string): ReturnType<SharedState['failures']['recordFailure']>;
  health(): EdgeStateHealth;
  close(): Promise<void>;
}

/** ioredis settings for background state calls: fail fast instead of queueing while disconnected. */
function redisOptions(overrides: Partial<RedisOptions> | undefined): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000), // reconnect forever, ≤ 2 s apart
    ...overrides,
  };
}

export async function createEdgeState(options: EdgeStateOptions): Promise<EdgeState> {
  const shared = attachSharedState(options.memory, options.now);
  const failures = shared.failures;
  if (options.redisUrl === undefined) {
    return {
      shared,
      isBanned: (key) => failures.isBanned(key),
      recordFailure: (key) => failures.recordFailure(key),
      health: () => ({ backend: 'shared-memory', degraded: false }),
      close: async () => {},
    };
  }
  const redis = new Redis(options.redisUrl, redisOptions(options.redisOptions));
  const health = new RedisHealth(redis, options.log);
  const redisBans = new RedisBanList(redis, {
    keyPrefix: options.keyPrefix ?? 'tg:',
    policy: options.memory.policy,
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  try {
    await redis.connect();
  } catch (err) {
    health.failure(err); // ioredis keeps reconnecting in the background
  }
  await redisBans.start();
  return {
    shared,
    isBanned: (key) => failures.isBanned(key) || redisBans.isBanned(key),
    recordFailure: (key) => {
      const local = failures.recordFailure(key);
      if (health.usable()) {
        redisBans.recordFailure(key).then(
          (o) => {
            health.success();
            if (o.banned && !local.banned) failures.applyBan(key, o.banRemainingMs);
          },
          (err: unknown) => health.failure(err),
        );
      }
      return local;
    },
    health: () => ({ backend: 'redis', degraded: health.degraded }),
    async close() {
      health.stop();
      await redisBans.close();
      redis.disconnect();
    },
  };
}
