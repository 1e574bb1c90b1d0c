import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeAllHa1, type DigestAlgorithm, type Ha1Set } from '../../../src/domain/digest/digest-hash.ts';
import { buildChallenges } from '../../../src/sip/auth/challenge.ts';
import { createNonce } from '../../../src/sip/auth/nonce.ts';
import {
  type AuthParams,
  type DigestVerifierConfig,
  type DigestVerifyRequest,
  type NonceCounter,
  verifyDigest,
} from '../../../src/sip/auth/verify.ts';
import { createNonceTableMemory, NonceTable } from '../../../src/state/nonce-table.ts';
import {
  answerChallenges,
  buildAuthorization,
  type DigestInput,
  parseAuthorization,
} from '../../helpers/digest-uac.ts';

const SECRET = 'test-cluster-secret-0123456789-0123456789';
const REALM = 'sip.example.com';
const URI = 'sip:+15551234567@sip.example.com';
const ALL: readonly DigestAlgorithm[] = ['SHA-512-256', 'SHA-256', 'MD5'];
const T0 = 1_750_000_000_000;
const TTL = 300;

const USERS: Record<string, Partial<Ha1Set>> = {
  alice: computeAllHa1('alice', REALM, 'Correct-Horse-9'),
  legacy: { md5: computeAllHa1('legacy', REALM, 'Legacy-Pass-99').md5 },
};

const NODE = 0x5eed0001;

/** This node's nonce table (the real shared-memory one), tagged with its node id. */
function nonceTable(slots = 1024): NonceCounter & { issue(): number } {
  const t = new NonceTable(createNonceTableMemory({ slots }), { slots });
  return { nodeId: NODE, check: (seq, nc) => t.check(seq, nc), issue: () => t.issue() };
}

function harness(opts: { table?: ReturnType<typeof nonceTable> } = {}) {
  const clock = { now: T0 };
  const table = opts.table ?? nonceTable();
  const config: DigestVerifierConfig = {
    secrets: SECRET,
    nonceTtlSeconds: TTL,
    nonceCounts: table,
    lookup: (u) => (Object.hasOwn(USERS, u) ? USERS[u] : undefined),
    now: () => clock.now,
  };
  const nonce = (realm = REALM, nodeId = NODE) =>
    createNonce(SECRET, clock.now, realm, { nodeId, seq: table.issue() });
  const verify = (params: AuthParams | undefined, over: Partial<DigestVerifyRequest> = {}) =>
    verifyDigest(config, {
      params,
      method: 'INVITE',
      realm: REALM,
      algorithms: ALL,
      uriPolicy: { kind: 'exact', uri: URI },
      ...over,
    });
  return { clock, config, nonce, verify };
}

function creds(over: Partial<DigestInput> & { nonce: string }): DigestInput {
  return {
    username: 'alice',
    password: 'Correct-Horse-9',
    realm: REALM,
    algorithm: 'SHA-256',
    method: 'INVITE',
    uri: URI,
    nc: 1,
    cnonce: 'c-nonce-0a1b2c',
    ...over,
  };
}

const auth = (input: DigestInput) => parseAuthorization(buildAuthorization(input));

test('accepts what the test UAC builds, for every algorithm', async () => {
  const { nonce, verify } = harness();
  for (const algorithm of ALL) {
    const r = await verify(auth(creds({ nonce: nonce(), algorithm })));
    assert.deepEqual(r, { kind: 'ok', username: 'alice', algorithm });
  }
});

test('full round trip: challenge → UAC answer → verify', async () => {
  const { nonce, verify } = harness();
  for (const offered of [ALL, ['SHA-256', 'MD5'], ['MD5']] as const) {
    const challenges = buildChallenges({ realm: REALM, nonce: nonce(), opaque: 'op', algorithms: offered });
    const { authorization, challenge } = answerChallenges(challenges, {
      username: 'alice',
      password: 'Correct-Horse-9',
      method: 'REGISTER',
      uri: 'sip:sip.example.com',
    });
    assert.equal(challenge.algorithm, offered[0]);
    const r = await verify(parseAuthorization(authorization), {
      method: 'REGISTER',
      algorithms: offered,
      uriPolicy: { kind: 'exact', uri: 'sip:sip.example.com' },
      opaque: 'op',
    });
    assert.deepEqual(r, { kind: 'ok', username: 'alice', algorithm: offered[0] });
  }
});

test('Map params, upper-case response hex and lower-case algorithm name are accepted', async () => {
  const { nonce, verify } = harness();
  const p = auth(creds({ nonce: nonce(), algorithm: 'SHA-512-256' }));
  assert.equal((await verify(new Map(Object.entries(p)))).kind, 'ok');
  const q = auth(creds({ nonce: nonce() }));
  assert.equal((await verify({ ...q, response: q['response']!.toUpperCase() })).kind, 'ok');
  const m = auth(creds({ nonce: nonce(), algorithm: 'MD5' }));
  assert.equal((await verify({ ...m, algorithm: 'md5' })).kind, 'ok');
});

