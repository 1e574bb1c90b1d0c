import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAuthorization } from '../../../src/api/basic-auth.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseAuthorization: Basic', () => {
  test('splits user and password at the first colon', () => {
    assert.deepEqual(parseAuthorization(`Basic ${b64('MAXXXXXXXXXXXXXXXXXX:tok')}`), {
      scheme: 'basic',
      user: 'MAXXXXXXXXXXXXXXXXXX',
      password: 'tok',
    });
    assert.deepEqual(parseAuthorization(`Basic ${b64('u:pa:ss:')}`), {
      scheme: 'basic',
      user: 'u',
      password: 'pa:ss:',
    });
    assert.deepEqual(parseAuthorization(`Basic ${b64('u:')}`), { scheme: 'basic', user: 'u', password: '' });
    assert.deepEqual(parseAuthorization(`Basic ${b64(':p')}`), { scheme: 'basic', user: '', password: 'p' });
  });

  test('the scheme is case-insensitive (RFC 7235 §2.1) and surrounding spaces are ignored', () => {
    for (const scheme of ['basic', 'BASIC', 'bAsIc']) {
      assert.deepEqual(parseAuthorization(`${scheme} ${b64('a:b')}`), {
        scheme: 'basic',
        user: 'a',
        password: 'b',
      });
    }
    assert.deepEqual(parseAuthorization(`Basic   ${b64('a:b')}  `), {
      scheme: 'basic',
      user: 'a',
      password: 'b',
    });
  });

  test('decodes UTF-8 (RFC 7617 charset="UTF-8")', () => {
    assert.deepEqual(parseAuthorization(`Basic ${b64('ünï:pässwörd')}`), {
      scheme: 'basic',
      user: 'ünï',
      password: 'pässwörd',
    });
  });

  test('malformed headers', () => {
    for (const h of [
      'Basic',
      'Basic ',
      `Basic${b64('a:b')}`,
      `Basic ${b64('no-colon')}`,
      'Basic not*base64',
      'Basic YTpi YTpi',
      `Basic ${'A'.repeat(1025)}`,
      `Digest username="a"`,
      `Token ${b64('a:b')}`,
      ' ',
    ]) {
      assert.deepEqual(parseAuthorization(h), { scheme: 'malformed' }, JSON.stringify(h));
    }
  });

  test('absent or empty header', () => {
    assert.deepEqual(parseAuthorization(undefined), { scheme: 'none' });
    assert.deepEqual(parseAuthorization(''), { scheme: 'none' });
  });
});

describe('parseAuthorization: Bearer', () => {
  test('takes a token68 value', () => {
    assert.deepEqual(parseAuthorization('Bearer abc.DEF-123_~+/=='), {
      scheme: 'bearer',
      token: 'abc.DEF-123_~+/==',
    });
    assert.deepEqual(parseAuthorization('bearer tok'), { scheme: 'bearer', token: 'tok' });
  });

  test('refuses empty, oversized or non-token68 values', () => {
    for (const h of ['Bearer ', 'Bearer a b', 'Bearer "quoted"', `Bearer ${'a'.repeat(513)}`, 'Bearer a=b']) {
      assert.deepEqual(parseAuthorization(h), { scheme: 'malformed' }, h);
    }
  });
});

describe('parseAuthorization: Basic credentials no store can hold', () => {
  test('a NUL in the user or the password, or bytes that are not UTF-8, are malformed', () => {
    const b64 = (b: Buffer) => `Basic ${b.toString('base64')}`;
    for (const raw of [
      Buffer.from('MA\u0000:token'),
      Buffer.from('MAUSER:tok\u0000en'),
      Buffer.concat([Buffer.from('MA'), Buffer.from([0xff]), Buffer.from(':token')]),
    ]) {
      assert.deepEqual(parseAuthorization(b64(raw)), { scheme: 'malformed' }, raw.toString('hex'));
    }
    assert.deepEqual(parseAuthorization(b64(Buffer.from('MAÜSER:tøken'))), {
      scheme: 'basic',
      user: 'MAÜSER',
      password: 'tøken',
    });
  });
});
