import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import type { DigestAlgorithm } from '../../../src/domain/digest/digest-hash.ts';
import { challengeOrder, challengeOrderPolicy } from '../../../src/sip/auth/challenge-order.ts';

// User-Agent values as the Debian clients send them (bookworm: baresip 1.0, sipsak 0.9.8, linphone 5.1).
const BARESIP = 'baresip v1.0.0 (x86_64/linux)';
const SIPSAK = 'sipsak 0.9.8.1';
const LINPHONEC = 'Linphone/5.1.65 (belle-sip/5.1.64)';
const LINPHONE_DESKTOP = 'Linphone Desktop/5.1.2 (Debian GNU/Linux 12) Qt/5.15.8 LinphoneCore/5.1.65';
const SIPP = 'sipp';

describe('the deployment default (empty environment)', () => {
  const c = loadConfig({});
  const policy = challengeOrderPolicy(c.digestAlgorithms, c.digestUaRules);

  test('clients that read only the first challenge get MD5 first; every algorithm is still offered', () => {
    for (const ua of [BARESIP, SIPSAK, SIPP, undefined, '']) {
      assert.deepEqual(challengeOrder(policy, null, ua), ['MD5', 'SHA-256', 'SHA-512-256'], String(ua));
    }
  });

  test('linphone (any build, any case) gets SHA-256 first, then the rest in the deployment order', () => {
    for (const ua of [LINPHONEC, LINPHONE_DESKTOP, 'LINPHONE-ANDROID/5.1', 'x linphonecore y']) {
      assert.deepEqual(challengeOrder(policy, null, ua), ['SHA-256', 'MD5', 'SHA-512-256'], ua);
    }
  });

  test("a trunk's or application's digest_algorithms win over the User-Agent rules, exactly as stored", () => {
    const stored: DigestAlgorithm[] = ['SHA-512-256', 'SHA-256', 'MD5'];
    assert.deepEqual(challengeOrder(policy, stored, BARESIP), stored);
    assert.deepEqual(challengeOrder(policy, stored, LINPHONEC), stored);
    assert.deepEqual(challengeOrder(policy, ['SHA-256'], LINPHONEC), ['SHA-256']);
    // An empty list would offer nothing and lock everyone out: it means "not set".
    assert.deepEqual(challengeOrder(policy, [], BARESIP), ['MD5', 'SHA-256', 'SHA-512-256']);
  });
});

describe('operator rules', () => {
  test('the first matching rule wins; matching is a case-insensitive substring of the User-Agent', () => {
    const c = loadConfig({
      TRUNKGATE_DIGEST_ALGORITHMS: 'MD5,SHA-256,SHA-512-256',
      TRUNKGATE_DIGEST_UA_RULES: 'Acme Phone/2=SHA-512-256,SHA-256;acme=SHA-256;linphone=SHA-256',
    });
    const policy = challengeOrderPolicy(c.digestAlgorithms, c.digestUaRules);
    assert.deepEqual(challengeOrder(policy, null, 'ACME PHONE/2.4'), ['SHA-512-256', 'SHA-256', 'MD5']);
    assert.deepEqual(challengeOrder(policy, null, 'acme phone/1.9'), ['SHA-256', 'MD5', 'SHA-512-256']);
    assert.deepEqual(challengeOrder(policy, null, 'Acme'), ['SHA-256', 'MD5', 'SHA-512-256']);
    assert.deepEqual(challengeOrder(policy, null, 'Ac me'), ['MD5', 'SHA-256', 'SHA-512-256']);
  });

  test('"none" turns the rules off: linphone then gets the deployment order too', () => {
    const c = loadConfig({ TRUNKGATE_DIGEST_UA_RULES: 'none' });
    const policy = challengeOrderPolicy(c.digestAlgorithms, c.digestUaRules);
    assert.deepEqual(challengeOrder(policy, null, LINPHONEC), ['MD5', 'SHA-256', 'SHA-512-256']);
  });

  test('a rule only reorders the deployment list: algorithms it does not offer are never added', () => {
    const c = loadConfig({
      TRUNKGATE_DIGEST_ALGORITHMS: 'SHA-256,MD5',
      TRUNKGATE_DIGEST_UA_RULES: 'strong=SHA-512-256,MD5;linphone=SHA-512-256',
    });
    const policy = challengeOrderPolicy(c.digestAlgorithms, c.digestUaRules);
    assert.deepEqual(challengeOrder(policy, null, 'strong/1'), ['MD5', 'SHA-256']);
    // Nothing of its own left: the deployment order.
    assert.deepEqual(challengeOrder(policy, null, LINPHONEC), ['SHA-256', 'MD5']);
    assert.deepEqual(challengeOrder(policy, null, BARESIP), ['SHA-256', 'MD5']);
  });

  test('every rule yields a permutation of the offered set (verification does not depend on the User-Agent)', () => {
    const offered: DigestAlgorithm[] = ['SHA-512-256', 'MD5'];
    const policy = challengeOrderPolicy(offered, [
      { match: 'a', first: ['MD5', 'MD5'] },
      { match: 'b', first: ['SHA-256', 'SHA-512-256'] },
    ]);
    for (const ua of ['a', 'b', 'c']) {
      const order = challengeOrder(policy, null, ua);
      assert.deepEqual([...order].sort(), [...offered].sort(), ua);
    }
    assert.deepEqual(challengeOrder(policy, null, 'a'), ['MD5', 'SHA-512-256']);
  });

  test('the policy is frozen (one instance is shared by every request)', () => {
    const policy = challengeOrderPolicy(['MD5'], [{ match: 'X', first: ['MD5'] }]);
    assert.ok(Object.isFrozen(policy));
    assert.ok(Object.isFrozen(policy.offered));
    assert.ok(Object.isFrozen(policy.rules[0]));
    assert.equal(policy.rules[0]?.match, 'x');
  });
});
