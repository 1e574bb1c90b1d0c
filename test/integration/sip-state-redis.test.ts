// The Redis implementations of the SIP edge's shared state, against the real Redis at 127.0.0.1:6379:
// the same contracts as the Memory ones (injected clock), then what only Redis has to show — state
// shared between connections (processes, nodes), atomicity under concurrency, ban propagation by
// pub/sub and snapshot, key expiry, and the Redis server clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { RedisBanList } from '../../src/state/ban-list.ts';
import { RedisCpsLimiter } from '../../src/state/cps-limiter.ts';
import { RedisRegistrarStore } from '../../src/state/registrar-store.ts';
import {
  banListContract,
  cpsLimiterContract,
  registrarContract,
  TestClock,
} from '../helpers/sip-state-contracts.ts';
import {
  connectTestRedis,
  deleteKeysUnder,
  keysUnder,
  randomPrefix,
  waitFor,
} from '../helpers/sip-state-redis.ts';

test('Redis shared state (real Redis)', async (t) => {
  const r1 = await connectTestRedis(t);
  if (r1 === undefined) return;
  const r2 = r1.duplicate();
  r2.on('error', () => {});
  await r2.connect();
  const prefixes: string[] = [];
  const prefix = (): string => {
    const p = randomPrefix();
    prefixes.push(p);
    return p;
  };
  const lists: RedisBanList[] = [];
  const banList = (redis: Redis, options: ConstructorParameters<typeof RedisBanList>[1]): RedisBanList => {
    const l = new RedisBanList(redis, options);
    lists.push(l);
    return l;
  };

  try {
    for (const [name, run] of banListContract((clock, policy) =>
      banList(r1, { keyPrefix: prefix(), now: clock.now, ...(policy !== undefined ? { policy } : {}) }),
    )) {
      await t.test(`RedisBanList: ${name}`, run);
    }
    for (const [name, run] of cpsLimiterContract(
      (clock) => new RedisCpsLimiter(r1, { keyPrefix: prefix(), now: clock.now }),
      100,
    )) {
      await t.test(`RedisCpsLimiter: ${name}`, run);
    }
    for (const [name, run] of registrarContract((clock, max) =>
      max === undefined
        ? new RedisRegistrarStore(r1, { keyPrefix: prefix(), now: clock.now })
        : new RedisRegistrarStore(r1, { keyPrefix: prefix(), now: clock.now, maxBindingsPerAor: max }),
    )) {
      await t.test(`RedisRegistrarStore: ${name}`, run);
    }

    await t.test(
      'CPS: limit 5, 20 concurrent takes from two connections → exactly 5 (server clock)',
      async () => {
        const p = prefix();
        const a = new RedisCpsLimiter(r1, { keyPrefix: p });
        const b = new RedisCpsLimiter(r2, { keyPrefix: p });
        for (let round = 0; round < 5; round++) {
          const jobs = [];
          for (let i = 0; i < 20; i++) jobs.push((i % 2 === 0 ? a : b).take(`trunk-${round}`, 5));
          const results = await Promise.all(jobs);
          assert.equal(results.filter((r) => r.allowed).length, 5, `round ${round}`);
          for (const r of results.filter((x) => !x.allowed)) assert.equal(r.retryAfterSeconds, 1);
        }
      },
    );

    await t.test(
      'bans: 30 concurrent failures from two connections → the 10th bans, exactly once',
      async () => {
        const p = prefix();
        const a = banList(r1, { keyPrefix: p });
        const b = banList(r2, { keyPrefix: p });
        const jobs = [];
        for (let i = 0; i < 30; i++) jobs.push((i % 2 === 0 ? a : b).recordFailure('192.0.2.77'));
        const outcomes = await Promise.all(jobs);
        assert.equal(outcomes.filter((o) => o.newlyBanned).length, 1);
        assert.deepEqual(
          outcomes
            .filter((o) => !o.banned || o.newlyBanned)
            .map((o) => o.failures)
            .sort((x, y) => x - y),
          [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
          'each count from 1 to 10 seen once',
        );
        assert.equal(outcomes.filter((o) => o.banned && !o.newlyBanned).length, 20);
      },
    );

    await t.test('bans reach another node by pub/sub, and a node started later by snapshot', async () => {
      const p = prefix();
      const nodeA = banList(r1, { keyPrefix: p });
      const nodeB = banList(r2, { keyPrefix: p });
      await nodeB.start();
      // The subscription is established asynchronously: wait until Redis reports the subscriber.
      const subscribed = async () => ((await r1.pubsub('NUMSUB', nodeB.channel)) as [string, number])[1] >= 1;
      for (let i = 0; i < 200 && !(await subscribed()); i++) await new Promise((r) => setTimeout(r, 10));
      for (let i = 0; i < 10; i++) await nodeA.recordFailure('198.51.100.99');
      assert.equal(nodeA.isBanned('198.51.100.99'), true, 'the recording node knows at once');
      const took = await waitFor(() => nodeB.isBanned('198.51.100.99'), 2000);
      assert.ok(took >= 0, 'node B learned the ban by pub/sub');
      assert.ok(nodeB.cache.remainingMs('198.51.100.99') > 55_000);

      const r3 = r1.duplicate();
      await r3.connect();
      try {
        const late = banList(r3, { keyPrefix: p });
        await late.start();
        assert.equal(late.isBanned('198.51.100.99'), true, 'snapshot at start');
        assert.equal(late.isBanned('198.51.100.98'), false);
        await late.close();
      } finally {
        r3.disconnect();
      }
    });

    await t.test('bans under the Redis server clock: released after banSeconds', async () => {
      const p = prefix();
      const bans = banList(r1, { keyPrefix: p, policy: { maxFailures: 2, windowSeconds: 5, banSeconds: 1 } });
      assert.equal((await bans.recordFailure('203.0.113.5')).banned, false);
      assert.equal((await bans.recordFailure('203.0.113.5')).newlyBanned, true);
      assert.equal(bans.isBanned('203.0.113.5'), true);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(bans.isBanned('203.0.113.5'), false);
      assert.equal((await bans.recordFailure('203.0.113.5')).failures, 1, 'the count restarted');
    });

    await t.test('every key carries an expiry', async () => {
      const p = prefix();
      const bans = banList(r1, { keyPrefix: p });
      for (let i = 0; i < 10; i++) await bans.recordFailure('192.0.2.10');
      await bans.recordFailure('192.0.2.11');
      await new RedisCpsLimiter(r1, { keyPrefix: p }).take('trunk', 0.5);
      const reg = new RedisRegistrarStore(r1, { keyPrefix: p });
      await reg.setBinding('sip:a@t.example', 'sip:a@192.0.2.1', 30);
      await reg.setBinding('sip:a@t.example', 'sip:a@192.0.2.2', 90);
      const keys = (await keysUnder(r1, p)).sort();
      assert.deepEqual(
        keys,
        [
          `${p}ban:192.0.2.10`,
          `${p}ban:fail:192.0.2.11`,
          `${p}bans`,
          `${p}cps:trunk`,
          `${p}reg:sip:a@t.example`,
        ].sort(),
      );
      const ttl = async (k: string) => r1.pttl(`${p}${k}`);
      assert.ok((await ttl('ban:192.0.2.10')) > 59_000);
      assert.ok((await ttl('bans')) > 59_000);
      const fail = await ttl('ban:fail:192.0.2.11');
      assert.ok(fail > 0 && fail <= 60_000);
      const cps = await ttl('cps:trunk');
      assert.ok(cps > 0 && cps <= 2000, `cps key ttl ${cps}`);
      const regTtl = await ttl('reg:sip:a@t.example');
      assert.ok(regTtl > 85_000 && regTtl <= 90_000, 'the AoR lives as long as its latest binding');
      await reg.setBinding('sip:a@t.example', 'sip:a@192.0.2.2', 0);
      const shorter = await ttl('reg:sip:a@t.example');
      assert.ok(shorter > 0 && shorter <= 30_000, 'removing the latest binding shortens the TTL');
      await reg.setBinding('sip:a@t.example', 'sip:a@192.0.2.1', 0);
      assert.equal(await r1.exists(`${p}reg:sip:a@t.example`), 0, 'an AoR without bindings is deleted');
    });

    await t.test('registrar bindings are shared between connections', async () => {
      const p = prefix();
      const clock = new TestClock();
      const a = new RedisRegistrarStore(r1, { keyPrefix: p, now: clock.now });
      const b = new RedisRegistrarStore(r2, { keyPrefix: p, now: clock.now });
      await a.setBinding('sip:bob@t.example', 'sip:bob@192.0.2.5', 60);
      assert.deepEqual(await b.getBindings('sip:bob@t.example'), [
        { contact: 'sip:bob@192.0.2.5', expiresSeconds: 60 },
      ]);
      await b.removeAll('sip:bob@t.example');
      assert.deepEqual(await a.getBindings('sip:bob@t.example'), []);
    });
  } finally {
    for (const l of lists) await l.close();
    for (const p of prefixes) await deleteKeysUnder(r1, p);
    r1.disconnect();
    r2.disconnect();
  }
});
