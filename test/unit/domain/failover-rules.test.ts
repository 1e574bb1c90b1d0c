import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideFailover, statusWhenAllFailed } from '../../../src/domain/failover-rules.ts';

describe('decideFailover', () => {
  test('no response, transport errors and the URI-side failures move to the next URI', () => {
    assert.deepEqual(decideFailover({ kind: 'timeout' }), { kind: 'try_next', reason: 'timeout' });
    assert.deepEqual(decideFailover({ kind: 'transport_error' }), {
      kind: 'try_next',
      reason: 'transport_error',
    });
    for (const status of [408, 480, 500, 502, 503, 504])
      assert.deepEqual(decideFailover({ kind: 'final', status }), {
        kind: 'try_next',
        reason: `status_${status}`,
      });
  });

  test("the callee's answers go back to the platform", () => {
    for (const status of [
      200, 202, 301, 401, 403, 404, 407, 486, 487, 488, 501, 505, 580, 600, 603, 604, 606,
    ])
      assert.deepEqual(decideFailover({ kind: 'final', status }), { kind: 'return_to_platform', status });
  });

  test('a provisional status is not an outcome', () => {
    assert.throws(() => decideFailover({ kind: 'final', status: 180 }), RangeError);
    assert.throws(() => decideFailover({ kind: 'final', status: 700 }), RangeError);
  });
});

describe('statusWhenAllFailed', () => {
  test('the last final response wins', () => {
    assert.equal(
      statusWhenAllFailed([
        { kind: 'final', status: 503 },
        { kind: 'final', status: 480 },
        { kind: 'timeout' },
      ]),
      480,
    );
    assert.equal(statusWhenAllFailed([{ kind: 'transport_error' }, { kind: 'final', status: 502 }]), 502);
  });

  test('without a final response: 503 after a transport error, 408 when all were silent', () => {
    assert.equal(statusWhenAllFailed([{ kind: 'timeout' }, { kind: 'transport_error' }]), 503);
    assert.equal(statusWhenAllFailed([{ kind: 'transport_error' }, { kind: 'timeout' }]), 503);
    assert.equal(statusWhenAllFailed([{ kind: 'timeout' }, { kind: 'timeout' }]), 408);
    assert.equal(statusWhenAllFailed([]), 503);
  });
});