test('absent algorithm means MD5 (RFC 7616 §3.4): ok if MD5 offered, algorithm_not_offered otherwise', async () => {
  const { nonce, verify } = harness();
  const p = auth(creds({ nonce: nonce(), algorithm: 'MD5', omitAlgorithm: true }));
  assert.equal(p['algorithm'], undefined);
  assert.equal((await verify(p)).kind, 'ok');
  const p2 = auth(creds({ nonce: nonce(), algorithm: 'MD5', omitAlgorithm: true }));
  assert.equal((await verify(p2, { algorithms: ['SHA-256'] })).kind, 'algorithm_not_offered');
});

test('wrong password and unknown user give the same outcome kind', async () => {
  const { nonce, verify } = harness();
  for (const algorithm of ALL) {
    const wrong = await verify(auth(creds({ nonce: nonce(), algorithm, password: 'Wrong-Horse-9' })));
    const unknown = await verify(auth(creds({ nonce: nonce(), algorithm, username: 'mallory' })));
    assert.deepEqual(wrong, { kind: 'bad_digest', username: 'alice' });
    assert.deepEqual(unknown, { kind: 'bad_digest', username: 'mallory' });
  }
  // A user without an HA1 for the chosen algorithm fails the same way.
  const legacy = { username: 'legacy', password: 'Legacy-Pass-99' };
  assert.equal((await verify(auth(creds({ nonce: nonce(), ...legacy, algorithm: 'MD5' })))).kind, 'ok');
  assert.equal(
    (await verify(auth(creds({ nonce: nonce(), ...legacy, algorithm: 'SHA-256' })))).kind,
    'bad_digest',
  );
});

test('digest is bound to method, uri, cnonce and nc', async () => {
  const { nonce, verify } = harness();
  const p = auth(creds({ nonce: nonce(), method: 'REGISTER' }));
  assert.equal((await verify(p)).kind, 'bad_digest', 'REGISTER credentials replayed on INVITE');
  const q = auth(creds({ nonce: nonce() }));
  assert.equal((await verify({ ...q, cnonce: 'other' })).kind, 'bad_digest');
  assert.equal((await verify({ ...q, nc: '00000002' })).kind, 'bad_digest');
  const other = 'sip:+15550000000@sip.example.com';
  const r = auth(creds({ nonce: nonce(), uri: other }));
  assert.equal((await verify(r, { uriPolicy: { kind: 'exact', uri: other } })).kind, 'ok');
});

