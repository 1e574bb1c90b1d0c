import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateRegisterExpires } from '../../../src/domain/provider-credential-rules.ts';
import {
  NOT_ATTEMPTED_ERROR,
  REGISTRATION_ERROR_MAX,
  registrationErrorText,
  registrationStatus,
} from '../../../src/domain/provider-registration.ts';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const AT = '2026-12-06T11:59:00.000Z';

describe('registrationStatus', () => {
  test('register false is disabled, whatever was recorded', () => {
    assert.deepEqual(
      registrationStatus(false, { ok: true, expiresAt: '2026-12-06T13:00:00.000Z', attemptedAt: AT }, NOW),
      {
        state: 'disabled',
        expiresAt: null,
        lastError: null,
        lastAttemptTime: null,
      },
    );
  });

  test('no attempt yet, a refusal, an expired and a live registration', () => {
    assert.deepEqual(registrationStatus(true, undefined, NOW), {
      state: 'failed',
      expiresAt: null,
      lastError: NOT_ATTEMPTED_ERROR,
      lastAttemptTime: null,
    });
    assert.deepEqual(registrationStatus(true, { ok: false, error: '403 Forbidden', attemptedAt: AT }, NOW), {
      state: 'failed',
      expiresAt: null,
      lastError: '403 Forbidden',
      lastAttemptTime: AT,
    });
    const expired = registrationStatus(
      true,
      { ok: true, expiresAt: '2026-12-06T12:00:00.000Z', attemptedAt: AT },
      NOW,
    );
    assert.equal(expired.state, 'failed');
    assert.match(expired.lastError ?? '', /expired at 2026-12-06T12:00:00.000Z/);
    assert.deepEqual(
      registrationStatus(true, { ok: true, expiresAt: '2026-12-06T12:00:01.000Z', attemptedAt: AT }, NOW),
      {
        state: 'registered',
        expiresAt: '2026-12-06T12:00:01.000Z',
        lastError: null,
        lastAttemptTime: AT,
      },
    );
  });

  test('error text: control characters become spaces, long text is cut, empty gets a default', () => {
    assert.equal(registrationErrorText('408 Request Timeout\r\nVia: x'), '408 Request Timeout Via: x');
    const long = registrationErrorText('x'.repeat(2000));
    assert.equal([...long].length, REGISTRATION_ERROR_MAX);
    assert.ok(long.endsWith('...'));
    assert.equal(registrationErrorText('\r\n'), 'registration failed');
  });

  test('registerExpires: whole seconds from 60 to 86400', () => {
    for (const ok of [60, 3600, 86400]) assert.equal(validateRegisterExpires(ok).ok, true);
    for (const bad of [59, 86401, 60.5, 0, -60, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = validateRegisterExpires(bad);
      assert.equal(r.ok, false, String(bad));
      if (!r.ok) assert.equal(r.field, 'registerExpires');
    }
  });
});
