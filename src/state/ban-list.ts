// Brute-force bans (issue 7 item 6, DESIGN.md "SIP edge"): a source address with `maxFailures` failed
// authentications within `windowSeconds` is banned for `banSeconds` (defaults 10 / 60 s / 60 s), and its
// packets are dropped until the ban ends.
//
// The window is sliding and exact: a failure counts while it is younger than the window, so "10 within
// 60 s" means any 60 s, not a calendar minute. A ban starts on the failure that brings the count to
// maxFailures, clears the count (after the ban the address starts from zero), and is never extended by
// failures recorded while it runs (they come from packets in flight before the ban reached every process).
//
// isBanned() runs for EVERY packet, so it is synchronous in every backend: it reads a local BanCache.
// How fast a new ban reaches that cache:
//   Memory          immediately (one process).
//   cluster worker  the recording worker: immediately; the others: one IPC message from the primary
//                   (typically well under a millisecond) — see cluster-broker.ts.
//   Redis           the recording node: immediately; other nodes: Redis pub/sub (one network hop). A node
//                   whose subscriber was disconnected catches up by a snapshot when it reconnects and every
//                   `syncIntervalMs` (default 5 s) — the worst-case delay after a lost message.
// Until a ban arrives, a few more packets from the address may be processed; each failure they cause is
// still counted, and the first process to record the ban reports it exactly once (newlyBanned).
//
// Addresses are keys as given: pass the canonical form (IPv4-mapped IPv6 already normalised).
import type { Redis } from 'ioredis';
import { BanCache, DEFAULT_MAX_BANS } from './ban-cache.ts';
import { LUA_NOW, RedisScript, scriptNow } from './redis-script.ts';

export interface BanPolicy {
  /** Failures within the window that start a ban. */
  maxFailures: number;
  windowSeconds: number;
  banSeconds: number;
}

export const DEFAULT_BAN_POLICY: Readonly<BanPolicy> = Object.freeze({
  maxFailures: 10,
  windowSeconds: 60,
  banSeconds: 60,
});

export function resolveBanPolicy(policy: Partial<BanPolicy> = {}): Readonly<BanPolicy> {
  const p = { ...DEFAULT_BAN_POLICY, ...policy };
  for (const [name, v] of Object.entries(p)) {
    if (!(Number.isInteger(v) && v >= 1))
      throw new RangeError(`ban policy: ${name} must be a positive integer`);
  }
  return Object.freeze(p);
}

export interface FailureOutcome {
  /** The address is banned now (by this failure or an earlier one). */
  banned: boolean;
  /** This very failure started the ban: log and count the ban once, on this outcome. */
  newlyBanned: boolean;
  /** Failures inside the window, this one included (maxFailures while a ban runs). */
  failures: number;
  /** Milliseconds left on the ban; 0 when not banned. */
  banRemainingMs: number;
}

export interface BanList {
  /** Count one failed authentication from `address`; ban it when it reaches the policy's limit. */
  recordFailure(address: string): FailureOutcome | Promise<FailureOutcome>;
  /** Synchronous, O(1): is a ban known to this process active for `address`? */
  isBanned(address: string): boolean;
}

export interface MemoryBanListOptions {
  policy?: Partial<BanPolicy>;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Hard cap on addresses with failures being counted; the least recently failing is dropped. */
  maxTracked?: number;
  maxBans?: number;
  /** Called once per new ban (the cluster primary broadcasts it to the workers). */
  onBan?: (address: string, banRemainingMs: number) => void;
}

/**
 * One process's bans. Memory stays bounded under a flood of failures from many (spoofed) addresses:
 * failure lists hold at most maxFailures timestamps, addresses whose newest failure left the window are
 * swept a few per call, and `maxTracked` (default 100,000) caps the rest.
 */
export class MemoryBanList implements BanList {
  readonly policy: Readonly<BanPolicy>;
  readonly cache: BanCache;
  readonly maxTracked: number;
  /** address → failure times (ms, oldest first). Map order = least recently failing first. */
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly onBan: ((address: string, banRemainingMs: number) => void) | undefined;

