import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  AUTH_ID_PATTERN,
  generateAuthId,
  generateAuthToken,
  hashToken,
  isAuthId,
  tokenMatches,
  UNKNOWN_ACCOUNT_HASH,
} from '../../../src/domain/account-identity.ts';

describe('auth ids (Plivo shape: 20 upper-case alphanumerics)', () => {
  test('accounts start with MA, subaccounts with SA', () => {
    for (let i = 0; i < 200; i++) {
      const ma = generateAuthId('account');
      const sa = generateAuthId('subaccount');
      assert.match(ma, /^MA[A-Z0-9]{18}$/);
      assert.match(sa, /^SA[A-Z0-9]{18}$/);
      assert.ok(isAuthId(ma) && isAuthId(sa));
    }
  });

  test('are random: no repeats, and every character of the alphabet shows up', () => {
    const ids = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = generateAuthId('account');
      ids.add(id);
      for (const ch of id.slice(2)) seen.add(ch);
    }
    assert.equal(ids.size, 2000);
    assert.equal(seen.size, 36, 'all of A–Z and 0–9 appear over 36 000 draws');
  });

  test('isAuthId refuses every other shape', () => {
    for (const bad of [
      '',
      'MA',
      'MA12345678901234567', // 19
      'MA1234567890123456789', // 21
      'XA123456789012345678',
      'ma123456789012345678',
      'MAabcdefghijklmnopqr',
      'MA12345678901234567-',
      ' MA12345678901234567',
      'MA123456789012345678\n',
    ]) {
      assert.equal(isAuthId(bad), false, JSON.stringify(bad));
      assert.equal(AUTH_ID_PATTERN.test(bad), false);
    }
    assert.equal(isAuthId('MATESTROOT0000000001'), true);
  });
});

describe('auth tokens', () => {
  test('are 40 random letters and digits', () => {
    const tokens = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const t = generateAuthToken();
      assert.match(t, /^[A-Za-z0-9]{40}$/);
      tokens.add(t);
      for (const ch of t) seen.add(ch);
    }
    assert.equal(tokens.size, 1000);
    assert.equal(seen.size, 62);
  });

  test('are stored as their SHA-256, hex', () => {
    const token = 'RootTokenForTests0000000000000000000000A';
    const h = hashToken(token);
    assert.equal(h, createHash('sha256').update(token).digest('hex'));
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.ok(!h.includes(token));
    assert.notEqual(hashToken(`${token}x`), h);
  });

  test('hashes UTF-8, so non-ASCII tokens are hashed as people typed them', () => {
    assert.equal(
      hashToken('pässwörd'),
      createHash('sha256').update(Buffer.from('pässwörd', 'utf8')).digest('hex'),
    );
  });
});

describe('tokenMatches (constant-time comparison against the stored hash)', () => {
  const token = generateAuthToken();
  const stored = hashToken(token);

  test('matches the right token only', () => {
    assert.equal(tokenMatches(stored, token), true);
    assert.equal(tokenMatches(stored, token.slice(0, -1)), false);
    assert.equal(tokenMatches(stored, `${token} `), false);
    assert.equal(
      tokenMatches(stored, token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase()),
      false,
    );
    assert.equal(tokenMatches(stored, ''), false);
  });

  test('does not accept the hash itself as the token', () => {
    assert.equal(tokenMatches(stored, stored), false);
  });

  test('a malformed stored hash never matches (and does not throw)', () => {
    assert.equal(tokenMatches('', token), false);
    assert.equal(tokenMatches('not-hex', token), false);
    assert.equal(tokenMatches(stored.slice(0, 62), token), false);
    assert.equal(tokenMatches(`${stored}00`, token), false);
  });

  test('the stand-in hash for unknown accounts matches no token', () => {
    assert.match(UNKNOWN_ACCOUNT_HASH, /^[0-9a-f]{64}$/);
    for (const t of ['', 'unknown', token, generateAuthToken()])
      assert.equal(tokenMatches(UNKNOWN_ACCOUNT_HASH, t), false);
  });
});
