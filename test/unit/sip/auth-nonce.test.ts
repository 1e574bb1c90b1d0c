import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  checkNonce,
  createNonce,
  NONCE_LENGTH,
  nonceId,
  nonceRemainingSeconds,
} from '../../../src/sip/auth/nonce.ts';

const SECRET = 'a-cluster-secret-of-at-least-32-characters!';
const T0 = 1_750_000_000_123;

test('createNonce: 40 base64url chars, unique, verifiable by any holder of the secret', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const n = createNonce(SECRET, T0, 'sip.example.com');
    assert.equal(n.length, NONCE_LENGTH);
    assert.match(n, /^[A-Za-z0-9_-]{40}$/);
    seen.add(n);
  }
  assert.equal(seen.size, 1000);
  const n = createNonce(SECRET, T0, 'sip.example.com');
  const r = checkNonce(SECRET, n, T0 + 5000, 300, 'sip.example.com');
  assert.deepEqual(r, {
    kind: 'valid',
    issuedAt: T0,
    id: nonceId(n),
    nodeId: r.kind === 'invalid' ? 0 : r.nodeId,
    seq: r.kind === 'invalid' ? 0 : r.seq,
  });
  const named = createNonce(SECRET, T0, 'sip.example.com', { nodeId: 0xdeadbeef, seq: 7 });
  const c = checkNonce(SECRET, named, T0, 300, 'sip.example.com');
  assert.deepEqual(c.kind === 'valid' && [c.nodeId, c.seq], [0xdeadbeef, 7], 'names its node and slot');
  // A Buffer secret with the same bytes is the same key.
  assert.equal(checkNonce(Buffer.from(SECRET), n, T0, 300, 'sip.example.com').kind, 'valid');
});

test('nonceId is stable per nonce and distinct across nonces issued in the same millisecond', () => {
  const a = createNonce(SECRET, T0);
  const b = createNonce(SECRET, T0);
  assert.equal(nonceId(a), nonceId(a));
  assert.notEqual(nonceId(a), nonceId(b));
  assert.equal(nonceId(a).length, 19);
});

test('expiry: valid up to ttl, expired after; expired is only reported for genuine nonces', () => {
  const n = createNonce(SECRET, T0, 'r');
  assert.equal(checkNonce(SECRET, n, T0 + 300_000, 300, 'r').kind, 'valid');
  const late = checkNonce(SECRET, n, T0 + 300_001, 300, 'r');
  assert.equal(late.kind, 'expired');
  assert.equal(late.kind === 'expired' && late.issuedAt, T0);
  const forged = n.slice(0, 39) + (n[39] === 'A' ? 'B' : 'A');
  assert.equal(checkNonce(SECRET, forged, T0 + 300_001, 300, 'r').kind, 'invalid');
});

test('nonces from the future: tolerated within the clock skew, invalid beyond', () => {
  const n = createNonce(SECRET, T0 + 10_000);
  assert.equal(checkNonce(SECRET, n, T0, 300).kind, 'valid');
  assert.equal(checkNonce(SECRET, n, T0, 300, '', 5).kind, 'invalid');
  assert.equal(checkNonce(SECRET, createNonce(SECRET, T0 + 31_000), T0, 300).kind, 'invalid');
});

test('tampering with any character, another secret or another realm → invalid', () => {
  const n = createNonce(SECRET, T0, 'r1');
  for (let i = 0; i < n.length; i++) {
    const c = n[i] === 'x' ? 'y' : 'x';
    const t = n.slice(0, i) + c + n.slice(i + 1);
    assert.equal(checkNonce(SECRET, t, T0, 300, 'r1').kind, 'invalid', `position ${i}`);
  }
  assert.equal(checkNonce('another-secret-of-at-least-32-characters', n, T0, 300, 'r1').kind, 'invalid');
  assert.equal(checkNonce(SECRET, n, T0, 300, 'r2').kind, 'invalid');
  assert.equal(checkNonce(SECRET, n, T0, 300).kind, 'invalid');
});

test('secret rotation: the first secret signs, every listed secret verifies', () => {
  const old = 'old-secret-0123456789-0123456789-0123456789';
  const neu = 'new-secret-0123456789-0123456789-0123456789';
  const fromOld = createNonce(old, T0);
  const fromNew = createNonce([neu, old], T0);
  assert.equal(checkNonce([neu, old], fromOld, T0, 300).kind, 'valid');
  assert.equal(checkNonce([neu, old], fromNew, T0, 300).kind, 'valid');
  assert.equal(checkNonce(neu, fromNew, T0, 300).kind, 'valid');
  assert.equal(checkNonce(old, fromNew, T0, 300).kind, 'invalid');
  assert.equal(checkNonce([neu], fromOld, T0, 300).kind, 'invalid');
  assert.equal(checkNonce([], fromOld, T0, 300).kind, 'invalid');
  assert.throws(() => createNonce([], T0), RangeError);
});

test('malformed nonces are invalid and never throw', () => {
  const n = createNonce(SECRET, T0);
  for (const bad of [
    '',
    'x',
    n + 'A',
    n.slice(1),
    `${n.slice(0, 39)}=`,
    `${n.slice(0, 39)}+`,
    `${n.slice(0, 20)} ${n.slice(21)}`,
    n.replace(/[A-Za-z]/, 'é'),
    'A'.repeat(40),
    '\u0000'.repeat(40),
  ]) {
    assert.equal(checkNonce(SECRET, bad, T0, 300).kind, 'invalid', JSON.stringify(bad));
  }
  assert.equal(checkNonce(SECRET, undefined as unknown as string, T0, 300).kind, 'invalid');
  assert.equal(checkNonce(SECRET, 42 as unknown as string, T0, 300).kind, 'invalid');
  fc.assert(
    fc.property(fc.string({ minLength: 0, maxLength: 60 }), (s) => {
      assert.equal(checkNonce(SECRET, s, T0, 300).kind, 'invalid');
    }),
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{40}$/), (s) => {
      assert.equal(checkNonce(SECRET, s, T0, 300).kind, s === n ? 'valid' : 'invalid');
    }),
  );
});

test('createNonce refuses nonsense clocks; remaining lifetime helper', () => {
  assert.throws(() => createNonce(SECRET, -1), RangeError);
  assert.throws(() => createNonce(SECRET, Number.NaN), RangeError);
  assert.throws(() => createNonce(SECRET, 2 ** 48), RangeError);
  assert.equal(nonceRemainingSeconds(T0, T0, 300), 300);
  assert.equal(nonceRemainingSeconds(T0, T0 + 299_500, 300), 1);
  assert.equal(nonceRemainingSeconds(T0, T0 + 400_000, 300), 1);
});