  constructor(options: MemoryBanListOptions = {}) {
    this.policy = resolveBanPolicy(options.policy);
    this.now = options.now ?? Date.now;
    this.maxTracked = options.maxTracked ?? 100_000;
    if (!(Number.isInteger(this.maxTracked) && this.maxTracked >= 1)) {
      throw new RangeError('MemoryBanList: maxTracked must be a positive integer');
    }
    this.cache = new BanCache(this.now, options.maxBans ?? DEFAULT_MAX_BANS);
    this.onBan = options.onBan;
  }

  /** Addresses whose failures are being counted (for tests and metrics). */
  get trackedCount(): number {
    return this.failures.size;
  }

  recordFailure(address: string): FailureOutcome {
    const remaining = this.cache.remainingMs(address);
    if (remaining > 0) {
      return {
        banned: true,
        newlyBanned: false,
        failures: this.policy.maxFailures,
        banRemainingMs: remaining,
      };
    }
    const now = this.now();
    const cutoff = now - this.policy.windowSeconds * 1000;
    this.sweep(cutoff, 4);
    let times = this.failures.get(address);
    if (times === undefined) {
      while (this.failures.size >= this.maxTracked) {
        const oldest = this.failures.keys().next();
        if (oldest.done) break;
        this.failures.delete(oldest.value);
      }
      times = [];
    } else {
      this.failures.delete(address); // re-inserted below: Map order tracks the latest failure
      let expired = 0;
      while (expired < times.length && times[expired]! <= cutoff) expired++;
      if (expired > 0) times.splice(0, expired);
    }
    times.push(now);
    if (times.length >= this.policy.maxFailures) {
      const banMs = this.policy.banSeconds * 1000;
      this.cache.add(address, banMs);
      this.onBan?.(address, banMs);
      return { banned: true, newlyBanned: true, failures: times.length, banRemainingMs: banMs };
    }
    this.failures.set(address, times);
    return { banned: false, newlyBanned: false, failures: times.length, banRemainingMs: 0 };
  }

  isBanned(address: string): boolean {
    return this.cache.isBanned(address);
  }

  /** Active bans as [address, remainingMs]. */
  activeBans(): Array<[string, number]> {
    return this.cache.active();
  }

  private sweep(cutoff: number, budget: number): void {
    for (const [address, times] of this.failures) {
      if (budget-- <= 0 || times[times.length - 1]! > cutoff) return;
      this.failures.delete(address);
    }
  }
}

// KEYS[1] failure list (newest first), KEYS[2] ban marker (value = ban end, script clock),
// KEYS[3] sorted set of active bans (score = ban end) for snapshots.
// ARGV: now, maxFailures, windowMs, banMs, address, pub/sub channel.
// Returns {banned, failures, newlyBanned, banRemainingMs}.
const RECORD_FAILURE = new RedisScript(`${LUA_NOW}
local maxFailures = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local banMs = tonumber(ARGV[4])
local banEnd = tonumber(redis.call('GET', KEYS[2]))
if banEnd and banEnd > now then
  return {1, maxFailures, 0, banEnd - now}
end
redis.call('LPUSH', KEYS[1], now)
local times = redis.call('LRANGE', KEYS[1], 0, maxFailures - 1)
local cutoff = now - windowMs
local n = 0
for i = 1, #times do
  if tonumber(times[i]) > cutoff then n = n + 1 else break end
end
if n >= maxFailures then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], now + banMs, 'PX', banMs)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  redis.call('ZADD', KEYS[3], now + banMs, ARGV[5])
  redis.call('PEXPIRE', KEYS[3], banMs)
  redis.call('PUBLISH', ARGV[6], banMs .. ' ' .. ARGV[5])
  return {1, n, 1, banMs}
end
redis.call('LTRIM', KEYS[1], 0, n - 1)
redis.call('PEXPIRE', KEYS[1], windowMs)
return {0, n, 0, 0}
`);

// KEYS[1] sorted set of bans; ARGV: now, limit. Returns {address, remainingMs, …} of active bans.
const SNAPSHOT = new RedisScript(`${LUA_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local rows = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i = 1, #rows, 2 do
  out[#out + 1] = rows[i]
  out[#out + 1] = tonumber(rows[i + 1]) - now
end
return out
`);

