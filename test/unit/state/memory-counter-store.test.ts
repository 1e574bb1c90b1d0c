import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gcra } from '../../../src/state/counter-store.ts';
import { MemoryCounterStore } from '../../../src/state/memory-counter-store.ts';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('gcra (token bucket)', () => {
  test('a full bucket allows `burst` at once, then one per interval', () => {
    const limit = { perSecond: 10, burst: 3 };
    let tat: number | undefined;
    const t0 = 0;
    for (let i = 0; i < 3; i++) {
      const d = gcra(tat, t0, limit);
      assert.equal(d.allowed, true, `request ${i + 1}`);
      tat = d.tat;
    }
    const refused = gcra(tat, t0, limit);
    assert.deepEqual([refused.allowed, refused.retryAfterMs], [false, 100]);
    assert.equal(refused.tat, tat, 'a refusal does not consume');
    assert.equal(gcra(tat, t0 + 99, limit).allowed, false);
    assert.equal(gcra(tat, t0 + 100, limit).allowed, true);
  });

  test('an idle bucket refills to the burst, not beyond', () => {
    const limit = { perSecond: 1, burst: 2 };
    let tat = gcra(undefined, 0, limit).tat;
    tat = gcra(tat, 0, limit).tat;
    let now = 60_000;
    let allowed = 0;
    for (let i = 0; i < 5; i++) {
      const d = gcra(tat, now, limit);
      if (d.allowed) {
        allowed++;
        tat = d.tat;
      }
    }
    assert.equal(allowed, 2);
    now += 1000;
    assert.equal(gcra(tat, now, limit).allowed, true);
  });
});

describe('MemoryCounterStore', () => {
  test('take: per key, with retryAfterMs', async () => {
    const c = clock();
    const store = new MemoryCounterStore({ now: c.now, sweepMs: 0 });
    const limit = { perSecond: 2, burst: 2 };
    assert.equal((await store.take('a', limit)).allowed, true);
    assert.equal((await store.take('a', limit)).allowed, true);
    assert.deepEqual(await store.take('a', limit), { allowed: false, retryAfterMs: 500 });
    assert.equal((await store.take('b', limit)).allowed, true);
    c.advance(500);
    assert.equal((await store.take('a', limit)).allowed, true);
  });

  test('recordFailure: a sliding window; the max-th failure blocks and resets the count', async () => {
    const c = clock();
    const store = new MemoryCounterStore({ now: c.now, sweepMs: 0 });
    const limit = { maxFailures: 3, windowMs: 1000, blockMs: 5000 };
    assert.equal(await store.recordFailure('x', limit), 0);
    c.advance(600);
    assert.equal(await store.recordFailure('x', limit), 0);
    c.advance(500); // the first failure is now older than the window
    assert.equal(await store.recordFailure('x', limit), 0);
    assert.equal(await store.blockedFor('x'), 0);
    c.advance(100);
    assert.equal(await store.recordFailure('x', limit), 5000, 'three within 1 s');
    c.advance(1000);
    assert.equal(await store.blockedFor('x'), 4000);
    assert.equal(await store.recordFailure('x', limit), 4000, 'failures during a block do not extend it');
    assert.equal(await store.blockedFor('y'), 0);
    c.advance(4000);
    assert.equal(await store.blockedFor('x'), 0);
    assert.equal(await store.recordFailure('x', limit), 0, 'after the block the count starts from zero');
  });

  test('bounded: beyond maxKeys the oldest keys go; sweep drops what has expired', async () => {
    const c = clock();
    const store = new MemoryCounterStore({ now: c.now, sweepMs: 0, maxKeys: 3 });
    const limit = { perSecond: 1, burst: 5 };
    for (const k of ['a', 'b', 'c', 'd']) await store.take(k, limit);
    assert.equal(store.sizes().buckets, 3);
    c.advance(10_000);
    store.sweep();
    assert.equal(store.sizes().buckets, 0);
    await store.recordFailure('f', { maxFailures: 1, windowMs: 100, blockMs: 100 });
    assert.equal(store.sizes().blocks, 1);
    c.advance(200);
    store.sweep();
    assert.deepEqual(store.sizes(), { buckets: 0, failures: 0, blocks: 0 });
  });
});
