// Nonce-count replay protection (RFC 7616 §3.3 / §3.4, RFC 3261 §22.4, RFC 2617 §3.2.2).
//
// RFC 7616 §3.3: "the server ... can check that the nc-value is ... increasing to detect replays".
// Strictly increasing is wrong for SIP: over UDP requests that share a nonce (e.g. a REGISTER refresh and
// an INVITE, or retransmission-separated dialogs) can arrive out of order. We therefore use the IPsec
// anti-replay sliding window (RFC 4303 §3.4.3): per nonce, remember the highest nc seen (`max`) and a
// 64-bit bitmap of which of max, max-1, …, max-63 have been seen. An nc is accepted ("fresh") iff
//   nc > max                         (window slides forward), or
//   max-64 < nc <= max and not seen  (late arrival inside the window).
// Everything else — the same nc twice, or one older than the window — is a "replay".
// nc values are 1..0xffffffff (RFC 7616 §3.4: 8LHEX); anything else is refused as a replay.
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export type NonceCountResult = 'fresh' | 'replay';

export interface NonceCountStore {
  /**
   * Record that `nc` was used with nonce `nonceId` and say whether that use is new.
   * `ttlSeconds` is how long the state must be kept (the nonce's remaining lifetime).
   */
  check(nonceId: string, nc: number, ttlSeconds: number): Promise<NonceCountResult> | NonceCountResult;
}

/** Width of the out-of-order acceptance window (RFC 4303 §3.4.3 uses 32 minimum, 64 recommended). */
export const NC_WINDOW = 64;
export const NC_MAX = 0xffffffff;

export function isValidNc(nc: number): boolean {
  return Number.isInteger(nc) && nc >= 1 && nc <= NC_MAX;
}

/** Sliding-window state: bit i of (hi:lo) means "max - i was seen". Exported for tests. */
export interface NcWindow {
  max: number;
  lo: number;
  hi: number;
}

/** Apply `nc` to the window in place. Pure arithmetic, no allocation. */
export function applyNc(w: NcWindow, nc: number): NonceCountResult {
  if (nc > w.max) {
    const d = nc - w.max;
    if (d >= 64) {
      w.hi = 0;
      w.lo = 1;
    } else if (d >= 32) {
      // Every old hi bit falls off; lo bit j moves to hi bit j+d-32.
      w.hi = (w.lo << (d - 32)) >>> 0;
      w.lo = 1;
    } else {
      w.hi = ((w.hi << d) | (w.lo >>> (32 - d))) >>> 0;
      w.lo = ((w.lo << d) | 1) >>> 0;
    }
    w.max = nc;
    return 'fresh';
  }
  const i = w.max - nc;
  if (i >= NC_WINDOW) return 'replay';
  if (i < 32) {
    const m = (1 << i) >>> 0;
    if ((w.lo & m) !== 0) return 'replay';
    w.lo = (w.lo | m) >>> 0;
  } else {
    const m = (1 << (i - 32)) >>> 0;
    if ((w.hi & m) !== 0) return 'replay';
    w.hi = (w.hi | m) >>> 0;
  }
  return 'fresh';
}

interface MemoryEntry extends NcWindow {
  expiresAt: number;
}

export interface MemoryNonceCountStoreOptions {
  /** Hard cap on tracked nonces; when full the oldest-created entry is evicted. Default 200,000. */
  maxEntries?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/**
 * Single-process store. Memory is bounded two ways: entries expire with their nonce (lazily, a few
 * per call, oldest first), and a hard cap evicts the oldest entry. Size the cap above
 * (new nonces per second × nonce TTL): an evicted nonce that is still alive loses its replay history
 * (its next nc starts a new window), which `evictions` lets operators alert on.
 */
export class MemoryNonceCountStore implements NonceCountStore {
  readonly maxEntries: number;
  /** Entries dropped by the hard cap while their nonce may still have been alive. */
  evictions = 0;
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly now: () => number;

