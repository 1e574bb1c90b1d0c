import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isTransport,
  LIMITS,
  parseHostport,
  validateAuthPassword,
  validateAuthUser,
  validateCpsKey,
  validateCpsLimit,
  validateDescription,
  validateDomain,
  validateProviderCredentialFields,
  validateServer,
} from '../../../src/domain/provider-credential-rules.ts';

function refused(r: ReturnType<typeof validateServer>, field: string): string {
  assert.equal(r.ok, false, 'expected the rule to refuse the value');
  if (r.ok) throw new Error('unreachable');
  assert.equal(r.field, field);
  return r.message;
}

describe('server: RFC 3261 hostport, 1–255 characters', () => {
  test('accepts host names, IPv4 and bracketed IPv6, each with or without a port', () => {
    const cases: Array<[string, string, string, number | undefined]> = [
      ['sip.example.com', 'sip.example.com', 'hostname', undefined],
      ['sip.example.com:5080', 'sip.example.com', 'hostname', 5080],
      ['SIP.Example.COM.', 'SIP.Example.COM.', 'hostname', undefined],
      ['localhost', 'localhost', 'hostname', undefined],
      ['a-b.c1.example', 'a-b.c1.example', 'hostname', undefined],
      ['1provider.example.com:1', '1provider.example.com', 'hostname', 1],
      ['203.0.113.7', '203.0.113.7', 'ipv4', undefined],
      ['203.0.113.7:65535', '203.0.113.7', 'ipv4', 65535],
      ['[2001:db8::1]', '[2001:db8::1]', 'ipv6', undefined],
      ['[2001:db8::1]:5060', '[2001:db8::1]', 'ipv6', 5060],
      ['[::1]:5061', '[::1]', 'ipv6', 5061],
      ['[::ffff:192.0.2.1]', '[::ffff:192.0.2.1]', 'ipv6', undefined],
    ];
    for (const [text, host, kind, port] of cases) {
      assert.deepEqual(parseHostport(text), { ok: true, host, kind, port }, text);
      const loopback = host === 'localhost' || host === '[::1]';
      assert.deepEqual(validateServer(text, { allowLoopback: loopback }), { ok: true }, text);
    }
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    assert.equal(longest.length, 253);
    assert.deepEqual(validateServer(longest), { ok: true });
  });

  test('this machine is refused unless loopback targets are allowed', () => {
    for (const server of ['127.0.0.1', '127.1.2.3:5060', '[::1]:5061', 'localhost', 'pbx.localhost:5080']) {
      assert.match(
        refused(validateServer(server), 'server'),
        /is this machine \(a loopback address\)/,
        server,
      );
      assert.deepEqual(validateServer(server, { allowLoopback: true }), { ok: true }, server);
    }
    assert.deepEqual(validateServer('128.0.0.1'), { ok: true });
    assert.deepEqual(validateServer('localhost.example.com'), { ok: true });
  });

  test('IPv6 must be bracketed, and the message shows how', () => {
    assert.match(
      refused(validateServer('2001:db8::1'), 'server'),
      /must be in brackets, e\.g\. \[2001:db8::1\]/,
    );
    assert.match(refused(validateServer('::1'), 'server'), /brackets/);
    assert.match(refused(validateServer('[2001:db8::1'), 'server'), /no closing "\]"/);
    assert.match(refused(validateServer('[2001:db8::g]'), 'server'), /not an IPv6 address/);
    assert.match(refused(validateServer('[203.0.113.7]'), 'server'), /not an IPv6 address/);
    assert.match(refused(validateServer('[::1]5060'), 'server'), /only ":port"/);
    assert.match(refused(validateServer('[fe80::1%eth0]'), 'server'), /not an IPv6 address/);
  });

  test('refuses bad ports', () => {
    for (const bad of [
      'sip.example.com:',
      'sip.example.com:0',
      'sip.example.com:65536',
      'sip.example.com:abc',
      'h.example:123456',
      '[::1]:0',
    ])
      assert.match(refused(validateServer(bad), 'server'), /port must be a number from 1 to 65535/, bad);
  });

  test('refuses what is not a hostport, with a hint', () => {
    assert.match(refused(validateServer('sip:sip.example.com'), 'server'), /without the "sip:" scheme/);
    assert.match(refused(validateServer('sips:sip.example.com:5061'), 'server'), /scheme/);
    assert.match(
      refused(validateServer('sip.example.com;transport=tcp'), 'server'),
      /transport is its own field/,
    );
    assert.match(refused(validateServer('user@sip.example.com'), 'server'), /without user@/);
    assert.match(refused(validateServer('sip.example.com/path'), 'server'), /path/);
    assert.match(refused(validateServer('sip example.com'), 'server'), /spaces/);
    assert.match(refused(validateServer('sip.example.com\r\nX-Evil: 1'), 'server'), /control characters/);
    assert.match(refused(validateServer('a:b:c'), 'server'), /more than one ":"/);
  });

  test('refuses malformed host names and IPv4 addresses', () => {
    const bad: Array<[string, RegExp]> = [
      ['999.1.1.1', /not an IPv4 address/],
      ['1.2.3', /not an IPv4 address/],
      ['010.0.0.1', /not an IPv4 address/],
      ['1.2.3.4.5', /not an IPv4 address/],
      ['-sip.example.com', /label "-sip"/],
      ['sip-.example.com', /label "sip-"/],
      ['sip..example.com', /empty label/],
      ['.example.com', /empty label/],
      ['sip_1.example.com', /label "sip_1"/],
      ['sip.example.123', /last label of a host name must start with a letter/],
      [`${'a'.repeat(64)}.com`, /1–63/],
      [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`, /at most 253/],
      [':5060', /host is missing/],
      ['pröv.example', /label "pröv"/],
    ];
    for (const [text, re] of bad) assert.match(refused(validateServer(text), 'server'), re, text);
  });

  test('length: 1–255 characters', () => {
    assert.match(refused(validateServer(''), 'server'), /1–255 characters \(got 0\)/);
    assert.match(refused(validateServer('a'.repeat(256)), 'server'), /1–255 characters \(got 256\)/);
  });
});

describe('optional text fields', () => {
  test('domain, authUser and cpsKey: up to 255 characters, not empty, no control characters', () => {
    for (const [fn, field] of [
      [validateDomain, 'domain'],
      [validateAuthUser, 'authUser'],
      [validateCpsKey, 'cpsKey'],
    ] as const) {
      assert.deepEqual(fn('x'.repeat(LIMITS[field])), { ok: true });
      // Counted in characters: 255 emoji are 255 characters (510 UTF-16 units).
      assert.deepEqual(fn('😀'.repeat(255)), { ok: true });
      assert.match(refused(fn('x'.repeat(256)), field), /at most 255 characters \(got 256\)/);
      assert.match(refused(fn(''), field), /must not be empty; send null/);
      assert.match(refused(fn('a\nb'), field), /control characters/);
      assert.match(refused(fn('a\u0000'), field), /control characters/);
      assert.deepEqual(fn('Account 42 / ünïcode'), { ok: true });
    }
  });

  test('authPassword: up to 64 characters; messages never quote it', () => {
    assert.deepEqual(validateAuthPassword('p'.repeat(64)), { ok: true });
    assert.deepEqual(validateAuthPassword('😀'.repeat(64)), { ok: true });
    assert.deepEqual(validateAuthPassword('has spaces and "quotes" \\ :@;'), { ok: true });
    const long = `Secret-${'z'.repeat(60)}`;
    const m = refused(validateAuthPassword(long), 'authPassword');
    assert.match(m, /at most 64 characters/);
    assert.ok(!m.includes(long) && !m.includes('Secret-'));
    assert.match(refused(validateAuthPassword(''), 'authPassword'), /must not be empty/);
    const withNul = refused(validateAuthPassword('Secret\u0000x'), 'authPassword');
    assert.ok(!withNul.includes('Secret'));
  });

  test('description: up to 255 characters, may be empty, no NUL', () => {
    assert.deepEqual(validateDescription(''), { ok: true });
    assert.deepEqual(validateDescription('Primary trunk\nline two'), { ok: true });
    assert.deepEqual(validateDescription('d'.repeat(255)), { ok: true });
    assert.match(refused(validateDescription('d'.repeat(256)), 'description'), /at most 255/);
    assert.match(refused(validateDescription('a\u0000'), 'description'), /NUL/);
  });
});

describe('cpsLimit and transport', () => {
  test('cpsLimit is a positive number; fractions are allowed', () => {
    for (const ok of [1, 0.5, 0.001, 10, 2147483647, 1e9])
      assert.deepEqual(validateCpsLimit(ok), { ok: true }, String(ok));
    for (const bad of [0, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY])
      assert.match(refused(validateCpsLimit(bad), 'cpsLimit'), /positive number/, String(bad));
  });

  test('transport is udp, tcp or tls (lower case, as the seed)', () => {
    for (const t of ['udp', 'tcp', 'tls']) assert.equal(isTransport(t), true);
    for (const t of ['UDP', 'ws', '', null, 1]) assert.equal(isTransport(t), false);
  });
});

describe('validateProviderCredentialFields', () => {
  const full = {
    server: 'sip.example.com',
    domain: null,
    authUser: null,
    authPassword: null,
    transport: 'udp' as const,
    description: null,
    cpsLimit: null,
    cpsKey: null,
  };

  test('accepts the seed example with every optional field null', () => {
    assert.deepEqual(validateProviderCredentialFields(full), { ok: true });
  });

  test('checks only the fields given (PATCH), and reports the first failing field', () => {
    assert.deepEqual(validateProviderCredentialFields({ cpsLimit: 2 }), { ok: true });
    const r = validateProviderCredentialFields({ cpsKey: '', cpsLimit: -1 });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.field, 'cpsLimit');
    const t = validateProviderCredentialFields({ ...full, transport: 'sctp' as never });
    assert.equal(t.ok, false);
    if (!t.ok) assert.equal(t.field, 'transport');
    const s = validateProviderCredentialFields({ ...full, server: 'sip:x' });
    assert.equal(s.ok, false);
    if (!s.ok) assert.equal(s.field, 'server');
  });
});
