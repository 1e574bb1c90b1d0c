// The edge's digest client (src/sip/auth/uac-digest.ts): RFC 7616 §3.9 vectors, the edge's own
// verifier (src/sip/auth/verify.ts) as the server, and the independent test UAC as a cross-check.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeAllHa1, type DigestAlgorithm } from '../../../src/domain/digest/digest-hash.ts';
import { buildChallenges } from '../../../src/sip/auth/challenge.ts';
import { createNonce } from '../../../src/sip/auth/nonce.ts';
import { MemoryNonceCountStore } from '../../../src/sip/auth/nonce-count.ts';
import {
  authorizationHeaderName,
  buildUacAuthorization,
  parseUacChallenge,
  selectUacChallenge,
  type UacDigestChallenge,
} from '../../../src/sip/auth/uac-digest.ts';
import { verifyDigest } from '../../../src/sip/auth/verify.ts';
import { parseAuthHeader } from '../../../src/sip/parser/auth-header.ts';
import { buildAuthorization, computeResponse, h } from '../../helpers/digest-uac.ts';

const RFC = {
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  username: 'Mufasa',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
};

/** The §3.9.1 challenge, as the RFC prints it (qop offers auth and auth-int). */
function rfcChallenge(algorithm: string): UacDigestChallenge {
  const c = parseUacChallenge(
    `Digest realm="${RFC.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${RFC.nonce}", opaque="${RFC.opaque}"`,
  );
  assert.ok(c.ok, c.ok ? '' : c.reason);
  return c.ok ? c.value : (undefined as never);
}

function build(
  challenge: UacDigestChallenge,
  over: Partial<Parameters<typeof buildUacAuthorization>[1]> = {},
) {
  const r = buildUacAuthorization(challenge, {
    username: RFC.username,
    password: RFC.password,
    method: RFC.method,
    uri: RFC.uri,
    nc: 1,
    cnonce: RFC.cnonce,
    ...over,
  });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.ok ? r.value : '';
}

function params(value: string): ReadonlyMap<string, string> {
  const p = parseAuthHeader(value);
  assert.ok(p.ok);
  return p.ok ? p.value.params : new Map();
}

