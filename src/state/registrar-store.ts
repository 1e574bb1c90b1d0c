// Registrar bindings (issue 7 item 7: a REGISTER to a trunk domain is answered 200 with the bindings
// kept — memory, or Redis with expiry — and returned in the Contact; RFC 3261 §10.3).
//
// A binding is (address-of-record, contact) with an expiry. setBinding() with expiresSeconds 0 removes
// the contact (RFC 3261 §10.2.2), removeAll() is "Contact: *" with "Expires: 0". Both setBinding() and
// getBindings() answer the AoR's live bindings with their remaining expiry, which is what the 200 OK
// lists (§10.3 step 8). An AoR holds at most `maxBindingsPerAor` contacts (default 10): a new contact
// beyond that is refused as a value, a refresh of an existing one always succeeds.
//
// Contacts are opaque strings (the edge decides their canonical form); remaining expiry is rounded up
// to whole seconds, and a binding is gone once its expiry has passed. Bindings are listed in contact order.
import type { Redis } from 'ioredis';
import { LUA_NOW, RedisScript, scriptNow } from './redis-script.ts';

export interface Binding {
  contact: string;
  /** Seconds until the binding expires (≥ 1 while it is live). */
  expiresSeconds: number;
}

export type SetBindingResult =
  | { kind: 'ok'; bindings: Binding[] }
  | { kind: 'too_many_bindings'; max: number; bindings: Binding[] };

export interface RegistrarStore {
  /** Add or refresh (expiresSeconds > 0) or remove (0) one contact of `aor`. */
  setBinding(
    aor: string,
    contact: string,
    expiresSeconds: number,
  ): SetBindingResult | Promise<SetBindingResult>;
  getBindings(aor: string): Binding[] | Promise<Binding[]>;
  removeAll(aor: string): void | Promise<void>;
}

export const DEFAULT_MAX_BINDINGS_PER_AOR = 10;

function checkExpires(expiresSeconds: number): void {
  if (!(Number.isInteger(expiresSeconds) && expiresSeconds >= 0 && expiresSeconds <= 2 ** 31 - 1)) {
    throw new RangeError(`expiresSeconds must be a whole number from 0 to 2^31-1, got ${expiresSeconds}`);
  }
}

function secondsLeft(ms: number): number {
  return Math.ceil(ms / 1000);
}

interface AorEntry {
  /** contact → expiry (ms). */
  contacts: Map<string, number>;
}

export interface MemoryRegistrarStoreOptions {
  /** Clock in ms, for tests. */
  now?: () => number;
  maxBindingsPerAor?: number;
  /** Hard cap on AoRs; the least recently written one is dropped. Default 100,000. */
  maxAors?: number;
}

/**
 * One process's bindings. Expired bindings are dropped whenever their AoR is touched, and a rotating
 * sweep checks two other AoRs per write, so an AoR nobody touches again is collected too.
 */
export class MemoryRegistrarStore implements RegistrarStore {
  readonly maxBindingsPerAor: number;
  readonly maxAors: number;
  private readonly aors = new Map<string, AorEntry>();
  private readonly now: () => number;

  constructor(options: MemoryRegistrarStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxBindingsPerAor = options.maxBindingsPerAor ?? DEFAULT_MAX_BINDINGS_PER_AOR;
    this.maxAors = options.maxAors ?? 100_000;
    for (const [name, v] of [
      ['maxBindingsPerAor', this.maxBindingsPerAor],
      ['maxAors', this.maxAors],
    ] as const) {
      if (!(Number.isInteger(v) && v >= 1))
        throw new RangeError(`MemoryRegistrarStore: ${name} must be a positive integer`);
    }
  }

  /** AoRs with at least one binding that has not been collected yet. */
  get size(): number {
    return this.aors.size;
  }

  setBinding(aor: string, contact: string, expiresSeconds: number): SetBindingResult {
    checkExpires(expiresSeconds);
    const now = this.now();
    this.sweep(now, 2);
    let entry = this.aors.get(aor);
    if (entry !== undefined) {
      this.aors.delete(aor); // re-inserted below: Map order = least recently written first
      purge(entry, now);
    } else {
      entry = { contacts: new Map() };
    }
    if (expiresSeconds === 0) {
      entry.contacts.delete(contact);
    } else if (!entry.contacts.has(contact) && entry.contacts.size >= this.maxBindingsPerAor) {
      this.store(aor, entry);
      return { kind: 'too_many_bindings', max: this.maxBindingsPerAor, bindings: list(entry, now) };
    } else {
      entry.contacts.set(contact, now + expiresSeconds * 1000);
    }
    this.store(aor, entry);
    return { kind: 'ok', bindings: list(entry, now) };
  }

  getBindings(aor: string): Binding[] {
    const entry = this.aors.get(aor);
    if (entry === undefined) return [];
    const now = this.now();
    purge(entry, now);
    if (entry.contacts.size === 0) this.aors.delete(aor);
    return list(entry, now);
  }

  removeAll(aor: string): void {
    this.aors.delete(aor);
  }

  private store(aor: string, entry: AorEntry): void {
    if (entry.contacts.size === 0) return;
    while (this.aors.size >= this.maxAors) {
      const oldest = this.aors.keys().next();
      if (oldest.done) break;
      this.aors.delete(oldest.value);
    }
    this.aors.set(aor, entry);
  }

