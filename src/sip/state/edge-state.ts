// All mutable state of one SIP edge process, chosen by deployment (issue 7 items 4-7, DESIGN.md
// "Storage and scale"):
//
//   REDIS_URL set              → Redis, shared by every process of every node ('redis').
//   no Redis, cluster worker   → the state broker in this node's cluster primary ('cluster').
//   no Redis, single process   → this process's memory ('memory').
//
// The per-source packet rate cap is always local to the process (packet-rate.ts explains why).
//
// When Redis is configured but unreachable (at start or later), health().degraded is true, one warn line
// is logged per outage (redis-health.ts), and:
//   * nonce counts FAIL CLOSED: check() rejects with StateUnavailableError, so the request is refused
//     (the edge answers 500/503) — admitting it without recording its nc would reopen replays;
//   * bans, CPS limits, registrar bindings and accepted transactions fall back to local state — the
//     cluster broker for a cluster worker, this process's memory otherwise — so the edge keeps enforcing
//     them per node. Bans learned from Redis before the outage stay in force (isBanned consults both).
//     Back on Redis, local bans run out on their own; bindings made during the outage exist only locally
//     until re-registered.
//
// In cluster mode the primary must run startStateBrokerInPrimary(cluster) even when Redis is configured:
// it is the workers' fallback.
import { Redis, type RedisOptions } from 'ioredis';
import {
  MemoryNonceCountStore,
  type NonceCountResult,
  type NonceCountStore,
  RedisNonceCountStore,
} from '../auth/nonce-count.ts';
import {
  type AcceptedTransactions,
  MemoryAcceptedTransactions,
  RedisAcceptedTransactions,
} from './accepted-transactions.ts';
import {
  type BanList,
  type BanPolicy,
  type FailureOutcome,
  MemoryBanList,
  RedisBanList,
} from './ban-list.ts';
import { createClusterStateClient } from './cluster-client.ts';
import { type CpsDecision, type CpsLimiter, MemoryCpsLimiter, RedisCpsLimiter } from './cps-limiter.ts';
import { PacketRateLimiter } from './packet-rate.ts';
import { RedisHealth, type StateLog } from './redis-health.ts';
import {
  type Binding,
  MemoryRegistrarStore,
  RedisRegistrarStore,
  type RegistrarStore,
  type SetBindingResult,
} from './registrar-store.ts';
import { StateUnavailableError } from './state-unavailable-error.ts';

/** The settings createEdgeState reads; the app's Config has this shape, so it can be passed as is. */
export interface EdgeStateConfig {
  /** Ban policy (TRUNKGATE_AUTH_MAX_FAILURES, …_FAILURE_WINDOW, …_BAN_SECONDS). */
  authFailure?: Partial<BanPolicy>;
  /** Per-source packets per second for the whole node (TRUNKGATE_SIP_PACKET_RATE). Default 200. */
  sipPacketRate?: number;
}

export interface EdgeStateOptions {
  redisUrl?: string | undefined;
  mode: 'single' | 'cluster-worker';
  config?: EdgeStateConfig;
  log: StateLog;
  /** Processes on this node sharing the packet rate cap (the number of cluster workers). Default 1. */
  processes?: number;
  /** Prefix of every Redis key. Default 'tg:' (tests use a random one). */
  keyPrefix?: string;
  /** Clock in ms, for tests (also replaces the Redis server clock in scripts). */
  now?: () => number;
  /** Overrides of the ioredis options below (timeouts, retry strategy). */
  redisOptions?: Partial<RedisOptions>;
}

export type EdgeStateBackend = 'redis' | 'cluster' | 'memory';

export interface EdgeStateHealth {
  backend: EdgeStateBackend;
  /** Redis is configured but not usable right now: running on the fallbacks described above. */
  degraded: boolean;
}

