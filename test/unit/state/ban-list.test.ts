import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BanCache } from '../../../src/state/ban-cache.ts';
import { DEFAULT_BAN_POLICY, MemoryBanList, resolveBanPolicy } from '../../../src/state/ban-list.ts';
import { banListContract, TestClock } from '../../helpers/sip-state-contracts.ts';

for (const [name, run] of banListContract((clock, policy) =>
  policy === undefined
    ? new MemoryBanList({ now: clock.now })
    : new MemoryBanList({ now: clock.now, policy }),
)) {
  test(`MemoryBanList: ${name}`, run);
}

test('MemoryBanList: defaults are 10 failures within 60 s → 60 s, and a bad policy is refused', () => {
  assert.deepEqual({ ...DEFAULT_BAN_POLICY }, { maxFailures: 10, windowSeconds: 60, banSeconds: 60 });
  assert.deepEqual(new MemoryBanList().policy, DEFAULT_BAN_POLICY);
  for (const bad of [{ maxFailures: 0 }, { windowSeconds: 1.5 }, { banSeconds: -1 }]) {
    assert.throws(() => resolveBanPolicy(bad), RangeError, JSON.stringify(bad));
  }
});

test('MemoryBanList: onBan is called once per ban, with the remaining time', () => {
  const calls: Array<[string, number]> = [];
  const bans = new MemoryBanList({ policy: { maxFailures: 2 }, onBan: (a, ms) => calls.push([a, ms]) });
  for (let i = 0; i < 5; i++) bans.recordFailure('192.0.2.1');
  assert.deepEqual(calls, [['192.0.2.1', 60_000]]);
  assert.deepEqual(
    bans.activeBans().map(([a]) => a),
    ['192.0.2.1'],
  );
});

test('MemoryBanList: a failure flood from spoofed addresses keeps memory bounded', () => {
  const clock = new TestClock();
  const bans = new MemoryBanList({ now: clock.now, maxTracked: 1000 });
  for (let i = 0; i < 50_000; i++) bans.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  assert.ok(bans.trackedCount <= 1000, `tracked ${bans.trackedCount}`);
  // Failures that left the window are swept as new ones arrive.
  clock.advance(61_000);
  for (let i = 0; i < 600; i++) bans.recordFailure(`172.16.${i >> 8}.${i & 255}`);
  assert.ok(bans.trackedCount <= 1000);
  assert.ok(bans.trackedCount < 1000, 'expired addresses were swept, not only evicted');
});

test('MemoryBanList: a steady attacker under eviction pressure is still banned', () => {
  const bans = new MemoryBanList({ maxTracked: 100 });
  let outcome = bans.recordFailure('203.0.113.66');
  for (let i = 0; i < 9; i++) {
    for (let j = 0; j < 50; j++) bans.recordFailure(`10.0.${i}.${j}`); // noise below the cap
    outcome = bans.recordFailure('203.0.113.66');
  }
  assert.equal(outcome.newlyBanned, true);
});

test('BanCache: a longer ban wins, expired bans go, the cap holds, snapshots list remaining time', () => {
  const clock = new TestClock();
  const cache = new BanCache(clock.now, 3);
  cache.add('a', 10_000);
  cache.add('a', 5_000);
  assert.equal(cache.remainingMs('a'), 10_000, 'a shorter ban does not shorten a longer one');
  cache.add('a', 20_000);
  assert.equal(cache.remainingMs('a'), 20_000);
  cache.add('zero', 0);
  assert.equal(cache.isBanned('zero'), false);
  cache.add('b', 1000);
  cache.add('c', 30_000);
  cache.add('d', 30_000); // over the cap of 3: the oldest entry ('a') goes
  assert.equal(cache.size, 3);
  assert.equal(cache.isBanned('a'), false);
  clock.advance(1000);
  assert.equal(cache.isBanned('b'), false, 'expired');
  assert.deepEqual(cache.active(), [
    ['c', 29_000],
    ['d', 29_000],
  ]);
  clock.advance(60_000);
  cache.purgeExpired();
  assert.equal(cache.size, 0);
  assert.throws(() => new BanCache(clock.now, 0), RangeError);
});