  /** Look at the `budget` least recently written AoRs: drop them if dead, else move them to the back. */
  private sweep(now: number, budget: number): void {
    for (let i = 0; i < budget && this.aors.size > 0; i++) {
      const head = this.aors.entries().next();
      if (head.done) return;
      const [aor, entry] = head.value;
      this.aors.delete(aor);
      purge(entry, now);
      if (entry.contacts.size > 0) this.aors.set(aor, entry);
    }
  }
}

function purge(entry: AorEntry, now: number): void {
  for (const [contact, expiresAt] of entry.contacts) if (expiresAt <= now) entry.contacts.delete(contact);
}

function list(entry: AorEntry, now: number): Binding[] {
  const out: Binding[] = [];
  for (const [contact, expiresAt] of entry.contacts) {
    if (expiresAt > now) out.push({ contact, expiresSeconds: secondsLeft(expiresAt - now) });
  }
  return sortBindings(out);
}

/** Every backend lists bindings in the same (contact) order. */
function sortBindings(bindings: Binding[]): Binding[] {
  return bindings.sort((a, b) => (a.contact < b.contact ? -1 : a.contact > b.contact ? 1 : 0));
}

// The AoR's hash maps contact → expiry (script clock, ms); each script first drops expired fields and
// keeps the key's TTL at the latest expiry (per-field expiry emulation; the TTL only garbage-collects).
const LUA_LIVE = `
local live = {}
local latest = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local e = tonumber(all[i + 1])
  if e <= now then
    redis.call('HDEL', KEYS[1], all[i])
  else
    live[all[i]] = e
    if e > latest then latest = e end
  end
end
`;

const LUA_REPLY = `
local out = {}
for c, e in pairs(live) do
  out[#out + 1] = c
  out[#out + 1] = e - now
end
`;

// KEYS[1] hash; ARGV: now, contact, expiresMs, maxBindings. Returns {status, contact, msLeft, …} where
// status 1 = ok, 0 = too many bindings.
const SET_BINDING = new RedisScript(`${LUA_NOW}${LUA_LIVE}
local contact = ARGV[2]
local expiresMs = tonumber(ARGV[3])
local status = 1
if expiresMs == 0 then
  if live[contact] then
    redis.call('HDEL', KEYS[1], contact)
    live[contact] = nil
    latest = 0
    for _, e in pairs(live) do if e > latest then latest = e end end
  end
else
  local n = 0
  for _ in pairs(live) do n = n + 1 end
  if not live[contact] and n >= tonumber(ARGV[4]) then
    status = 0
  else
    live[contact] = now + expiresMs
    redis.call('HSET', KEYS[1], contact, now + expiresMs)
    if now + expiresMs > latest then latest = now + expiresMs end
  end
end
if latest > now then
  redis.call('PEXPIRE', KEYS[1], latest - now)
else
  redis.call('DEL', KEYS[1])
end
${LUA_REPLY}
table.insert(out, 1, status)
return out
`);

// KEYS[1] hash; ARGV: now. Returns {contact, msLeft, …}.
const GET_BINDINGS = new RedisScript(`${LUA_NOW}${LUA_LIVE}
${LUA_REPLY}
return out
`);

export interface RedisRegistrarStoreOptions {
  /** Key prefix; the key is `{prefix}reg:{aor}`. Default 'tg:'. */
  keyPrefix?: string;
  /** Clock in ms for tests; by default the Redis server clock. */
  now?: () => number;
  maxBindingsPerAor?: number;
}

/** Bindings shared by every node: one hash per AoR with per-field expiry emulated by the scripts. */
export class RedisRegistrarStore implements RegistrarStore {
  readonly keyPrefix: string;
  readonly maxBindingsPerAor: number;
  private readonly clock: (() => number) | undefined;

  constructor(
    private readonly redis: Redis,
    options: RedisRegistrarStoreOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'tg:';
    this.clock = options.now;
    this.maxBindingsPerAor = options.maxBindingsPerAor ?? DEFAULT_MAX_BINDINGS_PER_AOR;
  }

  async setBinding(aor: string, contact: string, expiresSeconds: number): Promise<SetBindingResult> {
    checkExpires(expiresSeconds);
    const r = (await SET_BINDING.run(
      this.redis,
      [this.key(aor)],
      [scriptNow(this.clock), contact, expiresSeconds * 1000, this.maxBindingsPerAor],
    )) as Array<string | number>;
    const bindings = parseBindings(r, 1);
    return r[0] === 1
      ? { kind: 'ok', bindings }
      : { kind: 'too_many_bindings', max: this.maxBindingsPerAor, bindings };
  }

  async getBindings(aor: string): Promise<Binding[]> {
    const r = (await GET_BINDINGS.run(this.redis, [this.key(aor)], [scriptNow(this.clock)])) as Array<
      string | number
    >;
    return parseBindings(r, 0);
  }

  async removeAll(aor: string): Promise<void> {
    await this.redis.del(this.key(aor));
  }

  private key(aor: string): string {
    return `${this.keyPrefix}reg:${aor}`;
  }
}

function parseBindings(r: Array<string | number>, from: number): Binding[] {
  const out: Binding[] = [];
  for (let i = from; i + 1 < r.length; i += 2) {
    out.push({ contact: String(r[i]), expiresSeconds: secondsLeft(Number(r[i + 1])) });
  }
  return sortBindings(out);
}