describe('UAC digest (RFC 7616 §3.4, RFC 8760)', () => {
  test('RFC 7616 §3.9.1: MD5 and SHA-256 responses, quoted/unquoted as §3.4 prints them', () => {
    const md5 = build(rfcChallenge('MD5'));
    assert.equal(
      md5,
      `Digest username="Mufasa", realm="${RFC.realm}", nonce="${RFC.nonce}", uri="/dir/index.html", ` +
        `response="8ca523f5e9506fed4657c9700eebdbec", algorithm=MD5, cnonce="${RFC.cnonce}", qop=auth, ` +
        `nc=00000001, opaque="${RFC.opaque}"`,
    );
    assert.equal(
      params(build(rfcChallenge('SHA-256'))).get('response'),
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
    // The same inputs with SHA-512/256 (FIPS 180-4), pinned in test/unit/domain/digest-hash.test.ts too.
    assert.equal(
      params(build(rfcChallenge('SHA-512-256'))).get('response'),
      '430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0',
    );
  });

  test('RFC 7616 §3.9.2 (errata values): SHA-512-256 with userhash', () => {
    const c = parseUacChallenge(
      'Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, ' +
        'nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", ' +
        'opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true',
    );
    assert.ok(c.ok);
    if (!c.ok) return;
    assert.equal(c.value.userhash, true);
    const p = params(
      build(c.value, {
        username: 'J\u00e4s\u00f8n Doe',
        password: 'Secret, or not?',
        uri: '/doe.json',
        cnonce: 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v',
      }),
    );
    assert.equal(p.get('response'), '3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5');
    assert.equal(p.get('username'), '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b');
    assert.equal(p.get('userhash'), 'true');
  });

  test("the edge's own verifier accepts the answer to its challenge, for every algorithm", async () => {
    const secret = 'uac-digest-test-secret-0123456789abcdef';
    const realm = 'carrier.example.net';
    const now = 1_750_000_000_000;
    const ha1 = computeAllHa1('trunk-7', realm, 'Carrier-Pass-42');
    const nonceCounts = new MemoryNonceCountStore({ now: () => now });
    const config = {
      secrets: secret,
      nonceTtlSeconds: 300,
      nonceCounts,
      lookup: (u: string) => (u === 'trunk-7' ? ha1 : undefined),
      now: () => now,
    };
    const uri = 'sip:+15551230000@carrier.example.net';
    for (const algorithm of ['SHA-512-256', 'SHA-256', 'MD5'] as const satisfies readonly DigestAlgorithm[]) {
      const challenges = buildChallenges({
        realm,
        nonce: createNonce(secret, now, realm),
        algorithms: [algorithm],
        opaque: 'op4que',
      });
      const chosen = selectUacChallenge(challenges);
      assert.ok(chosen.ok);
      if (!chosen.ok) return;
      const verify = async (password: string, nc: number) => {
        const value = buildUacAuthorization(chosen.value, {
          username: 'trunk-7',
          password,
          method: 'INVITE',
          uri,
          nc,
        });
        assert.ok(value.ok);
        return verifyDigest(config, {
          params: value.ok ? params(value.value) : undefined,
          method: 'INVITE',
          realm,
          algorithms: [algorithm],
          uriPolicy: { kind: 'exact', uri },
          opaque: 'op4que',
        });
      };
      assert.deepEqual(await verify('Carrier-Pass-42', 1), { kind: 'ok', username: 'trunk-7', algorithm });
      assert.deepEqual(await verify('Carrier-Pass-42', 2), { kind: 'ok', username: 'trunk-7', algorithm });
      assert.deepEqual(await verify('Carrier-Pass-42', 2), { kind: 'replay', username: 'trunk-7' });
      assert.deepEqual(await verify('wrong-password-1', 3), { kind: 'bad_digest', username: 'trunk-7' });
    }
  });

  test('matches the independent test UAC (test/helpers/digest-uac.ts) byte for byte', () => {
    for (const algorithm of ['MD5', 'SHA-256', 'SHA-512-256'] as const) {
      const ours = build(rfcChallenge(algorithm), { nc: 0x2a });
      const theirs = buildAuthorization({ ...RFC, algorithm, nc: 0x2a, opaque: RFC.opaque });
      assert.equal(ours, theirs);
    }
  });

  test('a challenge without qop gets the RFC 2069 response and no cnonce, nc or qop', () => {
    const c = parseUacChallenge(`Digest realm="${RFC.realm}", nonce="${RFC.nonce}"`);
    assert.ok(c.ok);
    if (!c.ok) return;
    assert.equal(c.value.algorithm, 'MD5', 'absent algorithm means MD5 (RFC 7616 §3.3)');
    const p = params(build(c.value));
    assert.equal(p.get('response'), computeResponse({ ...RFC, algorithm: 'MD5', qop: null }));
    for (const name of ['cnonce', 'nc', 'qop', 'opaque']) assert.equal(p.has(name), false, name);
  });

  test('-sess algorithms bind HA1 to nonce and cnonce (RFC 7616 §3.4.2); without qop they are refused', () => {
    const c = rfcChallenge('SHA-256-sess');
    assert.equal(c.session, true);
    const value = build(c);
    const ha1 = h(
      'SHA-256',
      `${h('SHA-256', `${RFC.username}:${RFC.realm}:${RFC.password}`)}:${RFC.nonce}:${RFC.cnonce}`,
    );
    const expected = h(
      'SHA-256',
      `${ha1}:${RFC.nonce}:00000001:${RFC.cnonce}:auth:${h('SHA-256', `GET:${RFC.uri}`)}`,
    );
    assert.equal(params(value).get('response'), expected);
    assert.match(value, /, algorithm=SHA-256-sess,/);
    assert.equal(parseUacChallenge(`Digest realm="r", nonce="n", algorithm=MD5-sess`).ok, false);
  });

  test('selects the first challenge it can answer, in the order received (RFC 8760 §2.4)', () => {
    const picked = selectUacChallenge([
      'Basic realm="x"',
      'Digest realm="r", nonce="n1", algorithm=SHA-512-256, qop="auth-int"',
      'Digest realm="r", nonce="n2", algorithm=SHA3-256, qop="auth"',
      'Digest realm="r", nonce="n3", algorithm=SHA-256, qop="auth", stale=TRUE',
      'Digest realm="r", nonce="n4", algorithm=MD5, qop="auth"',
    ]);
    assert.ok(picked.ok);
    assert.equal(picked.ok && picked.value.nonce, 'n3');
    assert.equal(picked.ok && picked.value.stale, true);
    const none = selectUacChallenge(['Basic realm="x"', 'Digest realm="r"']);
    assert.equal(none.ok, false);
    assert.match(none.ok ? '' : none.reason, /not Digest.*without nonce/);
  });

  test('quoted-strings escape " and \\ and refuse CR/LF; the header parser reads the values back', () => {
    const c = rfcChallenge('SHA-256');
    const p = params(build(c, { username: 'od"d\\user' }));
    assert.equal(p.get('username'), 'od"d\\user');
    assert.equal(
      buildUacAuthorization(c, { username: 'a\r\nX: y', password: 'p', method: 'INVITE', uri: 'sip:a@b' }).ok,
      false,
    );
    assert.equal(
      buildUacAuthorization(c, { username: 'a', password: 'p', method: 'INVITE', uri: 'sip:a@b', nc: 0 }).ok,
      false,
    );
  });

  test('401 is answered with Authorization, 407 with Proxy-Authorization (RFC 3261 §22.2, §22.3)', () => {
    assert.equal(authorizationHeaderName(401), 'Authorization');
    assert.equal(authorizationHeaderName(407), 'Proxy-Authorization');
  });
});
