import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import type { DigestAlgorithm } from '../../../src/domain/digest/digest-hash.ts';
import {
  acceptedAlgorithms,
  challengeOrder,
  challengeOrderPolicy,
} from '../../../src/sip/auth/challenge-order.ts';

// User-Agent values as the Debian (bookworm) clients send them; linphone's apps name themselves so.
const BARESIP = 'baresip v1.0.0 (x86_64/linux)';
const SIPSAK = 'sipsak 0.9.8.1';
const LINPHONE_DESKTOP = 'Linphone Desktop/5.1.2 (Debian GNU/Linux 12) Qt/5.15.8 LinphoneCore/5.1.65';
const LINPHONE_ANDROID = 'LinphoneAndroid/5.1.0 (Pixel) LinphoneSDK/5.1.65';
const LINPHONE_DAEMON = 'Unknown'; // linphone-daemon 5.1 sets no User-Agent of its own
const ALL: readonly DigestAlgorithm[] = ['MD5', 'SHA-256', 'SHA-512-256'];

describe('the deployment default (empty environment)', () => {
  const c = loadConfig({});
  const policy = challengeOrderPolicy(c.digestAlgorithms, c.digestUaRules);

  test('clients without a rule get every algorithm, MD5 first (sipsak and sipp read only the first)', () => {
    for (const ua of [SIPSAK, 'sipp', LINPHONE_DAEMON, undefined, '']) {
      assert.deepEqual(challengeOrder(policy, null, ua), ALL, String(ua));
    }
  });

  test('baresip gets MD5 alone (libre abandons a 401 with any other challenge in it)', () => {
    assert.deepEqual(challengeOrder(policy, null, BARESIP), ['MD5']);
    assert.deepEqual(challengeOrder(policy, null, 'BareSIP v3.10.0'), ['MD5']);
  });

  test('linphone (any build, any case) gets SHA-256 first, then MD5, never SHA-512-256', () => {
    for (const ua of [LINPHONE_DESKTOP, LINPHONE_ANDROID, 'x linphonecore y']) {
      assert.deepEqual(challengeOrder(policy, null, ua), ['SHA-256', 'MD5'], ua);
    }
  });

  test('whatever the User-Agent, a target without its own list accepts every algorithm offered', () => {
    assert.deepEqual(acceptedAlgorithms(policy, null), ALL);
  });

  test("a trunk's or application's digest_algorithms win over the rules, for challenge and acceptance", () => {
    const stored: DigestAlgorithm[] = ['SHA-512-256', 'SHA-256', 'MD5'];
    assert.deepEqual(challengeOrder(policy, stored, BARESIP), stored);
    assert.deepEqual(challengeOrder(policy, stored, LINPHONE_DESKTOP), stored);
    assert.deepEqual(challengeOrder(policy, ['SHA-256'], SIPSAK), ['SHA-256']);
    assert.deepEqual(acceptedAlgorithms(policy, ['SHA-256']), ['SHA-256']);
    // An empty list would offer nothing and lock everyone out: it means "not set".
    assert.deepEqual(challengeOrder(policy, [], SIPSAK), ALL);
    assert.deepEqual(acceptedAlgorithms(policy, []), ALL);
  });
});

describe('operator rules', () => {
  test('the first matching rule wins; matching is a case-insensitive substring of the User-Agent', () => {
    const c = loadConfig({
      TRUNKGATE_DIGEST_UA_RULES: 'Acme Phone/2=SHA-512-256,SHA-256;acme=SHA-256,MD5;linphone=SHA-256',
    });
    const policy = challengeOrderPolicy(c.digestAlgorithms, c.digestUaRules);
    assert.deepEqual(challengeOrder(policy, null, 'ACME PHONE/2.4'), ['SHA-512-256', 'SHA-256']);
    assert.deepEqual(challengeOrder(policy, null, 'acme phone/1.9'), ['SHA-256', 'MD5']);
    assert.deepEqual(challengeOrder(policy, null, 'Ac me'), ALL);
    // Setting the variable replaces the built-in rules: baresip has none now.
    assert.deepEqual(challengeOrder(policy, null, BARESIP), ALL);
  });

  test('"none" turns the rules off', () => {
    const c = loadConfig({ TRUNKGATE_DIGEST_UA_RULES: 'none' });
    const policy = challengeOrderPolicy(c.digestAlgorithms, c.digestUaRules);
    assert.deepEqual(challengeOrder(policy, null, BARESIP), ALL);
    assert.deepEqual(challengeOrder(policy, null, LINPHONE_DESKTOP), ALL);
  });

  test('a rule never widens the deployment list: what it does not offer is dropped', () => {
    const c = loadConfig({
      TRUNKGATE_DIGEST_ALGORITHMS: 'SHA-256,SHA-512-256',
      TRUNKGATE_DIGEST_UA_RULES: 'strong=SHA-512-256,MD5;baresip=MD5',
    });
    const policy = challengeOrderPolicy(c.digestAlgorithms, c.digestUaRules);
    assert.deepEqual(challengeOrder(policy, null, 'strong/1'), ['SHA-512-256']);
    // Nothing of its own left: the rule is gone and the deployment list applies.
    assert.deepEqual(challengeOrder(policy, null, BARESIP), ['SHA-256', 'SHA-512-256']);
    assert.deepEqual(acceptedAlgorithms(policy, null), ['SHA-256', 'SHA-512-256']);
  });

  test('a rule repeating an algorithm challenges with it once', () => {
    const policy = challengeOrderPolicy(['MD5', 'SHA-256'], [{ match: 'a', algorithms: ['MD5', 'MD5'] }]);
    assert.deepEqual(challengeOrder(policy, null, 'a'), ['MD5']);
  });

  test('the policy is frozen (one instance is shared by every request)', () => {
    const policy = challengeOrderPolicy(['MD5'], [{ match: 'X', algorithms: ['MD5'] }]);
    assert.ok(Object.isFrozen(policy));
    assert.ok(Object.isFrozen(policy.offered));
    assert.ok(Object.isFrozen(policy.rules[0]));
    assert.equal(policy.rules[0]?.match, 'x');
  });
});