// The edge's view: every call that may cross a process boundary returns a promise, whatever the backend.
export interface EdgeBanList extends BanList {
  recordFailure(address: string): Promise<FailureOutcome>;
}
export interface EdgeCpsLimiter extends CpsLimiter {
  take(key: string, limit: number): Promise<CpsDecision>;
}
export interface EdgeRegistrar extends RegistrarStore {
  setBinding(aor: string, contact: string, expiresSeconds: number): Promise<SetBindingResult>;
  getBindings(aor: string): Promise<Binding[]>;
  removeAll(aor: string): Promise<void>;
}
export interface EdgeAcceptedTransactions extends AcceptedTransactions {
  has(key: string): Promise<boolean>;
}

export interface EdgeState {
  /** check() rejects with StateUnavailableError when the backend cannot record the nc: refuse the request. */
  readonly nonceCounts: NonceCountStore;
  readonly bans: EdgeBanList;
  readonly cps: EdgeCpsLimiter;
  readonly packetRate: PacketRateLimiter;
  readonly registrar: EdgeRegistrar;
  readonly acceptedTransactions: EdgeAcceptedTransactions;
  health(): EdgeStateHealth;
  close(): Promise<void>;
}

interface LocalState {
  nonceCounts: NonceCountStore;
  bans: BanList;
  cps: CpsLimiter;
  registrar: RegistrarStore;
  acceptedTransactions: AcceptedTransactions;
  close(): void;
}

function localState(options: EdgeStateOptions): LocalState {
  if (options.mode === 'cluster-worker') {
    return createClusterStateClient(options.now !== undefined ? { now: options.now } : {});
  }
  const now = options.now !== undefined ? { now: options.now } : {};
  const policy = options.config?.authFailure;
  return {
    nonceCounts: new MemoryNonceCountStore(now),
    bans: new MemoryBanList({ ...now, ...(policy !== undefined ? { policy } : {}) }),
    cps: new MemoryCpsLimiter(now),
    registrar: new MemoryRegistrarStore(now),
    acceptedTransactions: new MemoryAcceptedTransactions(now),
    close() {},
  };
}

/** ioredis settings for the hot path: fail fast instead of queueing while disconnected. */
function redisOptions(overrides: Partial<RedisOptions> | undefined): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false, // a command while disconnected fails at once → fallback, no waiting
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true, // the nonce-count checks of one event-loop turn share one write
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000), // reconnect forever, ≤ 2 s apart
    ...overrides,
  };
}

/**
 * Build the edge's state for this process. With a Redis URL it waits for the first connection attempt
 * (connectTimeout, 2 s by default) and otherwise starts degraded while ioredis keeps reconnecting.
 */