export interface RedisBanListOptions {
  /** Prefix of every key and of the pub/sub channel. Default 'tg:'. */
  keyPrefix?: string;
  policy?: Partial<BanPolicy>;
  /** Clock in ms for tests; by default scripts use the Redis server clock and the cache Date.now. */
  now?: () => number;
  maxBans?: number;
  /** Snapshot interval that bounds the propagation delay after a lost pub/sub message. Default 5000. */
  syncIntervalMs?: number;
}

/**
 * Bans shared by every node. Keys: `{prefix}ban:fail:{address}` (list of failure times),
 * `{prefix}ban:{address}` (ban marker), `{prefix}bans` (sorted set of active bans); new bans are
 * published on channel `{prefix}ban-events` as "<remainingMs> <address>". Call start() once to subscribe;
 * close() releases the subscriber connection. recordFailure() rejects when Redis fails (createEdgeState
 * falls back to local bans then).
 */
export class RedisBanList implements BanList {
  readonly policy: Readonly<BanPolicy>;
  readonly cache: BanCache;
  readonly keyPrefix: string;
  readonly channel: string;
  private readonly clock: (() => number) | undefined;
  private readonly syncIntervalMs: number;
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    options: RedisBanListOptions = {},
  ) {
    this.policy = resolveBanPolicy(options.policy);
    this.keyPrefix = options.keyPrefix ?? 'tg:';
    this.channel = `${this.keyPrefix}ban-events`;
    this.clock = options.now;
    this.cache = new BanCache(options.now ?? Date.now, options.maxBans ?? DEFAULT_MAX_BANS);
    this.syncIntervalMs = options.syncIntervalMs ?? 5000;
  }

  /**
   * Subscribe to ban events (on a dedicated connection, as Redis requires) and load the active bans.
   * Never rejects: with Redis down, the subscriber keeps reconnecting and catches up when it is back.
   */
  async start(): Promise<void> {
    if (this.subscriber !== undefined || this.closed) return;
    // Subscriber connections only queue their SUBSCRIBE until connected, and retry forever.
    const sub = this.redis.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      lazyConnect: false,
    });
    this.subscriber = sub;
    sub.on('error', () => {}); // connection state is reported by the main client (edge-state.ts)
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.onMessage(message);
    });
    // On every (re)connect: subscribe (idempotent), THEN snapshot, so no ban published in between is missed.
    sub.on('ready', () => {
      sub.subscribe(this.channel).then(
        () => this.sync(),
        () => {},
      );
    });
    this.timer = setInterval(() => void this.sync(), this.syncIntervalMs);
    this.timer.unref();
    await this.sync();
  }

  async recordFailure(address: string): Promise<FailureOutcome> {
    const p = this.keyPrefix;
    const r = (await RECORD_FAILURE.run(
      this.redis,
      [`${p}ban:fail:${address}`, `${p}ban:${address}`, `${p}bans`],
      [
        scriptNow(this.clock),
        this.policy.maxFailures,
        this.policy.windowSeconds * 1000,
        this.policy.banSeconds * 1000,
        address,
        this.channel,
      ],
    )) as [number, number, number, number];
    const outcome: FailureOutcome = {
      banned: r[0] === 1,
      failures: r[1],
      newlyBanned: r[2] === 1,
      banRemainingMs: r[3],
    };
    if (outcome.banned) this.cache.add(address, outcome.banRemainingMs);
    return outcome;
  }

  isBanned(address: string): boolean {
    return this.cache.isBanned(address);
  }

  /** Load every active ban into the local cache. Returns false when Redis did not answer. */
  async sync(): Promise<boolean> {
    if (this.closed || this.redis.status !== 'ready') return false;
    try {
      const rows = (await SNAPSHOT.run(
        this.redis,
        [`${this.keyPrefix}bans`],
        [scriptNow(this.clock), this.cache.maxEntries],
      )) as Array<string | number>;
      for (let i = 0; i + 1 < rows.length; i += 2) this.cache.add(String(rows[i]), Number(rows[i + 1]));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  private onMessage(message: string): void {
    const space = message.indexOf(' ');
    if (space <= 0) return;
    const remainingMs = Number(message.slice(0, space));
    if (Number.isFinite(remainingMs)) this.cache.add(message.slice(space + 1), remainingMs);
  }
}
