import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  PASSWORD_MAX,
  PASSWORD_MIN,
  PASSWORD_RULE_TEXT,
  validateFriendlyName,
  validatePassword,
  validateRealm,
  validateUsername,
  validateZentrunkPassword,
} from '../../../src/domain/credential-rules.ts';

function failure(r: ReturnType<typeof validatePassword>): { code: string; message: string } {
  assert.equal(r.ok, false, 'expected the rule to refuse the value');
  if (r.ok) throw new Error('unreachable');
  return r;
}

describe('validateUsername: 3–64 of [A-Za-z0-9._-]', () => {
  test('accepts every allowed character class and both length bounds', () => {
    for (const ok of ['abc', 'ABC', '123', 'a.b', 'a_b', 'a-b', 'sip_user_1', 'x'.repeat(64), 'A.b_C-9']) {
      assert.deepEqual(validateUsername(ok), { ok: true }, ok);
    }
  });

  test('refuses too short and too long, naming the length', () => {
    for (const bad of ['', 'a', 'ab', 'x'.repeat(65)]) {
      const r = failure(validateUsername(bad));
      assert.equal(r.code, 'invalid_username');
      assert.match(r.message, /3–64/);
      assert.match(r.message, new RegExp(`got ${bad.length} characters`));
    }
  });

  test('refuses characters outside the set and says so', () => {
    for (const bad of ['al ice', 'alice@example', 'a:b', 'a/b', 'ünï', 'abc\n', 'a+b', '"abc"']) {
      const r = failure(validateUsername(bad));
      assert.equal(r.code, 'invalid_username');
      assert.match(r.message, /not allowed/, bad);
    }
  });
});

describe('validatePassword: 12–128 with upper, lower and digit', () => {
  test('accepts a password at each length bound', () => {
    const min = `Aa1${'x'.repeat(PASSWORD_MIN - 3)}`;
    const max = `Aa1${'x'.repeat(PASSWORD_MAX - 3)}`;
    assert.equal([...min].length, 12);
    assert.equal([...max].length, 128);
    assert.deepEqual(validatePassword(min), { ok: true });
    assert.deepEqual(validatePassword(max), { ok: true });
    assert.deepEqual(validatePassword('Securepassword123!'), { ok: true });
    assert.deepEqual(validatePassword('Pässwörd 1234 mit Leerzeichen'), { ok: true });
  });

  test('refuses one character too short or too long', () => {
    const short = failure(validatePassword(`Aa1${'x'.repeat(PASSWORD_MIN - 4)}`));
    assert.equal(short.code, 'weak_password');
    assert.match(short.message, /12–128 characters \(got 11\)/);
    const long = failure(validatePassword(`Aa1${'x'.repeat(PASSWORD_MAX - 2)}`));
    assert.match(long.message, /got 129/);
  });

  test('counts characters, not UTF-16 units', () => {
    // 11 astral characters are 22 UTF-16 units but still only 11 characters.
    const r = failure(validatePassword(`Aa1${'😀'.repeat(8)}`));
    assert.match(r.message, /got 11/);
    assert.deepEqual(validatePassword(`Aa1${'😀'.repeat(9)}`), { ok: true });
  });

  test('names each missing class', () => {
    const cases: Array<[string, string[]]> = [
      ['securepassword123!', ['an upper-case letter']],
      ['SECUREPASSWORD123!', ['a lower-case letter']],
      ['SecurePasswordOnly', ['a digit']],
      ['123456789012!', ['an upper-case letter', 'a lower-case letter']],
      ['!!!!!!!!!!!!!!', ['an upper-case letter', 'a lower-case letter', 'a digit']],
    ];
    for (const [pw, missing] of cases) {
      const r = failure(validatePassword(pw));
      assert.equal(r.code, 'weak_password');
      assert.equal(
        r.message,
        `password must include ${missing.join(', ')} (${PASSWORD_RULE_TEXT.sipauth})`,
        pw,
      );
    }
  });

  test('a short password also names the missing classes', () => {
    const r = failure(validatePassword('short'));
    assert.match(r.message, /got 5/);
    const [detail] = r.message.split(' (SIP Auth rule');
    assert.match(detail ?? '', /an upper-case letter/);
    assert.match(detail ?? '', /a digit/);
    assert.doesNotMatch(detail ?? '', /a lower-case letter/);
  });

  test('refuses control characters, which break digest quoting', () => {
    for (const pw of ['Secure\npassword1', 'Secure\u0000password1', 'Secure\u007fpassword1']) {
      const r = failure(validatePassword(pw));
      assert.equal(r.code, 'weak_password');
      assert.match(r.message, /control characters/);
    }
  });

  test('never echoes the password in its message', () => {
    for (const pw of ['securepassword123!', 'tiny', 'Secure\npassword1', `Aa1${'z'.repeat(200)}`]) {
      const r = failure(validatePassword(pw));
      assert.ok(!r.message.includes(pw));
    }
  });
});

