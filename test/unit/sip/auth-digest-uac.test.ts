// The test UAC's hashing is checked against RFC 7616 §3.9 before anything relies on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  answerChallenges,
  buildAuthorization,
  computeResponse,
  formatNc,
  h,
  parseAuthorization,
  parseChallenges,
} from '../../helpers/digest-uac.ts';

const RFC_3_9_1 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: 1,
  qop: 'auth',
  method: 'GET',
  uri: '/dir/index.html',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
} as const;

test('RFC 7616 §3.9.1 MD5 and SHA-256 vectors', () => {
  assert.equal(computeResponse({ ...RFC_3_9_1, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(
    computeResponse({ ...RFC_3_9_1, algorithm: 'SHA-256' }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
});

test('SHA-512-256: RFC 7616 §3.9.1 inputs (node sha512-256) and the §3.9.2 errata vector', () => {
  // HA1 cross-check: H(username:realm:password) with FIPS 180-4 SHA-512/256.
  assert.equal(
    h('SHA-512-256', 'Mufasa:http-auth@example.org:Circle of Life'),
    'fb174f5c3c7802721517cae13b98e2b8dae2e0118cb705d94ee29946319204ce',
  );
  assert.equal(
    computeResponse({ ...RFC_3_9_1, algorithm: 'SHA-512-256' }),
    '430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0',
  );
  // §3.9.2 (the RFC's SHA-512-256 example); 3798d413… is the errata value, the printed ae66e67d… used
  // truncated SHA-512 (see test/unit/domain/digest-hash.test.ts).
  assert.equal(
    computeResponse({
      username: 'J\u00e4s\u00f8n Doe',
      password: 'Secret, or not?',
      realm: 'api@example.org',
      nonce: '5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK',
      cnonce: 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v',
      nc: 1,
      qop: 'auth',
      method: 'GET',
      uri: '/doe.json',
      algorithm: 'SHA-512-256',
    }),
    '3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5',
  );
});

test('buildAuthorization produces the RFC 7616 §3.9.1 header, which parses back', () => {
  const value = buildAuthorization({ ...RFC_3_9_1, algorithm: 'SHA-256' });
  assert.equal(
    value,
    'Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' +
      'uri="/dir/index.html", response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", ' +
      'algorithm=SHA-256, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, nc=00000001, ' +
      'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  );
  const p = parseAuthorization(value);
  assert.equal(p['username'], 'Mufasa');
  assert.equal(p['response'], '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  assert.equal(p['nc'], '00000001');
  assert.equal(p['qop'], 'auth');
  assert.equal(p['algorithm'], 'SHA-256');
  // Escaped characters survive.
  assert.equal(
    parseAuthorization(buildAuthorization({ ...RFC_3_9_1, username: 'a"b\\c', algorithm: 'MD5' }))[
      'username'
    ],
    'a"b\\c',
  );
  // RFC 2069 form and omitted algorithm.
  const old = parseAuthorization(
    buildAuthorization({ ...RFC_3_9_1, algorithm: 'MD5', qop: null, omitAlgorithm: true }),
  );
  assert.equal(old['qop'], undefined);
  assert.equal(old['nc'], undefined);
  assert.equal(old['algorithm'], undefined);
});

test('formatNc', () => {
  assert.equal(formatNc(1), '00000001');
  assert.equal(formatNc(255), '000000ff');
  assert.equal(formatNc(undefined), '00000001');
  assert.equal(formatNc('0000000A'), '0000000A');
});

test('parseChallenges: several header values and several challenges in one value, in order', () => {
  const cs = parseChallenges([
    'Digest realm="r", nonce="n1", algorithm=SHA-512-256, qop="auth,auth-int", stale=TRUE',
    'Basic realm="b", Digest realm="r", nonce="n2", opaque="o"',
  ]);
  assert.equal(cs.length, 3);
  assert.equal(cs[0]?.algorithm, 'SHA-512-256');
  assert.deepEqual(cs[0]?.qop, ['auth', 'auth-int']);
  assert.equal(cs[0]?.stale, true);
  assert.equal(cs[1]?.scheme, 'Basic');
  assert.equal(cs[2]?.algorithm, 'MD5', 'absent algorithm means MD5');
  assert.equal(cs[2]?.opaque, 'o');
  assert.equal(cs[2]?.stale, false);
});

test('answerChallenges answers the first supported challenge', () => {
  const { authorization, challenge } = answerChallenges(
    [
      'Digest realm="r", nonce="n", algorithm=SHA-512, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"',
    ],
    { username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:r' },
  );
  assert.equal(challenge.algorithm, 'SHA-256');
  assert.match(authorization, /algorithm=SHA-256/);
  assert.throws(() =>
    answerChallenges('Basic realm="x"', { username: 'u', password: 'p', method: 'M', uri: 'u' }),
  );
});
