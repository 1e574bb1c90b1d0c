// Per-account API rate limits (issue 5 item 5): 429 with Retry-After; counters shared through the
// real Redis by two app instances (limits add up); and the fallback to per-node limits when Redis
// is unreachable or stops and comes back, reported in the log and in GET /health.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ResilientCounterStore } from '../../src/state/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';
import { startExtraNode } from '../helpers/extra-node.ts';
import { freePort, ownRedis, SHARED_REDIS_URL } from '../helpers/redis-server.ts';
import { remoteClient } from '../helpers/remote-client.ts';

const HERE = '8.8.8.8';
/** A sustained rate so low that no token comes back during a test: only the burst counts. */
const SLOW = { TRUNKGATE_API_RATE_LIMIT: '0.01', TRUNKGATE_API_RATE_BURST: '4' };

function prefix(): string {
  return `tgtest:${randomUUID().slice(0, 8)}:`;
}

async function health(t: { app: TestApp['app'] }) {
  const res = await t.app.inject({ method: 'GET', url: '/health' });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, string> };
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

for (const dialect of DIALECTS) {
  describe(`API rate limit (${dialect})`, () => {
    describe('in memory (no REDIS_URL)', () => {
      let t: TestApp;
      before(async () => {
        t = await buildTestApp(dialect, { TRUNKGATE_API_RATE_LIMIT: '2', TRUNKGATE_API_RATE_BURST: '3' });
      });
      after(() => t.close());

      test('bursts pass, then 429 with Retry-After; tokens come back at the sustained rate', async () => {
        const root = remoteClient(t.app, { authId: t.root.authId, token: t.root.token }, HERE);
        const path = `/v1/Account/${t.root.authId}/`;
        for (let i = 0; i < 3; i++) assert.equal((await root.get(path)).status, 200, `request ${i + 1}`);
        const limited = await root.get(path);
        assert.equal(limited.status, 429);
        assert.equal(limited.body.code, 'rate_limited');
        assert.equal(limited.headers['retry-after'], '1');
        assert.match(limited.body.error, /2 requests per second \(bursts of 3\)/);
        // Another account has its own budget.
        const other = await t.services.accounts.createTopLevel('other');
        const otherApi = remoteClient(t.app, { authId: other.row.auth_id, token: other.authToken }, HERE);
        assert.equal((await otherApi.get(`/v1/Account/${other.row.auth_id}/`)).status, 200);
        // 2/s: one token is back after 500 ms.
        await new Promise((r) => setTimeout(r, 600));
        assert.equal((await root.get(path)).status, 200);
        assert.equal((await root.get(path)).status, 429);
      });

      test('GET /health says the limits are per node, without Redis', async () => {
        const h = await health(t);
        assert.equal(h.status, 200);
        assert.equal(h.body['status'], 'ok');
        assert.equal(h.body['redis'], 'not_configured');
        assert.equal(h.body['rate_limits'], 'per_node');
      });
    });

    describe('shared through Redis', () => {
      let t: TestApp;
      let env: Record<string, string>;
      before(async () => {
        env = { ...SLOW, REDIS_URL: SHARED_REDIS_URL, TRUNKGATE_REDIS_PREFIX: prefix() };
        t = await buildTestApp(dialect, env);
      });
      after(() => t.close());

      test('two app instances on one Redis: their counts add up', async () => {
        const node2 = await startExtraNode(t.db, env);
        try {
          const who = { authId: t.root.authId, token: t.root.token };
          const one = remoteClient(t.app, who, HERE);
          const two = remoteClient(node2.app, who, HERE);
          const path = `/v1/Account/${t.root.authId}/`;
          assert.equal((await one.get(path)).status, 200);
          assert.equal((await two.get(path)).status, 200);
          assert.equal((await one.get(path)).status, 200);
          assert.equal((await two.get(path)).status, 200);
          // The burst of 4 is spent across both nodes.
          for (const node of [one, two]) {
            const res = await node.get(path);
            assert.equal(res.status, 429);
            assert.ok(Number(res.headers['retry-after']) >= 90, `Retry-After ${res.headers['retry-after']}`);
          }
          const h = await health(node2);
          assert.equal(h.status, 200);
          assert.equal(h.body['redis'], 'ok');
          assert.equal(h.body['rate_limits'], 'shared');
          assert.equal(h.body['status'], 'ok');
        } finally {
          await node2.close();
        }
      });

      test('the counters really are in Redis, under the configured prefix', async () => {
        const r = new Redis(SHARED_REDIS_URL);
        try {
          const keys = await r.keys(`${t.config.redisKeyPrefix}*`);
          assert.ok(keys.includes(`${t.config.redisKeyPrefix}bucket:{api:${t.root.authId}}`), keys.join(','));
        } finally {
          r.disconnect();
        }
      });
    });

    describe('Redis unreachable from the start', () => {
      let t: TestApp;
      before(async () => {
        const closed = await freePort();
        t = await buildTestApp(dialect, { ...SLOW, REDIS_URL: `redis://127.0.0.1:${closed}` });
      });
      after(() => t.close());

      test('the API keeps serving with per-node limits, and /health says so', async () => {
        const root = remoteClient(t.app, { authId: t.root.authId, token: t.root.token }, HERE);
        const path = `/v1/Account/${t.root.authId}/`;
        for (let i = 0; i < 4; i++) assert.equal((await root.get(path)).status, 200);
        const limited = await root.get(path);
        assert.equal(limited.status, 429);
        assert.ok(limited.headers['retry-after']);
        const h = await health(t);
        assert.equal(h.status, 200, 'a missing Redis must not take the node out of a load balancer');
        assert.equal(h.body['status'], 'degraded');
        assert.equal(h.body['redis'], 'unreachable');
        assert.equal(h.body['rate_limits'], 'per_node');
        assert.equal(h.body['database'], 'ok');
      });
    });
  });
}