export async function createEdgeState(options: EdgeStateOptions): Promise<EdgeState> {
  const packetRate = new PacketRateLimiter({
    ...(options.config?.sipPacketRate !== undefined ? { perSecond: options.config.sipPacketRate } : {}),
    processes: options.processes ?? 1,
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  const local = localState(options);
  if (options.redisUrl !== undefined)
    return createRedisEdgeState(options, options.redisUrl, local, packetRate);
  const backend: EdgeStateBackend = options.mode === 'cluster-worker' ? 'cluster' : 'memory';
  return {
    nonceCounts: local.nonceCounts,
    bans: {
      recordFailure: async (address) => local.bans.recordFailure(address),
      isBanned: (address) => local.bans.isBanned(address),
    },
    cps: { take: async (key, limit) => local.cps.take(key, limit) },
    packetRate,
    registrar: {
      setBinding: async (aor, contact, expiresSeconds) =>
        local.registrar.setBinding(aor, contact, expiresSeconds),
      getBindings: async (aor) => local.registrar.getBindings(aor),
      removeAll: async (aor) => local.registrar.removeAll(aor),
    },
    acceptedTransactions: {
      remember: (key, ttlSeconds) => local.acceptedTransactions.remember(key, ttlSeconds),
      has: async (key) => local.acceptedTransactions.has(key),
    },
    health: () => ({ backend, degraded: false }),
    close: async () => local.close(),
  };
}

async function createRedisEdgeState(
  options: EdgeStateOptions,
  redisUrl: string,
  local: LocalState,
  packetRate: PacketRateLimiter,
): Promise<EdgeState> {
  const redis = new Redis(redisUrl, redisOptions(options.redisOptions));
  const health = new RedisHealth(redis, options.log);
  const keyPrefix = options.keyPrefix ?? 'tg:';
  const now = options.now !== undefined ? { now: options.now } : {};
  const policy = options.config?.authFailure;
  const redisNonces = new RedisNonceCountStore(redis, { keyPrefix: `${keyPrefix}nc:` });
  const redisBans = new RedisBanList(redis, {
    keyPrefix,
    ...now,
    ...(policy !== undefined ? { policy } : {}),
  });
  const redisCps = new RedisCpsLimiter(redis, { keyPrefix, ...now });
  const redisRegistrar = new RedisRegistrarStore(redis, { keyPrefix, ...now });
  const redisTransactions = new RedisAcceptedTransactions(redis, { keyPrefix });

  try {
    await redis.connect();
  } catch (err) {
    health.failure(err); // ioredis keeps reconnecting in the background
  }
  await redisBans.start();

  /** Run on Redis when it is usable, else (or when it fails) on local state. */
  async function shared<R>(onRedis: () => Promise<R>, onLocal: () => R | Promise<R>): Promise<R> {
    if (!health.usable()) return onLocal();
    try {
      const r = await onRedis();
      health.success();
      return r;
    } catch (err) {
      if (err instanceof RangeError) throw err; // the caller's bug (e.g. a CPS limit of 0), not an outage
      health.failure(err);
      return onLocal();
    }
  }

  const nonceCounts: NonceCountStore = {
    // Fail closed (see the header comment): never answer 'fresh' unless Redis recorded the nc.
    async check(nonceId: string, nc: number, ttlSeconds: number): Promise<NonceCountResult> {
      if (!health.connected()) {
        throw new StateUnavailableError('redis', 'Redis is unreachable: nonce counts cannot be checked');
      }
      try {
        const r = await redisNonces.check(nonceId, nc, ttlSeconds);
        health.success();
        return r;
      } catch (err) {
        health.failure(err);
        throw new StateUnavailableError('redis', 'Redis failed: nonce counts cannot be checked', {
          cause: err,
        });
      }
    },
  };

  return {
    nonceCounts,
    bans: {
      recordFailure: (address) =>
        shared(
          () => redisBans.recordFailure(address),
          () => local.bans.recordFailure(address),
        ),
      isBanned: (address) => redisBans.isBanned(address) || local.bans.isBanned(address),
    },
    cps: {
      take: (key, limit) =>
        shared(
          () => redisCps.take(key, limit),
          () => local.cps.take(key, limit),
        ),
    },
    packetRate,
    registrar: {
      setBinding: (aor, contact, expiresSeconds) =>
        shared(
          () => redisRegistrar.setBinding(aor, contact, expiresSeconds),
          () => local.registrar.setBinding(aor, contact, expiresSeconds),
        ),
      getBindings: (aor) =>
        shared(
          () => redisRegistrar.getBindings(aor),
          () => local.registrar.getBindings(aor),
        ),
      removeAll: (aor) =>
        shared(
          () => redisRegistrar.removeAll(aor),
          () => local.registrar.removeAll(aor),
        ),
    },
    acceptedTransactions: {
      remember: (key, ttlSeconds) => {
        void shared(
          () => redisTransactions.remember(key, ttlSeconds),
          () => local.acceptedTransactions.remember(key, ttlSeconds),
        ).catch(() => {});
      },
      has: (key) =>
        shared(
          () => redisTransactions.has(key),
          () => local.acceptedTransactions.has(key),
        ),
    },
    health: () => ({ backend: 'redis', degraded: health.degraded }),
    async close() {
      health.stop();
      await redisBans.close();
      redis.disconnect();
      local.close();
    },
  };
}
