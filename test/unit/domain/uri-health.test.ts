import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyProbe,
  INITIAL_URI_HEALTH,
  LAST_ERROR_MAX,
  type ProbeOutcome,
  type UriHealth,
} from '../../../src/domain/uri-health.ts';

const T = (n: number) => `2026-12-06T05:00:${String(n).padStart(2, '0')}.000Z`;
const fail: ProbeOutcome = { kind: 'timeout' };
const ok: ProbeOutcome = { kind: 'answered', status: 200 };

function run(start: UriHealth, outcomes: ProbeOutcome[]): UriHealth {
  return outcomes.reduce((h, o, i) => applyProbe(h, o, T(i)), start);
}

describe('uri health', () => {
  test('unknown at start', () => {
    assert.deepEqual(INITIAL_URI_HEALTH, {
      status: 'unknown',
      consecutiveFailures: 0,
      lastChecked: null,
      lastError: null,
    });
  });

  test('one answer marks it up, whatever the status code', () => {
    const h = applyProbe(INITIAL_URI_HEALTH, { kind: 'answered', status: 404 }, T(1));
    assert.deepEqual(h, { status: 'up', consecutiveFailures: 0, lastChecked: T(1), lastError: null });
  });

  test('three failures in a row mark it down; fewer keep the status', () => {
    assert.equal(run(INITIAL_URI_HEALTH, [fail, fail]).status, 'unknown');
    assert.equal(run(INITIAL_URI_HEALTH, [fail, fail, fail]).status, 'down');
    assert.equal(run(INITIAL_URI_HEALTH, [ok, fail, fail]).status, 'up');
    const down = run(INITIAL_URI_HEALTH, [ok, fail, fail, fail]);
    assert.equal(down.status, 'down');
    assert.equal(down.lastChecked, T(3));
    assert.equal(down.lastError, 'no response to OPTIONS');
    assert.equal(run(INITIAL_URI_HEALTH, [ok, fail, fail, ok, fail, fail]).status, 'up');
  });

  test('one answer brings a down URI back up and clears the error', () => {
    const h = run(INITIAL_URI_HEALTH, [fail, fail, fail, fail, ok]);
    assert.deepEqual(h, { status: 'up', consecutiveFailures: 0, lastChecked: T(4), lastError: null });
  });

  test('a transport error is recorded without control characters and bounded', () => {
    const h = applyProbe(
      INITIAL_URI_HEALTH,
      { kind: 'transport_error', detail: `ECONNREFUSED\r\nX-Forged: 1${'x'.repeat(500)}` },
      T(0),
    );
    assert.equal(h.consecutiveFailures, 1);
    assert.ok(h.lastError !== null);
    assert.doesNotMatch(h.lastError, /[\r\n]/);
    assert.match(h.lastError, /^transport error: ECONNREFUSED {2}X-Forged/);
    assert.equal(h.lastError.length, LAST_ERROR_MAX);
  });
});
