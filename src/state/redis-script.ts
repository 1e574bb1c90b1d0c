// Run a Lua script by SHA (EVALSHA), loading it on NOSCRIPT (a restarted or failed-over Redis forgets
// scripts). Scripts run atomically: no other command interleaves (Redis "Scripting" docs).
//
// Time inside scripts: ARGV[1] is the caller's clock in ms, or '' to use the Redis server's clock (TIME).
// Production passes ''. One clock for every node means skew between nodes cannot stretch a window or a
// ban; tests pass an injected clock so they never sleep. Redis key TTLs (PEXPIRE) only garbage-collect:
// every decision compares stored timestamps against that script clock.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Lua prologue: `now` in integer ms from ARGV[1], or from the server clock when ARGV[1] is ''. */
export const LUA_NOW = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

export class RedisScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      return await redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/** ARGV[1] for a script: the injected clock, or '' for the Redis server clock. */
export function scriptNow(now: (() => number) | undefined): string | number {
  return now === undefined ? '' : Math.floor(now());
}
