import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpsWindow, MAX_CPS_CAPACITY, MemoryCpsLimiter } from '../../../src/state/cps-limiter.ts';
import { cpsLimiterContract, TestClock } from '../../helpers/sip-state-contracts.ts';

for (const [name, run] of cpsLimiterContract((clock) => new MemoryCpsLimiter({ now: clock.now }), 1000)) {
  test(`MemoryCpsLimiter: ${name}`, run);
}

test('cpsWindow: capacity max(1, ceil(limit)), window capacity/limit seconds', () => {
  assert.deepEqual(cpsWindow(5), { capacity: 5, windowMs: 1000 });
  assert.deepEqual(cpsWindow(0.5), { capacity: 1, windowMs: 2000 });
  assert.deepEqual(cpsWindow(2.5), { capacity: 3, windowMs: 1200 });
  assert.deepEqual(cpsWindow(MAX_CPS_CAPACITY), { capacity: MAX_CPS_CAPACITY, windowMs: 1000 });
  assert.throws(() => cpsWindow(0), RangeError);
});

test('MemoryCpsLimiter: idle keys are swept and the key count is capped', () => {
  const clock = new TestClock();
  const cps = new MemoryCpsLimiter({ now: clock.now, maxKeys: 100 });
  for (let i = 0; i < 1000; i++) cps.take(`trunk-${i}`, 10);
  assert.equal(cps.size, 100);
  clock.advance(1000);
  for (let i = 0; i < 30; i++) cps.take(`fresh-${i}`, 10);
  assert.ok(cps.size < 100, `idle keys swept (size ${cps.size})`);
  assert.throws(() => new MemoryCpsLimiter({ maxKeys: 0 }), RangeError);
});

test('MemoryCpsLimiter: 10,000 takes of a high limit stay exact', () => {
  const clock = new TestClock();
  const cps = new MemoryCpsLimiter({ now: clock.now });
  let allowed = 0;
  for (let i = 0; i < 10_000; i++) {
    if (cps.take('big', 3000).allowed) allowed++;
    if (i % 10 === 9) clock.advance(1); // 10,000 takes over 1 s
  }
  assert.equal(allowed, 3000);
});
