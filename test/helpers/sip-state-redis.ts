// The real Redis at 127.0.0.1:6379 for the shared-state tests, each under a random key prefix.
// Under CI an unreachable Redis fails the test; elsewhere the test is skipped with a message.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env['TRUNKGATE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A connected client, or undefined when the test was skipped because Redis is unreachable. */
export async function connectTestRedis(t: TestContext): Promise<Redis | undefined> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    const msg = `Redis unreachable at ${TEST_REDIS_URL} (${(err as Error).message})`;
    if (process.env['CI']) assert.fail(`${msg}; CI is set, so this is a failure`);
    t.skip(`${msg}; skipping — start redis-server to run these tests`);
    return undefined;
  }
}

export function randomPrefix(): string {
  return `tg:test:${randomBytes(6).toString('hex')}:`;
}

/** Every key under `prefix` (SCAN, so it never blocks the server). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}

/** Poll `cond` every 5 ms until it holds or `timeoutMs` passes; returns how long it took, or -1. */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) return -1;
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}