describe('validateZentrunkPassword: 12–128 with three of upper, lower, digit, symbol', () => {
  test('accepts the Zentrunk examples as written (lower, digit, symbol)', () => {
    assert.deepEqual(validateZentrunkPassword('securepassword123!'), { ok: true });
    assert.deepEqual(validateZentrunkPassword('newpassword123!'), { ok: true });
    assert.deepEqual(validatePassword('securepassword123!', 'zentrunk'), { ok: true });
  });

  test('accepts every combination of three classes, and all four', () => {
    for (const pw of [
      'Securepassword123',
      'Securepassword!!!',
      'SECUREPASSWORD12!',
      'securepassword12!',
      'Aa1!aaaaaaaa',
    ]) {
      assert.deepEqual(validateZentrunkPassword(pw), { ok: true }, pw);
    }
  });

  test('refuses two classes or fewer, naming the classes it found and the rule', () => {
    const cases: Array<[string, string]> = [
      ['securepassword123', 'lower-case letter, digit'],
      ['SecurePassword', 'upper-case letter, lower-case letter'],
      ['123456789012!', 'digit, symbol'],
      ['aaaaaaaaaaaaaa', 'lower-case letter'],
    ];
    for (const [pw, has] of cases) {
      const r = failure(validateZentrunkPassword(pw));
      assert.equal(r.code, 'weak_password');
      assert.equal(
        r.message,
        `password must include at least three of upper-case letter, lower-case letter, digit, symbol (has ${has}) (${PASSWORD_RULE_TEXT.zentrunk})`,
        pw,
      );
    }
  });

  test('the same length bounds as the SIP Auth rule, counted in characters', () => {
    assert.match(failure(validateZentrunkPassword('short1!')).message, /12–128 characters \(got 7\)/);
    assert.match(failure(validateZentrunkPassword(`a1!${'x'.repeat(126)}`)).message, /got 129/);
    assert.deepEqual(validateZentrunkPassword(`a1!${'x'.repeat(125)}`), { ok: true });
    assert.match(failure(validateZentrunkPassword('short1!')).message, /Zentrunk rule/);
  });

  test('refuses control characters and never echoes the password', () => {
    const r = failure(validateZentrunkPassword('secure\npassword1!'));
    assert.match(r.message, /control characters/);
    for (const pw of ['secure\npassword1!', 'tiny', 'aaaaaaaaaaaaaa']) {
      assert.ok(!failure(validateZentrunkPassword(pw)).message.includes(pw));
    }
  });

  test('the SIP Auth rule is unchanged and names itself', () => {
    const r = failure(validatePassword('securepassword123!'));
    assert.match(r.message, /SIP Auth rule/);
    assert.match(r.message, /an upper-case letter/);
  });
});

describe('validateRealm: a host name', () => {
  test('accepts host names', () => {
    for (const ok of ['app.plivo.com', 'sip.test.local', 'localhost', 'a-b.example', '10.0.0.1']) {
      assert.deepEqual(validateRealm(ok), { ok: true }, ok);
    }
  });

  test('refuses what is not a host name', () => {
    for (const bad of [
      '',
      'has space.com',
      '-lead.example',
      'trail-.example',
      'a..b',
      '.example',
      'example.',
      'quote"realm',
      `${'a'.repeat(64)}.com`,
      `${'abcdefghi.'.repeat(25)}abcd`,
    ]) {
      const r = failure(validateRealm(bad));
      assert.equal(r.code, 'invalid_realm', bad);
      assert.match(r.message, /host name/);
    }
  });
});

describe('validateFriendlyName', () => {
  test('accepts 1–120 printable characters, unicode included', () => {
    for (const ok of ['a', 'production-credentials', 'Équipe Ünïcode 😀', 'x'.repeat(120)]) {
      assert.deepEqual(validateFriendlyName(ok), { ok: true }, ok);
    }
  });

  test('refuses empty, blank, too long and control characters, naming the field', () => {
    for (const bad of ['', '   ', 'x'.repeat(121), 'tab\there', 'nl\n']) {
      const r = failure(validateFriendlyName(bad, 'label', 120));
      assert.equal(r.code, 'invalid_name');
      assert.equal(r.message, 'label must be 1–120 printable characters');
    }
  });

  test('honours a custom maximum', () => {
    assert.deepEqual(validateFriendlyName('abcde', 'name', 5), { ok: true });
    assert.equal(validateFriendlyName('abcdef', 'name', 5).ok, false);
  });
});
