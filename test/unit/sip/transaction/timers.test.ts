// RFC 3261 Appendix A, Table 4: timer values for reliable and unreliable transports.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_TIMER_VALUES,
  nextCappedInterval,
  nextTimerA,
  timerDurations,
} from '../../../../src/sip/transaction/timers.ts';

describe('transaction timers (RFC 3261 Table 4)', () => {
  test('unreliable: A/E/G start at T1, B/F/H/J = 64·T1, D ≥ 32 s, I/K = T4', () => {
    assert.deepEqual(timerDurations(DEFAULT_TIMER_VALUES, false), {
      A: 500,
      B: 32_000,
      D: 32_000,
      E: 500,
      F: 32_000,
      G: 500,
      H: 32_000,
      I: 5_000,
      J: 32_000,
      K: 5_000,
    });
  });

  test('reliable: A/E/G never start; D/I/J/K are zero; B/F/H unchanged', () => {
    assert.deepEqual(timerDurations(DEFAULT_TIMER_VALUES, true), {
      A: undefined,
      B: 32_000,
      D: 0,
      E: undefined,
      F: 32_000,
      G: undefined,
      H: 32_000,
      I: 0,
      J: 0,
      K: 0,
    });
  });

  test('T1 scales the 64·T1 timers; D never drops under 32 s', () => {
    const small = timerDurations({ t1: 100, t2: 4000, t4: 5000 }, false);
    assert.equal(small.B, 6_400);
    assert.equal(small.D, 32_000);
    const large = timerDurations({ t1: 1000, t2: 4000, t4: 5000 }, false);
    assert.equal(large.D, 64_000);
  });

  test('A doubles without cap; E and G double up to T2', () => {
    assert.equal(nextTimerA(16_000), 32_000);
    assert.equal(nextCappedInterval(1_000, 4_000), 2_000);
    assert.equal(nextCappedInterval(4_000, 4_000), 4_000);
    assert.equal(nextCappedInterval(2_500, 4_000), 4_000);
  });

  test('refuses T1/T2/T4 that are not positive, and T2 < T1', () => {
    assert.throws(() => timerDurations({ t1: 0, t2: 4000, t4: 5000 }, false), RangeError);
    assert.throws(() => timerDurations({ t1: 500, t2: Number.NaN, t4: 5000 }, false), RangeError);
    assert.throws(() => timerDurations({ t1: 500, t2: 400, t4: 5000 }, false), /t2/);
  });
});
