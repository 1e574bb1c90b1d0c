import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PACKET_RATE_PER_SECOND, PacketRateLimiter } from '../../../src/sip/state/packet-rate.ts';
import { TestClock } from '../../helpers/sip-state-contracts.ts';

function count(limiter: PacketRateLimiter, address: string, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (limiter.allow(address)) allowed++;
  return allowed;
}

test('PacketRateLimiter: default 200 packets/s per source: a burst of one second, then the rate', () => {
  const clock = new TestClock();
  const limiter = new PacketRateLimiter({ now: clock.now });
  assert.equal(DEFAULT_PACKET_RATE_PER_SECOND, 200);
  assert.equal(count(limiter, '192.0.2.1', 500), 200);
  assert.equal(count(limiter, '192.0.2.2', 10), 10, 'sources are independent');
  clock.advance(100);
  assert.equal(count(limiter, '192.0.2.1', 100), 20, '100 ms refills 20');
  clock.advance(5000);
  assert.equal(count(limiter, '192.0.2.1', 500), 200, 'the bucket never holds more than one second');
});

test('PacketRateLimiter: each of N processes allows perSecond / N', () => {
  const clock = new TestClock();
  const limiter = new PacketRateLimiter({ now: clock.now, perSecond: 200, processes: 4 });
  assert.equal(limiter.ratePerSecond, 50);
  assert.equal(count(limiter, '2001:db8::1', 500), 50);
  clock.advance(1000);
  assert.equal(count(limiter, '2001:db8::1', 500), 50);
  const slow = new PacketRateLimiter({ now: clock.now, perSecond: 1, processes: 4 });
  assert.equal(slow.burst, 1, 'the burst is at least one packet');
  assert.equal(count(slow, 'x', 3), 1);
  clock.advance(3999);
  assert.equal(slow.allow('x'), false);
  clock.advance(1);
  assert.equal(slow.allow('x'), true, 'one packet per 4 s');
});

test('PacketRateLimiter: time-driven generation rotation loses nothing', () => {
  const clock = new TestClock();
  const limiter = new PacketRateLimiter({ now: clock.now, perSecond: 10 });
  assert.equal(count(limiter, 'a', 10), 10);
  for (let i = 0; i < 5; i++) {
    clock.advance(600); // rotations happen while 'a' keeps sending at its limit
    assert.equal(count(limiter, 'a', 100), 6);
  }
});

test('PacketRateLimiter: a flood of spoofed sources keeps memory bounded and a limited source limited', () => {
  const clock = new TestClock();
  const limiter = new PacketRateLimiter({ now: clock.now, perSecond: 5, maxEntries: 1000 });
  assert.equal(count(limiter, 'attacker', 10), 5);
  for (let i = 0; i < 200_000; i++) {
    limiter.allow(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    if (i % 100 === 0) assert.equal(limiter.allow('attacker'), false, 'still limited while touched');
  }
  assert.ok(limiter.size <= 2000, `size ${limiter.size}`);
  clock.advance(1000);
  limiter.allow('late');
  assert.ok(limiter.size > 1, 'one rotation keeps the previous generation');
  clock.advance(1000);
  limiter.allow('later');
  assert.equal(limiter.size, 2, 'after two rotations only the recent sources remain');
  clock.advance(2000);
  limiter.allow('latest');
  assert.equal(limiter.size, 1, 'two idle seconds forget everything');
});

test('PacketRateLimiter: bad options are refused', () => {
  assert.throws(() => new PacketRateLimiter({ perSecond: 0 }), RangeError);
  assert.throws(() => new PacketRateLimiter({ processes: 0 }), RangeError);
  assert.throws(() => new PacketRateLimiter({ processes: 1.5 }), RangeError);
  assert.throws(() => new PacketRateLimiter({ maxEntries: 0 }), RangeError);
});
