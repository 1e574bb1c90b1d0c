import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { Keyring } from '../../../src/domain/secrets/keyring.ts';
import {
  formatSealed,
  NoEncryptionKeyError,
  parseSealed,
  SecretBox,
  type SecretContext,
  sealedKeyId,
} from '../../../src/domain/secrets/secret-box.ts';

const K1 = { id: 'k1', key: randomBytes(32) };
const K2 = { id: 'k2', key: randomBytes(32) };
const CTX: SecretContext = { purpose: 'provider_credentials.auth_password', ids: ['MAORG', 'cred-1'] };
const SECRET = 'Pr0vider-Secret!';

function box(...keys: { id: string; key: Buffer }[]): SecretBox {
  return new SecretBox(new Keyring(keys));
}

/** Flips one bit of one byte of a base64url part and re-encodes it canonically. */
function flip(b: Buffer, index: number): Buffer {
  const copy = Buffer.from(b);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

function failureKind(outcome: ReturnType<SecretBox['open']>): string {
  assert.notEqual(outcome.kind, 'ok', 'a tampered value must not open');
  assert.ok(!JSON.stringify(outcome).includes(SECRET), 'a failure never carries the plaintext');
  return outcome.kind;
}

describe('SecretBox: AES-256-GCM sealing', () => {
  test('round-trips text of every kind, including 64 characters and non-ASCII', () => {
    const b = box(K1);
    for (const p of [SECRET, 'x'.repeat(64), 'pässwörd-密码-🔑', ' ', 'a']) {
      const sealed = b.seal(p, CTX);
      assert.deepEqual(b.open(sealed, CTX), { kind: 'ok', plaintext: p, keyId: 'k1' });
    }
  });

  test('the sealed value is v1.<keyId>.<96-bit nonce>.<ciphertext‖128-bit tag> and hides the plaintext', () => {
    const sealed = box(K1).seal(SECRET, CTX);
    assert.match(sealed, /^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    const parsed = parseSealed(sealed)!;
    assert.equal(parsed.nonce.length, 12);
    assert.equal(parsed.tag.length, 16);
    assert.equal(parsed.ciphertext.length, Buffer.byteLength(SECRET));
    assert.ok(!sealed.includes(SECRET));
    assert.ok(!parsed.ciphertext.equals(Buffer.from(SECRET)));
    assert.equal(sealedKeyId(sealed), 'k1');
  });

  test('every seal uses a fresh nonce: the same plaintext never seals to the same value', () => {
    const b = box(K1);
    const nonces = new Set<string>();
    const values = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const s = b.seal(SECRET, CTX);
      values.add(s);
      nonces.add(parseSealed(s)!.nonce.toString('hex'));
    }
    assert.equal(values.size, 200);
    assert.equal(nonces.size, 200);
  });

  test('tampering with the ciphertext fails closed', () => {
    const b = box(K1);
    const p = parseSealed(b.seal(SECRET, CTX))!;
    for (let i = 0; i < p.ciphertext.length; i++) {
      assert.equal(
        failureKind(b.open(formatSealed({ ...p, ciphertext: flip(p.ciphertext, i) }), CTX)),
        'authentication_failed',
      );
    }
    // Dropping or adding a byte also fails.
    assert.equal(
      failureKind(b.open(formatSealed({ ...p, ciphertext: p.ciphertext.subarray(1) }), CTX)),
      'authentication_failed',
    );
    assert.equal(
      failureKind(
        b.open(formatSealed({ ...p, ciphertext: Buffer.concat([p.ciphertext, Buffer.from([0])]) }), CTX),
      ),
      'authentication_failed',
    );
  });

  test('tampering with the nonce fails closed', () => {
    const b = box(K1);
    const p = parseSealed(b.seal(SECRET, CTX))!;
    for (let i = 0; i < 12; i++) {
      assert.equal(
        failureKind(b.open(formatSealed({ ...p, nonce: flip(p.nonce, i) }), CTX)),
        'authentication_failed',
      );
    }
    // A nonce of the wrong length is not a v1 value at all.
    assert.equal(failureKind(b.open(formatSealed({ ...p, nonce: p.nonce.subarray(1) }), CTX)), 'malformed');
  });

  test('tampering with or truncating the tag fails closed', () => {
    const b = box(K1);
    const p = parseSealed(b.seal(SECRET, CTX))!;
    for (let i = 0; i < 16; i++) {
      assert.equal(
        failureKind(b.open(formatSealed({ ...p, tag: flip(p.tag, i) }), CTX)),
        'authentication_failed',
      );
    }
    const sealed = b.seal(SECRET, CTX);
    const body = Buffer.from(sealed.split('.')[3]!, 'base64url');
    const head = sealed.split('.').slice(0, 3).join('.');
    // A truncated tag: Node would accept a short tag unless its length is pinned.
    assert.equal(
      failureKind(b.open(`${head}.${body.subarray(0, body.length - 4).toString('base64url')}`, CTX)),
      'authentication_failed',
    );
    // Shorter than a tag: malformed.
    assert.equal(
      failureKind(b.open(`${head}.${body.subarray(0, 15).toString('base64url')}`, CTX)),
      'malformed',
    );
  });

  test('changing the key id fails closed: to another configured key, or to an unknown one', () => {
    const b = box(K2, K1);
    const underK2 = b.seal(SECRET, CTX);
    assert.equal(sealedKeyId(underK2), 'k2');
    const p = parseSealed(underK2)!;
    assert.equal(failureKind(b.open(formatSealed({ ...p, keyId: 'k1' }), CTX)), 'authentication_failed');
    assert.deepEqual(b.open(formatSealed({ ...p, keyId: 'k9' }), CTX), { kind: 'unknown_key', keyId: 'k9' });
  });

  test('the same key id with different key bytes fails closed', () => {
    const sealed = box(K1).seal(SECRET, CTX);
    assert.equal(
      failureKind(box({ id: 'k1', key: randomBytes(32) }).open(sealed, CTX)),
      'authentication_failed',
    );
  });

  test('the associated data binds purpose, account and row: another row’s ciphertext does not open', () => {
    const b = box(K1);
    const sealed = b.seal(SECRET, CTX);
    const others: SecretContext[] = [
      { purpose: CTX.purpose, ids: ['MAORG', 'cred-2'] },
      { purpose: CTX.purpose, ids: ['MAOTHER', 'cred-1'] },
      { purpose: CTX.purpose, ids: ['cred-1', 'MAORG'] },
      { purpose: CTX.purpose, ids: ['MAORG'] },
      { purpose: CTX.purpose, ids: ['MAORG', 'cred-1', 'x'] },
      { purpose: 'some_other_table.secret', ids: CTX.ids },
      // No ambiguity from joining: ["MAORG","cred-1"] is not ["MAORGc","red-1"].
      { purpose: CTX.purpose, ids: ['MAORGc', 'red-1'] },
    ];
    for (const ctx of others)
      assert.equal(failureKind(b.open(sealed, ctx)), 'authentication_failed', JSON.stringify(ctx));
  });

  test('malformed values fail closed', () => {
    const b = box(K1);
    const good = b.seal(SECRET, CTX);
    const bad = [
      '',
      'v1',
      'v1.k1',
      'v1.k1.abc',
      good.replace(/^v1/, 'v2'),
      good.replace('.k1.', '..'),
      `${good}=`, // padding is not canonical base64url
      good.replace(/\.([A-Za-z0-9_-]+)$/, '.$1+'), // not base64url
      SECRET,
    ];
    for (const v of bad) assert.equal(failureKind(b.open(v, CTX)), 'malformed', v);
  });

  test('key ids may contain dots', () => {
    const b = box({ id: 'key.2024-06', key: randomBytes(32) });
    const sealed = b.seal(SECRET, CTX);
    assert.equal(sealedKeyId(sealed), 'key.2024-06');
    assert.equal(b.open(sealed, CTX).kind, 'ok');
  });
});

describe('Keyring: the newest key encrypts, every configured key decrypts', () => {
  test('values sealed under an older key still open; new values use the newest', () => {
    const old = box(K1).seal(SECRET, CTX);
    const both = box(K2, K1);
    assert.equal(both.currentKeyId, 'k2');
    assert.deepEqual(both.open(old, CTX), { kind: 'ok', plaintext: SECRET, keyId: 'k1' });
    assert.equal(sealedKeyId(both.seal(SECRET, CTX)), 'k2');
    // Dropping k1 makes old values unknown_key, never garbage.
    assert.deepEqual(box(K2).open(old, CTX), { kind: 'unknown_key', keyId: 'k1' });
  });

  test('reseal moves a value to the newest key and leaves current ones alone', () => {
    const old = box(K1).seal(SECRET, CTX);
    const both = box(K2, K1);
    const r = both.reseal(old, CTX);
    assert.equal(r.kind, 'resealed');
    if (r.kind !== 'resealed') return;
    assert.equal(r.fromKeyId, 'k1');
    assert.equal(sealedKeyId(r.sealed), 'k2');
    assert.deepEqual(box(K2).open(r.sealed, CTX), { kind: 'ok', plaintext: SECRET, keyId: 'k2' });
    assert.deepEqual(both.reseal(r.sealed, CTX), { kind: 'unchanged' });
    assert.equal(both.reseal(`${old}x`, CTX).kind, 'authentication_failed');
  });

  test('with no key configured nothing can be sealed', () => {
    const none = box();
    assert.equal(none.canSeal, false);
    assert.equal(none.currentKeyId, undefined);
    assert.throws(() => none.seal(SECRET, CTX), NoEncryptionKeyError);
    assert.deepEqual(none.open(box(K1).seal(SECRET, CTX), CTX), { kind: 'unknown_key', keyId: 'k1' });
  });

  test('refuses keys that are not 32 bytes and repeated ids', () => {
    assert.throws(() => new Keyring([{ id: 'k1', key: randomBytes(16) }]), /32 bytes/);
    assert.throws(() => new Keyring([K1, { id: 'k1', key: randomBytes(32) }]), /repeated/);
  });

  test('built from TRUNKGATE_SECRET_KEYS: listed newest first', () => {
    const config = loadConfig({
      TRUNKGATE_SECRET_KEYS: `k2:${K2.key.toString('base64')},k1:${K1.key.toString('base64')}`,
    });
    const keyring = new Keyring(config.secretKeys);
    assert.deepEqual(keyring.ids, ['k2', 'k1']);
    assert.equal(keyring.current?.id, 'k2');
    const single = new Keyring(loadConfig({ TRUNKGATE_SECRET_KEY: K1.key.toString('base64') }).secretKeys);
    assert.deepEqual(single.ids, ['k1']);
  });
});
