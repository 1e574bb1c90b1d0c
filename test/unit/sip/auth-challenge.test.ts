import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildChallenges,
  challengeHeaderName,
  challengeStatus,
  quoteString,
} from '../../../src/sip/auth/challenge.ts';
import { parseChallenges } from '../../helpers/digest-uac.ts';

test('one challenge per offered algorithm, in preference order', () => {
  const values = buildChallenges({
    realm: 'sip.example.com',
    nonce: 'N0nce_-',
    algorithms: ['SHA-512-256', 'SHA-256', 'MD5'],
  });
  assert.deepEqual(values, [
    'Digest realm="sip.example.com", nonce="N0nce_-", algorithm=SHA-512-256, qop="auth"',
    'Digest realm="sip.example.com", nonce="N0nce_-", algorithm=SHA-256, qop="auth"',
    'Digest realm="sip.example.com", nonce="N0nce_-", algorithm=MD5, qop="auth"',
  ]);
  assert.deepEqual(
    buildChallenges({ realm: 'r', nonce: 'n', algorithms: ['MD5', 'SHA-256'] }).map(
      (v) => v.split('algorithm=')[1],
    ),
    ['MD5, qop="auth"', 'SHA-256, qop="auth"'],
  );
});

test('opaque and stale=true', () => {
  const [v] = buildChallenges({ realm: 'r', nonce: 'n', opaque: 'op', stale: true, algorithms: ['SHA-256'] });
  assert.equal(v, 'Digest realm="r", nonce="n", opaque="op", algorithm=SHA-256, qop="auth", stale=true');
  const [w] = buildChallenges({ realm: 'r', nonce: 'n', stale: false, algorithms: ['MD5'] });
  assert.equal(w, 'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"');
});

test('duplicates are emitted once; no algorithms → no challenges', () => {
  assert.equal(
    buildChallenges({ realm: 'r', nonce: 'n', algorithms: ['MD5', 'MD5', 'SHA-256', 'MD5'] }).length,
    2,
  );
  assert.deepEqual(buildChallenges({ realm: 'r', nonce: 'n', algorithms: [] }), []);
});

test('quoted-string escaping (RFC 3261 §25.1) round-trips through a parser', () => {
  assert.equal(quoteString('plain'), '"plain"');
  assert.equal(quoteString('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(quoteString(''), '""');
  const realm = 'weird "realm" \\ with, commas=and equals';
  const values = buildChallenges({ realm, nonce: 'n', opaque: 'o"p', algorithms: ['SHA-256', 'MD5'] });
  const parsed = parseChallenges(values);
  assert.equal(parsed.length, 2);
  assert.equal(parsed[0]?.realm, realm);
  assert.equal(parsed[0]?.opaque, 'o"p');
  assert.equal(parsed[0]?.algorithm, 'SHA-256');
  assert.deepEqual(parsed[0]?.qop, ['auth']);
  assert.equal(parsed[1]?.algorithm, 'MD5');
});

test('CR, LF or NUL in a value cannot inject a header: RangeError', () => {
  for (const bad of ['a\r\nVia: x', 'a\n', 'a\r', 'a\u0000']) {
    assert.throws(() => quoteString(bad), RangeError);
    assert.throws(() => buildChallenges({ realm: bad, nonce: 'n', algorithms: ['MD5'] }), RangeError);
    assert.throws(
      () => buildChallenges({ realm: 'r', nonce: 'n', opaque: bad, algorithms: ['MD5'] }),
      RangeError,
    );
  }
});

test('header name and status per role (RFC 3261 §22.3)', () => {
  assert.equal(challengeHeaderName('uas'), 'WWW-Authenticate');
  assert.equal(challengeHeaderName('proxy'), 'Proxy-Authenticate');
  assert.equal(challengeStatus('uas'), 401);
  assert.equal(challengeStatus('proxy'), 407);
});
