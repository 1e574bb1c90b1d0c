import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  computeAllHa1,
  computeHa1,
  DIGEST_ALGORITHMS,
  digestHex,
  digestHexLength,
  ha1For,
  isDigestAlgorithm,
  nodeHashName,
  parseDigestAlgorithm,
} from '../../../src/domain/digest/digest-hash.ts';

// RFC 7616 §3.9.1 example inputs.
const MUFASA = { username: 'Mufasa', realm: 'http-auth@example.org', password: 'Circle of Life' } as const;
const NONCE = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
const CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

/** The RFC 7616 §3.4.1 request-digest, written out longhand here on top of computeHa1. */
function response(
  alg: (typeof DIGEST_ALGORITHMS)[number],
  ha1: string,
  nonce: string,
  cnonce: string,
  uri: string,
) {
  const ha2 = digestHex(alg, `GET:${uri}`);
  return digestHex(alg, `${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
}

test('algorithm list, type guard and parser', () => {
  assert.deepEqual([...DIGEST_ALGORITHMS], ['SHA-512-256', 'SHA-256', 'MD5']);
  for (const a of DIGEST_ALGORITHMS) assert.equal(isDigestAlgorithm(a), true);
  for (const v of ['md5', 'SHA256', 'SHA-512', 'MD5-sess', '', undefined, 5, null]) {
    assert.equal(isDigestAlgorithm(v), false, String(v));
  }
  assert.equal(parseDigestAlgorithm('md5'), 'MD5');
  assert.equal(parseDigestAlgorithm('sha-256'), 'SHA-256');
  assert.equal(parseDigestAlgorithm('Sha-512-256'), 'SHA-512-256');
  assert.equal(parseDigestAlgorithm('MD5-sess'), undefined);
  assert.equal(parseDigestAlgorithm('SHA-256-sess'), undefined);
  assert.equal(parseDigestAlgorithm('SHA-512'), undefined);
  assert.equal(parseDigestAlgorithm('SHA-512/256'), undefined);
  assert.equal(digestHexLength('MD5'), 32);
  assert.equal(digestHexLength('SHA-256'), 64);
  assert.equal(digestHexLength('SHA-512-256'), 64);
});

test('RFC 7616 §3.9.1 MD5 and SHA-256 responses follow from computeHa1', () => {
  const { username, realm, password } = MUFASA;
  const md5 = computeHa1('MD5', username, realm, password);
  const sha256 = computeHa1('SHA-256', username, realm, password);
  assert.equal(response('MD5', md5, NONCE, CNONCE, '/dir/index.html'), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(
    response('SHA-256', sha256, NONCE, CNONCE, '/dir/index.html'),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
});

test('SHA-512-256 is FIPS 180-4 SHA-512/256, not truncated SHA-512', () => {
  assert.equal(nodeHashName('SHA-512-256'), 'sha512-256');
  // FIPS 180-4 / NIST CSRC example: SHA-512/256("abc").
  assert.equal(
    digestHex('SHA-512-256', 'abc'),
    '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23',
  );
  const truncated = createHash('sha512').update('abc').digest('hex').slice(0, 64);
  assert.equal(truncated, 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a');
  assert.notEqual(digestHex('SHA-512-256', 'abc'), truncated);
  const { username, realm, password } = MUFASA;
  assert.notEqual(
    computeHa1('SHA-512-256', username, realm, password),
    createHash('sha512').update(`${username}:${realm}:${password}`).digest('hex').slice(0, 64),
  );
});

// RFC 7616 §3.9.2 is the RFC's only SHA-512-256 example. Its published values (userhash 488869…, response
// ae66e67d…) were produced with *truncated SHA-512*; the RFC errata replaces them with the values that real
// SHA-512/256 gives (response 3798d413…). Pin both facts, so nobody "fixes" our hash to match the original text.
test('RFC 7616 §3.9.2 SHA-512-256 example: errata value with SHA-512/256, published value only with truncated SHA-512', () => {
  const username = 'J\u00e4s\u00f8n Doe';
  const realm = 'api@example.org';
  const password = 'Secret, or not?';
  const nonce = '5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK';
  const cnonce = 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v';
  const ha1 = computeHa1('SHA-512-256', username, realm, password);
  assert.equal(ha1, '2d3d9f12c9f3d30011259dc5fecee005ae24de40e3e1f61806d03e65f1e6024f');
  assert.equal(
    response('SHA-512-256', ha1, nonce, cnonce, '/doe.json'),
    '3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5',
  );

  const t = (s: string) => createHash('sha512').update(s, 'utf8').digest('hex').slice(0, 64);
  const tHa1 = t(`${username}:${realm}:${password}`);
  const tResponse = t(`${tHa1}:${nonce}:00000001:${cnonce}:auth:${t('GET:/doe.json')}`);
  assert.equal(tResponse, 'ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd');
  assert.equal(t(`${username}:${realm}`), '488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec');
  assert.notEqual(ha1, tHa1);
});

test('RFC 7616 §3.9.1 inputs with SHA-512-256 (computed with node sha512-256, pinned)', () => {
  const { username, realm, password } = MUFASA;
  const ha1 = computeHa1('SHA-512-256', username, realm, password);
  assert.equal(ha1, 'fb174f5c3c7802721517cae13b98e2b8dae2e0118cb705d94ee29946319204ce');
  assert.equal(
    ha1,
    createHash('sha512-256').update('Mufasa:http-auth@example.org:Circle of Life').digest('hex'),
  );
  assert.equal(
    response('SHA-512-256', ha1, NONCE, CNONCE, '/dir/index.html'),
    '430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0',
  );
});

test('computeAllHa1 returns every algorithm, hashing UTF-8', () => {
  const all = computeAllHa1('J\u00e4s\u00f8n Doe', 'api@example.org', 'Secret, or not?');
  assert.deepEqual(Object.keys(all).sort(), ['md5', 'sha256', 'sha512_256']);
  assert.equal(all.md5, computeHa1('MD5', 'J\u00e4s\u00f8n Doe', 'api@example.org', 'Secret, or not?'));
  assert.equal(
    all.sha256,
    computeHa1('SHA-256', 'J\u00e4s\u00f8n Doe', 'api@example.org', 'Secret, or not?'),
  );
  assert.equal(all.sha512_256, '2d3d9f12c9f3d30011259dc5fecee005ae24de40e3e1f61806d03e65f1e6024f');
  assert.equal(
    all.md5,
    createHash('md5')
      .update(Buffer.from('J\u00e4s\u00f8n Doe:api@example.org:Secret, or not?', 'utf8'))
      .digest('hex'),
  );
  assert.match(all.md5, /^[0-9a-f]{32}$/);
  assert.match(all.sha256, /^[0-9a-f]{64}$/);
  assert.equal(ha1For(all, 'MD5'), all.md5);
  assert.equal(ha1For(all, 'SHA-256'), all.sha256);
  assert.equal(ha1For(all, 'SHA-512-256'), all.sha512_256);
  assert.equal(ha1For({ md5: all.md5 }, 'SHA-256'), undefined);
});