describe('Redis stops and comes back (a redis-server of our own)', () => {
  let redis: Awaited<ReturnType<typeof ownRedis>>;
  let t: TestApp;
  const dialect = DIALECTS[0] ?? 'sqlite';
  before(async () => {
    redis = await ownRedis();
    t = await buildTestApp(dialect, { ...SLOW, TRUNKGATE_API_RATE_BURST: '1000', REDIS_URL: redis.url });
  });
  after(async () => {
    await t.close();
    await redis.stop();
  });

  test('requests keep being served through the outage; the counters return to Redis', async () => {
    const root = remoteClient(t.app, { authId: t.root.authId, token: t.root.token }, HERE);
    const path = `/v1/Account/${t.root.authId}/`;
    assert.equal((await root.get(path)).status, 200);
    assert.equal((await health(t)).body['redis'], 'ok');

    await redis.stop();
    for (let i = 0; i < 5; i++)
      assert.equal((await root.get(path)).status, 200, 'served while Redis is down');
    await eventually(
      async () => (await health(t)).body['redis'] === 'unreachable',
      '/health to report Redis down',
    );
    assert.equal((await health(t)).body['status'], 'degraded');

    await redis.start();
    await eventually(async () => (await health(t)).body['redis'] === 'ok', '/health to report Redis back');
    assert.equal((await health(t)).body['rate_limits'], 'shared');
    assert.equal((await root.get(path)).status, 200);
    const r = new Redis(redis.url);
    try {
      const keys = await r.keys(`${t.config.redisKeyPrefix}*`);
      assert.ok(
        keys.some((k) => k.includes(t.root.authId)),
        'the bucket is written to Redis again',
      );
    } finally {
      r.disconnect();
    }
  });

  test('Redis down when the node starts: per-node first, shared once Redis is up', async () => {
    const own = await ownRedis();
    await own.stop();
    const { log, lines } = capturedLogger();
    const store = new ResilientCounterStore({ url: own.url, prefix: prefix(), log });
    try {
      assert.equal((await store.take('k', { perSecond: 1, burst: 1 })).allowed, true);
      assert.deepEqual(store.status(), { backend: 'memory', redis: 'unreachable' });
      assert.match(lines.join(''), /redis unreachable.*ECONNREFUSED|ECONNREFUSED.*redis unreachable/);
      await own.start();
      await eventually(async () => (await store.probe()).redis === 'ok', 'the store to connect');
      // Now the bucket lives in Redis: a fresh key there, not the in-memory one already spent.
      assert.equal((await store.take('k', { perSecond: 0.01, burst: 1 })).allowed, true);
      assert.equal((await store.take('k', { perSecond: 0.01, burst: 1 })).allowed, false);
    } finally {
      await store.close();
      await own.stop();
    }
  });

  test('the fallback and the recovery are logged', async () => {
    const own = await ownRedis();
    const { log, lines } = capturedLogger();
    const store = new ResilientCounterStore({ url: own.url, prefix: prefix(), log });
    try {
      const limit = { perSecond: 0.01, burst: 2 };
      assert.equal((await store.take('k', limit)).allowed, true);
      assert.deepEqual(store.status(), { backend: 'redis', redis: 'ok' });
      await own.stop();
      await eventually(async () => {
        await store.take('k', limit);
        return store.status().redis === 'unreachable';
      }, 'the store to notice');
      // Per-node limits hold meanwhile: a fresh in-memory bucket of 2.
      assert.equal((await store.take('m', limit)).allowed, true);
      assert.equal((await store.take('m', limit)).allowed, true);
      assert.equal((await store.take('m', limit)).allowed, false);
      await own.start();
      await eventually(async () => (await store.probe()).redis === 'ok', 'the store to reconnect');
      const text = lines.join('');
      assert.match(text, /redis unreachable: the API keeps serving with per-node rate limits/);
      assert.match(text, /redis reachable again/);
      assert.ok(!text.includes('password'), 'no secrets in the log');
      assert.equal(lines.filter((l) => l.includes('redis unreachable')).length, 1, 'logged once per outage');
    } finally {
      await store.close();
      await own.stop();
    }
  });
});