  constructor(options: MemoryNonceCountStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 200_000;
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries >= 1)) {
      throw new RangeError('MemoryNonceCountStore: maxEntries must be a positive integer');
    }
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  check(nonceId: string, nc: number, ttlSeconds: number): NonceCountResult {
    if (!isValidNc(nc)) return 'replay';
    const now = this.now();
    this.sweep(now, 4);
    const e = this.entries.get(nonceId);
    if (e !== undefined && e.expiresAt > now) return applyNc(e, nc);
    if (e !== undefined) this.entries.delete(nonceId);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
      this.evictions++;
    }
    // Map iteration order is insertion order, so the head is always the oldest entry.
    this.entries.set(nonceId, { max: nc, lo: 1, hi: 0, expiresAt: now + Math.max(1, ttlSeconds) * 1000 });
    return 'fresh';
  }

  /** Drop every expired entry (the store also does this lazily). */
  purgeExpired(): void {
    this.sweep(this.now(), Number.POSITIVE_INFINITY);
  }

  private sweep(now: number, budget: number): void {
    // Entries are created with similar TTLs, so insertion order ≈ expiry order: stop at the first live one.
    for (const [id, e] of this.entries) {
      if (budget-- <= 0 || e.expiresAt > now) return;
      this.entries.delete(id);
    }
  }
}

// Same algorithm as applyNc(), atomically in Redis (scripts run without interleaving). LuaBitOp's
// results are signed 32-bit, which is fine: the values are only ever used as bit patterns.
// KEYS[1] = key, ARGV[1] = nc, ARGV[2] = ttl in ms. Returns 1 = fresh, 0 = replay.
export const NONCE_COUNT_LUA = `
local nc = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'm', 'l', 'h')
local max = tonumber(v[1])
if not max then
  redis.call('HSET', KEYS[1], 'm', ARGV[1], 'l', 1, 'h', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
local lo = tonumber(v[2])
local hi = tonumber(v[3])
if nc > max then
  local d = nc - max
  if d >= 64 then
    hi = 0
    lo = 1
  elseif d >= 32 then
    hi = bit.lshift(lo, d - 32)
    lo = 1
  else
    hi = bit.bor(bit.lshift(hi, d), bit.rshift(lo, 32 - d))
    lo = bit.bor(bit.lshift(lo, d), 1)
  end
  redis.call('HSET', KEYS[1], 'm', ARGV[1], 'l', lo, 'h', hi)
  return 1
end
local i = max - nc
if i >= 64 then return 0 end
if i < 32 then
  local m = bit.lshift(1, i)
  if bit.band(lo, m) ~= 0 then return 0 end
  redis.call('HSET', KEYS[1], 'l', bit.bor(lo, m))
else
  local m = bit.lshift(1, i - 32)
  if bit.band(hi, m) ~= 0 then return 0 end
  redis.call('HSET', KEYS[1], 'h', bit.bor(hi, m))
end
return 1
`;

const NONCE_COUNT_SHA = createHash('sha1').update(NONCE_COUNT_LUA).digest('hex');

export interface RedisNonceCountStoreOptions {
  /** Key prefix; the key is `${prefix}${nonceId}`. Default 'tg:nc:'. */
  keyPrefix?: string;
}

/**
 * Store shared by every process and node through Redis: one small hash per nonce at `tg:nc:<nonceId>`,
 * updated by a Lua script (atomic) and expiring with the nonce. Redis errors reject the promise — the
 * caller decides whether to fail closed (recommended: answer 500/503, never 'ok').
 */
export class RedisNonceCountStore implements NonceCountStore {
  readonly keyPrefix: string;

  constructor(
    private readonly redis: Redis | Cluster,
    options: RedisNonceCountStoreOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'tg:nc:';
  }

  async check(nonceId: string, nc: number, ttlSeconds: number): Promise<NonceCountResult> {
    if (!isValidNc(nc)) return 'replay';
    const key = this.keyPrefix + nonceId;
    const ttlMs = Math.max(1, Math.ceil(ttlSeconds)) * 1000;
    let r: unknown;
    try {
      r = await this.redis.evalsha(NONCE_COUNT_SHA, 1, key, nc, ttlMs);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      r = await this.redis.eval(NONCE_COUNT_LUA, 1, key, nc, ttlMs);
    }
    return r === 1 ? 'fresh' : 'replay';
  }
}