test('tampered, foreign and other-realm nonces → invalid_nonce (even with a matching digest)', async () => {
  const { nonce, verify } = harness();
  const good = nonce();
  const tampered = good.slice(0, 10) + (good[10] === 'A' ? 'B' : 'A') + good.slice(11);
  assert.equal((await verify(auth(creds({ nonce: tampered })))).kind, 'invalid_nonce');
  const foreign = createNonce('some-other-secret-0123456789-0123456789', T0);
  assert.equal((await verify(auth(creds({ nonce: foreign })))).kind, 'invalid_nonce');
  assert.equal((await verify(auth(creds({ nonce: nonce('other.example.com') })))).kind, 'invalid_nonce');
  assert.equal(
    (await verify(auth(creds({ nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093' })))).kind,
    'invalid_nonce',
  );
});

test('expired nonce: right digest → stale; wrong digest or unknown user → bad_digest, never stale', async () => {
  const { clock, nonce, verify } = harness();
  const n = nonce();
  clock.now += TTL * 1000 + 1;
  assert.deepEqual(await verify(auth(creds({ nonce: n }))), { kind: 'stale', username: 'alice' });
  assert.deepEqual(await verify(auth(creds({ nonce: n, password: 'Wrong-Horse-9' }))), {
    kind: 'bad_digest',
    username: 'alice',
  });
  assert.equal((await verify(auth(creds({ nonce: n, username: 'mallory' })))).kind, 'bad_digest');
  // Just inside the lifetime it is still ok.
  const m = nonce();
  clock.now += TTL * 1000;
  assert.equal((await verify(auth(creds({ nonce: m })))).kind, 'ok');
});

test('replayed nc → replay; later and in-window out-of-order nc → ok', async () => {
  const { nonce, verify } = harness();
  const n = nonce();
  assert.equal((await verify(auth(creds({ nonce: n, nc: 1 })))).kind, 'ok');
  assert.deepEqual(await verify(auth(creds({ nonce: n, nc: 1 }))), { kind: 'replay', username: 'alice' });
  assert.equal((await verify(auth(creds({ nonce: n, nc: 3 })))).kind, 'ok');
  assert.equal((await verify(auth(creds({ nonce: n, nc: 2 })))).kind, 'ok', 'UDP reordering');
  assert.equal((await verify(auth(creds({ nonce: n, nc: 2 })))).kind, 'replay');
  assert.equal((await verify(auth(creds({ nonce: n, nc: 200 })))).kind, 'ok');
  assert.equal((await verify(auth(creds({ nonce: n, nc: 100 })))).kind, 'replay', 'older than the window');
  // A new nonce starts a new count.
  assert.equal((await verify(auth(creds({ nonce: nonce(), nc: 1 })))).kind, 'ok');
});

test("node-local nonces: another node's (or a restarted node's) nonce and a reissued slot → stale", () => {
  const table = nonceTable(2);
  const { nonce, verify } = harness({ table });
  // Right digest on a nonce this node did not issue in this run: stale, so the UAC retries at once.
  const foreign = nonce(REALM, NODE + 1);
  assert.deepEqual(verify(auth(creds({ nonce: foreign }))), { kind: 'stale', username: 'alice' });
  // Wrong digest on it: an ordinary failure, never stale.
  assert.equal(verify(auth(creds({ nonce: foreign, password: 'Wrong-Horse-9' }))).kind, 'bad_digest');
  const old = nonce();
  assert.equal(verify(auth(creds({ nonce: old }))).kind, 'ok');
  nonce();
  nonce(); // two slots: `old`'s slot now belongs to a newer nonce
  assert.deepEqual(verify(auth(creds({ nonce: old, nc: 2 }))), { kind: 'stale', username: 'alice' });
});

test('failed digests do not consume nonce counts (a sniffed nonce cannot be burnt)', async () => {
  const { nonce, verify } = harness();
  const n = nonce();
  assert.equal(
    (await verify(auth(creds({ nonce: n, nc: 5, password: 'Wrong-Horse-9' })))).kind,
    'bad_digest',
  );
  assert.equal((await verify(auth(creds({ nonce: n, nc: 5, username: 'mallory' })))).kind, 'bad_digest');
  assert.equal((await verify(auth(creds({ nonce: n, nc: 5 })))).kind, 'ok');
});

test('wrong realm → realm_mismatch', async () => {
  const { nonce, verify } = harness();
  const p = auth(creds({ nonce: nonce(), realm: 'other.example.com' }));
  assert.equal((await verify(p)).kind, 'realm_mismatch');
  const q = auth(creds({ nonce: nonce(), realm: 'SIP.EXAMPLE.COM' }));
  assert.equal((await verify(q)).kind, 'realm_mismatch', 'realm comparison is case-sensitive');
});

test('algorithm not offered, unknown, or -sess → algorithm_not_offered; wrong response length → malformed', async () => {
  const { nonce, verify } = harness();
  const md5 = auth(creds({ nonce: nonce(), algorithm: 'MD5' }));
  assert.equal((await verify(md5, { algorithms: ['SHA-512-256', 'SHA-256'] })).kind, 'algorithm_not_offered');
  for (const algorithm of ['MD5-sess', 'SHA-256-sess', 'SHA-512', 'AKAv1-MD5']) {
    assert.equal((await verify({ ...md5, algorithm })).kind, 'algorithm_not_offered', algorithm);
  }
  assert.deepEqual(await verify({ ...md5, algorithm: 'SHA-256' }), { kind: 'malformed', reason: 'response' });
});

test('qop is required and must be auth (no RFC 2069 fallback, no auth-int)', async () => {
  const { nonce, verify } = harness();
  const rfc2069 = auth(creds({ nonce: nonce(), qop: null }));
  assert.deepEqual(await verify(rfc2069), { kind: 'malformed', reason: 'qop' });
  const p = auth(creds({ nonce: nonce() }));
  const { qop: _drop, ...noQop } = p;
  assert.deepEqual(await verify(noQop), { kind: 'malformed', reason: 'qop' });
  assert.deepEqual(await verify({ ...p, qop: 'auth-int' }), { kind: 'malformed', reason: 'qop' });
  assert.deepEqual(await verify({ ...p, qop: 'auth,auth-int' }), { kind: 'malformed', reason: 'qop' });
  // qop value is case-insensitive and hashed as sent.
  assert.equal((await verify(auth(creds({ nonce: nonce(), qop: 'AUTH' })))).kind, 'ok');
});

test('malformed parameters', async () => {
  const { nonce, verify } = harness();
  const base = auth(creds({ nonce: nonce() }));
  const cases: [string, Record<string, string | undefined>][] = [
    ['username', { username: undefined }],
    ['username', { username: '' }],
    ['username', { username: 'al\u0000ice' }],
    ['username', { username: 'al\r\nice' }],
    ['username', { username: 'a'.repeat(257) }],
    ['username*', { 'username*': "UTF-8''J%C3%A4s%C3%B8n%20Doe" }],
    ['userhash', { userhash: 'true' }],
    ['realm', { realm: undefined }],
    ['realm', { realm: 'sip.example.com\n' }],
    ['nonce', { nonce: undefined }],
    ['nonce', { nonce: '' }],
    ['nonce', { nonce: 'x'.repeat(1000) }],
    ['uri', { uri: undefined }],
    ['uri', { uri: '' }],
    ['uri', { uri: 'sip:a b@example.com' }],
    ['uri', { uri: `sip:${'a'.repeat(3000)}` }],
    ['response', { response: undefined }],
    ['response', { response: '' }],
    ['response', { response: 'zz'.repeat(32) }],
    ['response', { response: `${'0'.repeat(63)}g` }],
    ['response', { response: '0'.repeat(63) }],
    ['response', { response: '0'.repeat(130) }],
    ['cnonce', { cnonce: undefined }],
    ['cnonce', { cnonce: '' }],
    ['nc', { nc: undefined }],
    ['nc', { nc: '1' }],
    ['nc', { nc: '0000001' }],
    ['nc', { nc: '000000001' }],
    ['nc', { nc: '0000000g' }],
    ['nc', { nc: '00000000' }],
    ['nc', { nc: '-0000001' }],
    ['opaque', { opaque: 'o\u0007' }],
    ['algorithm', { algorithm: '' }],
    ['algorithm', { algorithm: 'x'.repeat(33) }],
  ];
  for (const [reason, patch] of cases) {
    const p: Record<string, string> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete p[k];
      else p[k] = v;
    }
    assert.deepEqual(await verify(p), { kind: 'malformed', reason }, `${reason}: ${JSON.stringify(patch)}`);
  }
  // userhash=false is harmless; unknown extension params are ignored (RFC 3261 §25.1 auth-param).
  assert.equal((await verify({ ...base, userhash: 'false', 'x-ext': 'whatever' })).kind, 'ok');
});

test('no credentials → missing', async () => {
  const { verify } = harness();
  assert.deepEqual(await verify(undefined), { kind: 'missing' });
  assert.deepEqual(await verify({}), { kind: 'missing' });
  assert.deepEqual(await verify(new Map()), { kind: 'missing' });
});

test('request-URI policy: exact, any, custom', async () => {
  const { nonce, verify } = harness();
  const p = auth(creds({ nonce: nonce(), uri: 'sip:+15551234567@10.0.0.1' }));
  assert.equal((await verify(p)).kind, 'uri_mismatch');
  assert.equal(
    (await verify(p, { uriPolicy: { kind: 'custom', check: (u) => u.endsWith('@10.0.0.2') } })).kind,
    'uri_mismatch',
  );
  assert.equal(
    (await verify(p, { uriPolicy: { kind: 'custom', check: (u) => u.endsWith('@10.0.0.1') } })).kind,
    'ok',
  );
  const q = auth(creds({ nonce: nonce(), uri: 'sip:anything@example.net' }));
  assert.equal((await verify(q, { uriPolicy: { kind: 'any' } })).kind, 'ok');
});

test('opaque: when we sent one, it must come back unchanged', async () => {
  const { nonce, verify } = harness();
  assert.equal(
    (await verify(auth(creds({ nonce: nonce(), opaque: 'op-1' })), { opaque: 'op-1' })).kind,
    'ok',
  );
  assert.equal(
    (await verify(auth(creds({ nonce: nonce(), opaque: 'op-2' })), { opaque: 'op-1' })).kind,
    'invalid_nonce',
  );
  assert.equal((await verify(auth(creds({ nonce: nonce() })), { opaque: 'op-1' })).kind, 'invalid_nonce');
  // Not configured: an echoed opaque is ignored.
  assert.equal((await verify(auth(creds({ nonce: nonce(), opaque: 'whatever' })))).kind, 'ok');
});

test('outcome order: realm and algorithm are judged before the nonce', async () => {
  const { nonce, verify } = harness();
  const p = auth(creds({ nonce: 'bogus', realm: 'other.example.com' }));
  assert.equal((await verify(p)).kind, 'realm_mismatch');
  const q = auth(creds({ nonce: 'bogus', algorithm: 'MD5' }));
  assert.equal((await verify(q, { algorithms: ['SHA-256'] })).kind, 'algorithm_not_offered');
  assert.equal((await verify(auth(creds({ nonce: nonce(), password: 'x' })))).kind, 'bad_digest');
});
