import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  buildResponse,
  canonicalHeaderName,
  getContacts,
  getCSeq,
  getFrom,
  getRoutes,
  getTo,
  getVias,
  type ParseResult,
  parseAuthHeader,
  parseCSeq,
  parseHostPort,
  parseMaxForwards,
  parseMessage,
  parseNameAddr,
  parseNameAddrList,
  parseParams,
  parseQuotedString,
  parseSipDate,
  parseStartLine,
  parseTokenList,
  parseUri,
  parseVia,
  quoteString,
  SipHeaders,
  type SipMessage,
  type SipRequest,
  serializeMessage,
  serializeRequest,
  serializeResponse,
  splitHeaderValues,
  unescapeUriPart,
  validateRequestForProxy,
  validateResponseForProxy,
} from '../../../src/sip/parser/index.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/sip/rfc4475/', import.meta.url));

/** Builds a message from lines joined by CRLF, followed by the empty line and the body. */
function wire(lines: readonly string[], body = ''): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

const BASIC = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: "Alice" <sip:alice@example.org>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.org',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.example.org>',
];

function withLength(lines: readonly string[], body: string): Buffer {
  return wire([...lines, `Content-Length: ${Buffer.byteLength(body)}`], body);
}

function ok(r: ParseResult): SipMessage {
  assert.equal(r.kind, 'ok', r.kind === 'error' ? r.reason : r.kind);
  if (r.kind !== 'ok') throw new Error('unreachable');
  return r.message;
}

function request(r: ParseResult): SipRequest {
  const m = ok(r);
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}

function err(r: ParseResult) {
  assert.equal(r.kind, 'error', `expected error, got ${r.kind}`);
  if (r.kind !== 'error') throw new Error('unreachable');
  return r;
}

const udp = { transport: 'udp' } as const;
const stream = { transport: 'stream' } as const;

// ---------------------------------------------------------------- header section

test('folding: CRLF followed by SP or HTAB continues the field (RFC 3261 §7.3.1)', () => {
  const m = ok(
    parseMessage(
      withLength(
        [
          ...BASIC,
          "Subject: I know you're there,",
          '         pick up the phone',
          '\tand talk to me!',
          'X-Empty:',
          'X-Folded-Empty:',
          ' ',
        ],
        '',
      ),
      udp,
    ),
  );
  assert.equal(m.headers.get('subject'), "I know you're there,         pick up the phone\tand talk to me!");
  assert.equal(m.headers.get('X-Empty'), '');
  assert.equal(m.headers.get('x-folded-empty'), '');
});

test('a continuation line before any header field is an error', () => {
  const r = err(
    parseMessage(wire(['OPTIONS sip:a@example.com SIP/2.0', ' Via: SIP/2.0/UDP h;branch=z9hG4bKx']), udp),
  );
  assert.match(r.reason, /continuation/);
});

test('header names: compact forms map to canonical long names; lookup is case-insensitive', () => {
  const compact: Record<string, string> = {
    i: 'Call-ID',
    m: 'Contact',
    e: 'Content-Encoding',
    l: 'Content-Length',
    c: 'Content-Type',
    f: 'From',
    s: 'Subject',
    k: 'Supported',
    t: 'To',
    v: 'Via',
    o: 'Event',
    u: 'Allow-Events',
    r: 'Refer-To',
    b: 'Referred-By',
    x: 'Session-Expires',
    a: 'Accept-Contact',
    j: 'Reject-Contact',
    d: 'Request-Disposition',
    y: 'Identity',
    n: 'Identity-Info',
  };
  for (const [short, long] of Object.entries(compact)) {
    assert.equal(canonicalHeaderName(short), long);
    assert.equal(canonicalHeaderName(short.toUpperCase()), long);
  }
  assert.equal(canonicalHeaderName('cseq'), 'CSeq');
  assert.equal(canonicalHeaderName('WWW-AUTHENTICATE'), 'WWW-Authenticate');
  assert.equal(canonicalHeaderName('X-Custom-Thing'), 'X-Custom-Thing');

  const m = ok(
    parseMessage(
      wire([
        'OPTIONS sip:a@example.com SIP/2.0',
        'v: SIP/2.0/UDP h1.example.com;branch=z9hG4bK1',
        'VIA: SIP/2.0/UDP h2.example.com;branch=z9hG4bK2',
        'i: abc@h',
        't: <sip:a@example.com>',
        'f: <sip:b@example.com>;tag=1',
        'CSEQ: 1 OPTIONS',
        'k: timer',
        'L: 0',
      ]),
      udp,
    ),
  );
  assert.deepEqual(
    m.headers.list().map((h) => [h.name, h.rawName]),
    [
      ['Via', 'v'],
      ['Via', 'VIA'],
      ['Call-ID', 'i'],
      ['To', 't'],
      ['From', 'f'],
      ['CSeq', 'CSEQ'],
      ['Supported', 'k'],
      ['Content-Length', 'L'],
    ],
  );
  assert.equal(m.headers.get('call-id'), 'abc@h');
  assert.equal(m.headers.get('I'), 'abc@h');
  assert.deepEqual(m.headers.getAll('v'), [
    'SIP/2.0/UDP h1.example.com;branch=z9hG4bK1',
    'SIP/2.0/UDP h2.example.com;branch=z9hG4bK2',
  ]);
  assert.equal(m.headers.count('Via'), 2);
});

test('SipHeaders mutations keep order and invalidate memoized parses', () => {
  const m = ok(parseMessage(withLength(BASIC, ''), udp));
  const before = getVias(m);
  assert.ok(before.ok);
  assert.equal(before.value.length, 1);
  assert.equal(getVias(m), before, 'memoized');
  m.headers.prepend('Via', 'SIP/2.0/TCP proxy.example.net;branch=z9hG4bKproxy1');
  const after = getVias(m);
  assert.ok(after.ok);
  assert.deepEqual(
    after.value.map((v) => v.host),
    ['proxy.example.net', '192.0.2.1'],
  );
  assert.equal(m.headers.list()[0]?.value, 'SIP/2.0/TCP proxy.example.net;branch=z9hG4bKproxy1');
  assert.equal(m.headers.removeFirst('v'), true);
  const again = getVias(m);
  assert.ok(again.ok);
  assert.equal(again.value[0]?.host, '192.0.2.1');
  m.headers.set('Max-Forwards', '69');
  assert.deepEqual(m.headers.getAll('max-forwards'), ['69']);
  assert.equal(m.headers.delete('Contact'), 1);
  assert.equal(m.headers.has('m'), false);
  assert.throws(() => m.headers.append('X-Evil', 'a\r\nVia: injected'), RangeError);
  assert.throws(() => m.headers.append('Bad Name', 'x'), RangeError);
});

test('header section limits: field count, field length, bare CR/LF, UTF-8', () => {
  const many = [...BASIC];
  for (let i = 0; i < 300; i++) many.push(`X-H${i}: ${i}`);
  const tooMany = err(parseMessage(withLength(many, ''), udp));
  assert.equal(tooMany.status, 513);
  assert.equal(tooMany.canRespond, true);

  assert.equal(parseMessage(withLength(many.slice(0, 200), ''), udp).kind, 'ok');
  assert.equal(parseMessage(withLength(many, ''), { transport: 'udp', maxHeaders: 400 }).kind, 'ok');

  const long = err(parseMessage(withLength([...BASIC, `X-Long: ${'a'.repeat(9000)}`], ''), udp));
  assert.match(long.reason, /longer than/);
  const longFolded = err(
    parseMessage(
      withLength([...BASIC, 'X-Long: a', ...Array.from({ length: 200 }, () => ` ${'b'.repeat(60)}`)], ''),
      udp,
    ),
  );
  assert.match(longFolded.reason, /longer than/);

  err(parseMessage(Buffer.from(`${BASIC.join('\r\n')}\nX-Bare-LF: 1\r\nContent-Length: 0\r\n\r\n`), udp));
  err(parseMessage(Buffer.from(`${BASIC.join('\r\n')}\rX-Bare-CR: 1\r\nContent-Length: 0\r\n\r\n`), udp));
  const latin1 = Buffer.concat([withLength(BASIC, '').subarray(0, 20), Buffer.from([0xe9, 0x20])]);
  err(parseMessage(latin1, udp));
  assert.match(err(parseMessage(wire([...BASIC, 'NoColonHere']), udp)).reason, /without ":"/);
  assert.match(err(parseMessage(wire([...BASIC, 'Bad Name: x']), udp)).reason, /name/);
});

// ---------------------------------------------------------------- start line

test('start line strictness (RFC 3261 §7.1, §7.2)', () => {
  assert.deepEqual(parseStartLine('INVITE sip:a@b.com SIP/2.0'), {
    kind: 'request',
    method: 'INVITE',
    uri: 'sip:a@b.com',
    version: 'SIP/2.0',
  });
  assert.equal(parseStartLine('INVITE sip:a@b.com sip/2.0').kind, 'request'); // version is case-insensitive
  for (const bad of [
    'INVITE  sip:a@b.com SIP/2.0',
    'INVITE sip:a@b.com  SIP/2.0',
    'INVITE sip:a@b.com SIP/2.0 ',
    ' INVITE sip:a@b.com SIP/2.0',
    'INVITE\tsip:a@b.com SIP/2.0',
    'INVITE sip:a@b.com',
    'INVITE sip:a@b.com HTTP/1.1',
    'INV\u00c9TE sip:a@b.com SIP/2.0',
    '',
  ]) {
    const r = parseStartLine(bad);
    assert.equal(r.kind, 'error', JSON.stringify(bad));
  }
  const v = parseStartLine('OPTIONS sip:a@b.com SIP/3.0');
  assert.equal(v.kind === 'error' && v.status, 505);

  assert.deepEqual(parseStartLine('SIP/2.0 180 Ringing'), {
    kind: 'response',
    status: 180,
    reason: 'Ringing',
    version: 'SIP/2.0',
  });
  assert.deepEqual(parseStartLine('SIP/2.0 200  spaced  '), {
    kind: 'response',
    status: 200,
    reason: ' spaced  ',
    version: 'SIP/2.0',
  });
  assert.equal(parseStartLine('SIP/2.0 200').kind, 'response');
  for (const bad of [
    'SIP/2.0 099 Low',
    'SIP/2.0 700 High',
    'SIP/2.0 2000 Long',
    'SIP/2.0 20 Short',
    'SIP/2.0 2x0 X',
    'SIP/1.0 200 OK',
  ]) {
    assert.equal(parseStartLine(bad).kind, 'error', bad);
  }
});

// ---------------------------------------------------------------- values

test('quoted strings: quoted-pair escapes (RFC 3261 §25.1)', () => {
  const q = (s: string) => {
    const r = parseQuotedString(s, 0);
    return r.ok ? r.value : r.reason;
  };
  assert.deepEqual(q('"plain"'), { value: 'plain', end: 7 });
  assert.deepEqual(q('"a \\"quoted\\" word"x'), { value: 'a "quoted" word', end: 19 });
  assert.deepEqual(q('"back\\\\slash"'), { value: 'back\\slash', end: 13 });
  assert.deepEqual(q('"\\x"'), { value: 'x', end: 4 });
  assert.deepEqual(q('"utf8 ü 日本"'), { value: 'utf8 ü 日本', end: 11 });
  assert.match(String(q('"unterminated')), /unterminated/);
  assert.match(String(q('"ends with backslash\\"')), /unterminated/);
  assert.match(String(q('"bad\\\rpair"')), /quoted-pair/);
  assert.match(String(q('"ctl\x01"')), /control/);
  assert.equal(quoteString('a"b\\c'), '"a\\"b\\\\c"');
  const rt = parseQuotedString(quoteString('x"\\y'), 0);
  assert.ok(rt.ok);
  assert.equal(rt.value.value, 'x"\\y');
});

test('splitHeaderValues respects quoted strings and <...>', () => {
  const r = splitHeaderValues('"Doe, John" <sip:j@x.com;a=1,2>;q=0.5, <sip:k@y.com> ,sip:l@z.com,,');
  assert.ok(r.ok);
  assert.deepEqual(r.value, ['"Doe, John" <sip:j@x.com;a=1,2>;q=0.5', '<sip:k@y.com>', 'sip:l@z.com']);
  const esc = splitHeaderValues('"a\\",b", c');
  assert.ok(esc.ok);
  assert.deepEqual(esc.value, ['"a\\",b"', 'c']);
  assert.equal(splitHeaderValues('"open, b').ok, false);
  assert.equal(splitHeaderValues('<sip:a, b').ok, false);
  const toks = parseTokenList('100rel , timer,replaces');
  assert.ok(toks.ok);
  assert.deepEqual(toks.value, ['100rel', 'timer', 'replaces']);
  assert.equal(parseTokenList('a b').ok, false);
});

test('generic parameters: names lower-cased, flags, quoted values, duplicates rejected', () => {
  const r = parseParams(' ; Tag = abc ;lr; q=0.7;x="a \\"b\\"";maddr=[2001:db8::1], next', 0, true);
  assert.ok(r.ok);
  assert.deepEqual(
    [...r.value.params],
    [
      ['tag', 'abc'],
      ['lr', null],
      ['q', '0.7'],
      ['x', 'a "b"'],
      ['maddr', '[2001:db8::1]'],
    ],
  );
  assert.equal(r.value.end, ' ; Tag = abc ;lr; q=0.7;x="a \\"b\\"";maddr=[2001:db8::1]'.length);
  assert.equal(parseParams(';a=1;A=2', 0, false).ok, false);
  assert.equal(parseParams(';;', 0, false).ok, false);
  assert.equal(parseParams(';a=', 0, false).ok, false);
  assert.equal(parseParams(';a=b c', 0, false).ok, false);
});

test('Via: protocol, sent-by, branch, received, rport, maddr, ttl (RFC 3261 §20.42, RFC 3581)', () => {
  const r = parseVia(
    'SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776;received=192.0.2.4;rport=5067;maddr=224.2.0.1;ttl=16;x-ext',
  );
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const [v] = r.value;
  assert.ok(v);
  assert.equal(v.protocolName, 'SIP');
  assert.equal(v.protocolVersion, '2.0');
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, 'pc33.example.com');
  assert.equal(v.hostType, 'hostname');
  assert.equal(v.port, 5066);
  assert.equal(v.branch, 'z9hG4bK776');
  assert.equal(v.received, '192.0.2.4');
  assert.equal(v.rport, 5067);
  assert.equal(v.maddr, '224.2.0.1');
  assert.equal(v.ttl, 16);
  assert.equal(v.params.get('x-ext'), null);

  const flag = parseVia('SIP/2.0/tcp [2001:db8::9]:5061 ; rport ; branch = z9hG4bKabc');
  assert.ok(flag.ok);
  assert.equal(flag.value[0]?.transport, 'TCP');
  assert.equal(flag.value[0]?.host, '[2001:db8::9]');
  assert.equal(flag.value[0]?.hostType, 'ipv6');
  assert.equal(flag.value[0]?.port, 5061);
  assert.equal(flag.value[0]?.rport, true);

  const multi = parseVia(
    'SIP/2.0/UDP a.example.com;branch=z9hG4bK1 , SIP / 2.0 / TLS b.example.com:5061;branch=z9hG4bK2',
  );
  assert.ok(multi.ok);
  assert.deepEqual(
    multi.value.map((x) => [x.transport, x.host, x.port, x.branch]),
    [
      ['UDP', 'a.example.com', undefined, 'z9hG4bK1'],
      ['TLS', 'b.example.com', 5061, 'z9hG4bK2'],
    ],
  );
  const v6recv = parseVia('SIP/2.0/UDP h.example.com;received=2001:db8::1;branch=z9hG4bK3');
  assert.ok(v6recv.ok);
  assert.equal(v6recv.value[0]?.received, '2001:db8::1');

  for (const bad of [
    'SIP/2.0/UDP',
    'SIP/2.0 UDP host',
    'SIP/2.0/UDPhost',
    'SIP/2.0/UDP host;received=host.example.com',
    'SIP/2.0/UDP host;rport=70000',
    'SIP/2.0/UDP host;ttl=256',
    'SIP/2.0/UDP host;branch',
    'SIP/2.0/UDP host;branch=a;branch=b',
    'SIP/2.0/UDP host:99999',
    'SIP/2.0/UDP host,',
    'SIP/2.0/UDP -bad-.example.com',
    'SIP/2.0/UDP [::1',
    'SIP/2.0/UDP 192.0.2.15;;,;,,',
  ]) {
    assert.equal(parseVia(bad).ok, false, bad);
  }
});

test('CSeq and Max-Forwards ranges', () => {
  assert.deepEqual(parseCSeq('0 ACK'), { ok: true, value: { seq: 0, method: 'ACK' } });
  assert.deepEqual(parseCSeq('2147483647 INVITE'), {
    ok: true,
    value: { seq: 2147483647, method: 'INVITE' },
  });
  for (const bad of [
    '2147483648 INVITE',
    '-1 INVITE',
    'INVITE',
    '1',
    '1INVITE',
    '1 INVITE x',
    '99999999999999999999999 X',
  ]) {
    assert.equal(parseCSeq(bad).ok, false, bad);
  }
  assert.deepEqual(parseMaxForwards('0068'), { ok: true, value: 68 });
  assert.equal(parseMaxForwards('256').ok, false);
  assert.equal(parseMaxForwards('-1').ok, false);
  assert.equal(parseMaxForwards('').ok, false);
});

test('Date must be an RFC 1123 date in GMT (RFC 3261 §20.17)', () => {
  const d = parseSipDate('Sat, 13 Nov 2010 23:29:00 GMT');
  assert.ok(d.ok);
  assert.equal(d.value.toISOString(), '2010-11-13T23:29:00.000Z');
  for (const bad of [
    'Fri, 01 Jan 2010 16:00:00 EST',
    'Sat, 13 Nov 2010 23:29:00 UTC',
    'Sat, 31 Feb 2010 00:00:00 GMT',
    '13 Nov 2010',
  ]) {
    assert.equal(parseSipDate(bad).ok, false, bad);
  }
});

test('auth headers: Digest params, quoted-pair unescaping, duplicates, unknown schemes', () => {
  const r = parseAuthHeader(
    'Digest username="bob\\"s", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
      'uri="sip:bob@biloxi.com", qop=auth, NC=00000001, cnonce="0a4f113b", ' +
      'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=MD5',
  );
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.value.scheme, 'Digest');
  assert.equal(r.value.params.get('username'), 'bob"s');
  assert.equal(r.value.params.get('uri'), 'sip:bob@biloxi.com');
  assert.equal(r.value.params.get('qop'), 'auth');
  assert.equal(r.value.params.get('nc'), '00000001');
  assert.equal(r.value.params.get('algorithm'), 'MD5');
  assert.equal(r.value.params.size, 10);

  const challenge = parseAuthHeader(
    'digest realm="atlanta.com",domain="sip:boxesbybob.com", qop="auth,auth-int", stale=FALSE',
  );
  assert.ok(challenge.ok);
  assert.equal(challenge.value.params.get('qop'), 'auth,auth-int');

  const dup = parseAuthHeader('Digest realm="a", realm="b"');
  assert.equal(dup.ok, false);
  assert.equal(parseAuthHeader('Digest').ok, false);
  assert.equal(parseAuthHeader('Digest realm="unterminated').ok, false);
  assert.equal(parseAuthHeader('Digest realm').ok, false);
  assert.equal(parseAuthHeader('Digest realm="a", Basic realm="b"').ok, false);
  assert.equal(parseAuthHeader('').ok, false);

  const bearer = parseAuthHeader('Bearer mF_9.B5f-4.1JqM==');
  assert.ok(bearer.ok);
  assert.equal(bearer.value.scheme, 'Bearer');
  assert.equal(bearer.value.params.size, 0);
  assert.equal(bearer.value.data, 'mF_9.B5f-4.1JqM==');
});

test('URIs: SIP/SIPS parts, IPv4/IPv6 hosts, parameters, headers, escapes (RFC 3261 §19.1)', () => {
  const u = parseUri(
    'sips:alice:secret@[2001:db8::10]:5061;transport=tcp;LR;maddr=[2001:db8::1]?subject=hi%20there&priority=urgent',
  );
  assert.ok(u.ok && u.value.kind === 'sip', u.ok ? '' : u.reason);
  assert.equal(u.value.scheme, 'sips');
  assert.equal(u.value.user, 'alice');
  assert.equal(u.value.password, 'secret');
  assert.equal(u.value.host, '[2001:db8::10]');
  assert.equal(u.value.hostType, 'ipv6');
  assert.equal(u.value.port, 5061);
  assert.deepEqual(
    [...u.value.params],
    [
      ['transport', 'tcp'],
      ['lr', null],
      ['maddr', '[2001:db8::1]'],
    ],
  );
  assert.deepEqual(u.value.headers, [
    ['subject', 'hi%20there'],
    ['priority', 'urgent'],
  ]);

  const v4 = parseUri('SIP:+1-212-555-1212@192.0.2.4;user=phone');
  assert.ok(v4.ok && v4.value.kind === 'sip');
  assert.equal(v4.value.scheme, 'sip');
  assert.equal(v4.value.hostType, 'ipv4');
  assert.equal(v4.value.user, '+1-212-555-1212');

  const plain = parseUri('sip:[::1]');
  assert.ok(plain.ok && plain.value.kind === 'sip');
  assert.equal(plain.value.host, '[::1]');
  assert.equal(plain.value.port, undefined);

  const tel = parseUri('tel:+1-201-555-0123;phone-context=example.com');
  assert.ok(tel.ok);
  assert.deepEqual(tel.value, {
    kind: 'absolute',
    scheme: 'tel',
    opaque: '+1-201-555-0123;phone-context=example.com',
    raw: 'tel:+1-201-555-0123;phone-context=example.com',
  });

  assert.equal(parseUri('sip:a@b.com?x=y', { allowHeaders: false }).ok, false);
  assert.equal(unescapeUriPart('I%20have%20spaces%e2%82%ac'), 'I have spaces€');
  assert.equal(unescapeUriPart('bad%zzescape%'), 'bad%zzescape%');

  for (const bad of [
    'sip:',
    'sip:user@',
    'sip:@example.com',
    'sip:a@b@c.com',
    'sip:a b@example.com',
    'sip:a@example.com; lr',
    'sip:a@exa mple.com',
    'sip:a%zz@example.com',
    'sip:a@example.com:65536',
    'sip:a@example.com:',
    'sip:a@[2001:db8::1',
    'sip:a@[not-v6]',
    'sip:a@1.2.3.256',
    'sip:a@-example.com',
    'sip:a@example.com;=x',
    'sip:a@example.com;a=1;A=2',
    'sip:a@example.com?noequals',
    '<sip:a@example.com>',
    'sip:a@example.com>',
    '1sip:x',
    ':x',
    'http:',
    'foo:bar baz',
    'foo:"quoted"',
  ]) {
    assert.equal(parseUri(bad).ok, false, bad);
  }
  const hp = parseHostPort('[fe80::1]:5060');
  assert.ok(hp.ok);
  assert.deepEqual(hp.value, { host: '[fe80::1]', hostType: 'ipv6', port: 5060 });
  assert.equal(parseHostPort('[fe80::1%eth0]').ok, false);
});

test('name-addr / addr-spec (RFC 3261 §20.10)', () => {
  const a = parseNameAddr(
    '"Mr. \\"Watson\\"" <sip:watson@worcester.bell-telephone.com;transport=udp>;tag=abc;q=0.7',
  );
  assert.ok(a.ok);
  assert.equal(a.value.displayName, 'Mr. "Watson"');
  assert.equal(a.value.bracketed, true);
  assert.equal(a.value.tag, 'abc');
  assert.equal(a.value.uri.kind === 'sip' && a.value.uri.params.get('transport'), 'udp');

  const bare = parseNameAddr('sip:user@example.com;tag=xyz;transport=udp');
  assert.ok(bare.ok && bare.value.uri.kind === 'sip');
  assert.equal(bare.value.bracketed, false);
  assert.equal(bare.value.uri.params.size, 0, 'params of a bare addr-spec belong to the header');
  assert.equal(bare.value.params.get('transport'), 'udp');

  const tokens = parseNameAddr('Anonymous  User<sip:c8oqz84zk7z@privacy.org>');
  assert.ok(tokens.ok);
  assert.equal(tokens.value.displayName, 'Anonymous  User');

  const list = parseNameAddrList(
    '<sip:p1.example.com;lr>, "x,y" <sip:p2.example.com;lr>,sip:p3.example.com;q=1',
  );
  assert.ok(list.ok);
  assert.deepEqual(
    list.value.map((n) => n.uri.raw),
    ['sip:p1.example.com;lr', 'sip:p2.example.com;lr', 'sip:p3.example.com'],
  );

  for (const bad of [
    '',
    '"unterminated <sip:a@b.com>',
    '< sip:a@b.com>',
    '<sip:a@b.com >',
    'Bell, Alexander <sip:a@b.com>',
    'sip:a@b.com?Route=x',
    '<sip:a@b.com',
    '<sip:a@b.com>;tag',
    '<sip:a@b.com>;tag=',
    '<sip:a@b.com> junk',
    '"name" sip:a@b.com',
    '<>',
  ]) {
    assert.equal(parseNameAddr(bad).ok, false, JSON.stringify(bad));
  }
});

test('Contact "*" and lazy Route access', () => {
  const star = ok(
    parseMessage(
      wire([
        'REGISTER sip:example.com SIP/2.0',
        'Via: SIP/2.0/UDP h.example.com;branch=z9hG4bKa',
        'To: <sip:a@example.com>',
        'From: <sip:a@example.com>;tag=1',
        'Call-ID: c1',
        'CSeq: 2 REGISTER',
        'Contact: *',
        'Expires: 0',
        'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
        'Route: <sip:p3.example.com;lr>',
        'Content-Length: 0',
      ]),
      udp,
    ),
  );
  assert.deepEqual(getContacts(star), { ok: true, value: { star: true } });
  const routes = getRoutes(star);
  assert.ok(routes.ok);
  assert.deepEqual(
    routes.value.map((r) => r.uri.kind === 'sip' && r.uri.host),
    ['p1.example.com', 'p2.example.com', 'p3.example.com'],
  );
  const mixed = parseMessage(wire([...BASIC, 'Contact: *', 'Content-Length: 0']), udp);
  assert.equal(err(mixed).status, 400);
});

// ---------------------------------------------------------------- framing

test('stream framing: incomplete until the whole message has arrived, at every split point', () => {
  const body = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n';
  const full = withLength([...BASIC, 'Content-Type: application/sdp'], body);
  for (let cut = 0; cut < full.length; cut++) {
    const r = parseMessage(full.subarray(0, cut), stream);
    assert.equal(r.kind, 'incomplete', `cut at ${cut}: ${r.kind === 'error' ? r.reason : r.kind}`);
  }
  const r = parseMessage(full, stream);
  const m = ok(r);
  assert.equal(m.body.toString(), body);
  assert.equal(r.kind === 'ok' && r.consumed, full.length);
});

test('stream framing: two messages in one buffer, leading CRLF, keep-alive ping', () => {
  const a = withLength(BASIC, 'hello');
  const b = withLength(
    BASIC.map((l) => l.replace('314159', '314160')),
    '',
  );
  const buf = Buffer.concat([Buffer.from('\r\n'), a, Buffer.from('\r\n\r\n'), b]);
  const r1 = parseMessage(buf, stream);
  assert.equal(ok(r1).body.toString(), 'hello');
  assert.ok(r1.kind === 'ok');
  assert.equal(r1.consumed, 2 + a.length);
  let rest = buf.subarray(r1.consumed);
  const ka = parseMessage(rest, stream);
  assert.deepEqual(ka, { kind: 'keepalive', consumed: 4 });
  rest = rest.subarray(4);
  const r2 = parseMessage(rest, stream);
  const m2 = ok(r2);
  const cseq = getCSeq(m2);
  assert.ok(cseq.ok);
  assert.equal(cseq.value.seq, 314160);
  assert.ok(r2.kind === 'ok');
  assert.equal(r2.consumed, rest.length);

  assert.deepEqual(parseMessage(Buffer.from('\r\n'), stream), { kind: 'incomplete' });
  assert.deepEqual(parseMessage(Buffer.from('\r\n\r'), stream), { kind: 'incomplete' });
  assert.deepEqual(parseMessage(Buffer.from('\r\n\r\n'), stream), { kind: 'keepalive', consumed: 4 });
  assert.deepEqual(parseMessage(Buffer.alloc(0), stream), { kind: 'incomplete' });
  assert.equal(parseMessage(Buffer.from('\rX'), stream).kind, 'error');
});

test('stream framing errors: missing/conflicting/oversized Content-Length, garbage, oversized headers', () => {
  const missing = err(parseMessage(wire(BASIC), stream));
  assert.match(missing.reason, /missing Content-Length/);
  assert.equal(missing.consumed, undefined);
  assert.equal(missing.canRespond, true);

  const conflict = err(parseMessage(wire([...BASIC, 'Content-Length: 3', 'l: 4'], 'abcd'), stream));
  assert.equal(conflict.consumed, undefined);
  const same = parseMessage(wire([...BASIC, 'Content-Length: 4', 'l: 4'], 'abcd'), stream);
  assert.equal(same.kind, 'ok', 'identical duplicates frame unambiguously; the app rejects them');

  const big = err(parseMessage(wire([...BASIC, 'Content-Length: 70000']), stream));
  assert.equal(big.status, 513);
  const bigSmallMax = err(
    parseMessage(wire([...BASIC, 'Content-Length: 2000']), { transport: 'stream', maxSize: 1000 }),
  );
  assert.equal(bigSmallMax.status, 513);

  assert.equal(
    parseMessage(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n'), stream).kind,
    'error',
    'fails fast',
  );
  assert.equal(parseMessage(Buffer.from('INVITE sip:a@b.com SIP/2.0\r\nVia: x'), stream).kind, 'incomplete');
  assert.equal(
    parseMessage(Buffer.from('x'.repeat(10_000)), stream).kind,
    'error',
    'no CRLF within a line limit',
  );
  const huge = Buffer.from(`INVITE sip:a@b.com SIP/2.0\r\n${'X-A: b\r\n'.repeat(9000)}`);
  assert.equal(err(parseMessage(huge, stream)).status, 513);

  // A header-level error with intact framing reports how much to skip.
  const badHdr = err(
    parseMessage(withLength([...BASIC.slice(0, 6), 'CSeq: 1 BYE', 'Date: yesterday'], 'xy'), stream),
  );
  assert.equal(
    badHdr.consumed,
    withLength([...BASIC.slice(0, 6), 'CSeq: 1 BYE', 'Date: yesterday'], 'xy').length,
  );
});

test('UDP framing: missing Content-Length, truncation, too short, keep-alive, size limit', () => {
  const noCl = ok(parseMessage(wire(BASIC, 'rest of datagram'), udp));
  assert.equal(noCl.body.toString(), 'rest of datagram');

  const trunc = parseMessage(wire([...BASIC, 'Content-Length: 4'], 'abcdEXTRA'), udp);
  assert.equal(ok(trunc).body.toString(), 'abcd');
  assert.equal(trunc.kind === 'ok' && trunc.discarded, 5);

  const short = err(parseMessage(wire([...BASIC, 'Content-Length: 40'], 'abcd'), udp));
  assert.equal(short.status, 400);
  assert.equal(short.canRespond, true);

  for (const v of ['-1', '+4', '4a', ' ', '0x10', '1 2']) {
    const r = err(parseMessage(wire([...BASIC, `Content-Length: ${v}`], 'abcd'), udp));
    assert.match(r.reason, /Content-Length/, v);
  }
  assert.equal(
    err(parseMessage(wire([...BASIC, 'Content-Length: 99999999999999999999'], ''), udp)).status,
    513,
  );

  assert.deepEqual(parseMessage(Buffer.from('\r\n\r\n'), udp), { kind: 'keepalive', consumed: 4 });
  assert.equal(parseMessage(Buffer.alloc(0), udp).kind, 'error');
  const leading = ok(parseMessage(Buffer.concat([Buffer.from('\r\n\r\n'), withLength(BASIC, '')]), udp));
  assert.equal(leading.kind, 'request');
  const tooBig = err(parseMessage(withLength(BASIC, 'x'.repeat(2000)), { transport: 'udp', maxSize: 1500 }));
  assert.equal(tooBig.status, 513);

  const noBlank = err(parseMessage(Buffer.from(`${BASIC.join('\r\n')}\r\n`), udp));
  assert.match(noBlank.reason, /empty line/);
  assert.equal(noBlank.canRespond, true);
});

test('errors carry a partial that addresses a 400, never for ACK or responses', () => {
  const bad = err(parseMessage(withLength([...BASIC, 'Max-Forwards: 300'], ''), udp));
  assert.equal(bad.canRespond, true);
  assert.equal(bad.partial?.method, 'INVITE');
  assert.deepEqual(bad.partial?.via, ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport']);
  assert.equal(bad.partial?.callId, 'a84b4c76e66710@pc33.example.org');
  const resp = buildResponse(bad.partial!, 400, 'Bad Request', [], 'srv1');
  const to = getTo(resp);
  assert.ok(to.ok);
  assert.equal(to.value.tag, 'srv1');

  const ack = err(
    parseMessage(withLength([...BASIC.map((l) => l.replace('INVITE', 'ACK')), 'Max-Forwards: 300'], ''), udp),
  );
  assert.equal(ack.canRespond, false);
  const noCallId = err(
    parseMessage(withLength([...BASIC.filter((l) => !l.startsWith('Call-ID')), 'CSeq: x'], ''), udp),
  );
  assert.equal(noCallId.canRespond, false);
});

// ---------------------------------------------------------------- serialization

test('buildResponse copies Via/From/To/Call-ID/CSeq and adds a To tag (RFC 3261 §8.2.6.2)', () => {
  const req = request(
    parseMessage(
      withLength([...BASIC, 'Via: SIP/2.0/TCP second.example.com;branch=z9hG4bK2', 'Timestamp: 54'], ''),
      udp,
    ),
  );
  const r = buildResponse(req, 486, 'Busy Here', [['Retry-After', '30']], 'as83kd9bs');
  assert.equal(r.status, 486);
  assert.deepEqual(r.headers.getAll('Via'), [
    'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport',
    'SIP/2.0/TCP second.example.com;branch=z9hG4bK2',
  ]);
  assert.equal(r.headers.get('From'), '"Alice" <sip:alice@example.org>;tag=1928301774');
  assert.equal(r.headers.get('To'), 'Bob <sip:bob@example.com>;tag=as83kd9bs');
  assert.equal(r.headers.get('Call-ID'), 'a84b4c76e66710@pc33.example.org');
  assert.equal(r.headers.get('CSeq'), '314159 INVITE');
  assert.equal(r.headers.get('Retry-After'), '30');
  assert.equal(r.headers.get('Content-Length'), '0');
  assert.equal(r.headers.has('Timestamp'), false);
  assert.equal(r.body.length, 0);

  const trying = buildResponse(req, 100, 'Trying', [], 'ignored');
  assert.equal(trying.headers.get('To'), 'Bob <sip:bob@example.com>');
  assert.equal(trying.headers.get('Timestamp'), '54');

  const tagged = request(
    parseMessage(
      withLength([...BASIC.slice(0, 3), 'To: <sip:bob@example.com>;tag=existing', ...BASIC.slice(4)], ''),
      udp,
    ),
  );
  assert.equal(
    buildResponse(tagged, 200, 'OK', [], 'new').headers.get('To'),
    '<sip:bob@example.com>;tag=existing',
  );

  const wireResp = serializeResponse(r);
  const text = wireResp.toString();
  assert.ok(text.startsWith('SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;'));
  assert.ok(text.endsWith('Retry-After: 30\r\nContent-Length: 0\r\n\r\n'));
  const back = ok(parseMessage(wireResp, stream));
  assert.equal(back.kind === 'response' && back.status, 486);
  assert.equal(validateResponseForProxy(back as never).ok, true);
  assert.throws(() => buildResponse(req, 400, 'Bad\r\nX: y'), RangeError);
  assert.throws(() => buildResponse(req, 400, 'Bad', [], 'bad tag'), RangeError);
});

test('serialize → parse round-trips fixtures; Content-Length is regenerated', () => {
  for (const file of [
    'wsinv.dat',
    'esc01.dat',
    'longreq.dat',
    'mpart01.dat',
    'unreason.dat',
    'inv2543.dat',
    'intmeth.dat',
  ]) {
    const first = ok(parseMessage(readFileSync(FIXTURES + file), udp));
    const bytes = serializeMessage(first);
    const second = ok(parseMessage(bytes, stream));
    assert.deepEqual(second.body, first.body, file);
    assert.deepEqual(
      second.headers
        .list()
        .filter((h) => h.name !== 'Content-Length')
        .map((h) => [h.name, h.value]),
      first.headers
        .list()
        .filter((h) => h.name !== 'Content-Length')
        .map((h) => [h.name, h.value]),
      file,
    );
    assert.equal(second.headers.get('Content-Length'), String(first.body.length), file);
    assert.deepEqual(serializeMessage(second), bytes, `${file}: serialization is stable`);
  }
  const req = request(parseMessage(withLength(BASIC, ''), udp));
  req.uri = 'sip:evil@example.com\r\nX: y';
  assert.throws(() => serializeRequest(req), RangeError);
});

// ---------------------------------------------------------------- application validation

test('validateRequestForProxy options and checks', () => {
  const ext = request(parseMessage(withLength([...BASIC, 'Proxy-Require: sec-agree, Foo'], ''), udp));
  const v = validateRequestForProxy(ext, { proxyExtensions: ['SEC-AGREE'] });
  assert.deepEqual(v, { ok: false, status: 420, reason: 'Bad Extension', headers: [['Unsupported', 'Foo']] });
  assert.deepEqual(validateRequestForProxy(ext, { proxyExtensions: ['sec-agree', 'foo'] }), { ok: true });

  const tel = request(parseMessage(withLength(['INVITE tel:+15551234 SIP/2.0', ...BASIC.slice(1)], ''), udp));
  assert.deepEqual(validateRequestForProxy(tel), { ok: true });
  assert.equal(validateRequestForProxy(tel, { uriSchemes: ['sip', 'sips'] }).ok, false);

  const one = request(
    parseMessage(
      withLength(
        BASIC.map((l) => l.replace('Max-Forwards: 70', 'Max-Forwards: 1')),
        '',
      ),
      udp,
    ),
  );
  assert.deepEqual(validateRequestForProxy(one), { ok: true });

  const cl2 = request(parseMessage(wire([...BASIC, 'Content-Length: 0, 0']), udp));
  assert.equal(validateRequestForProxy(cl2).ok, false);

  const mutated = request(parseMessage(withLength(BASIC, ''), udp));
  mutated.headers.set('CSeq', '1 BYE');
  assert.deepEqual(validateRequestForProxy(mutated), {
    ok: false,
    status: 400,
    reason: 'CSeq method does not match the request method',
  });
  const from = getFrom(mutated);
  assert.ok(from.ok);
  assert.equal(from.value.tag, '1928301774');
});

// ---------------------------------------------------------------- robustness

const fixtureBuffers = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.dat'))
  .sort()
  .map((f) => readFileSync(FIXTURES + f));

const KINDS = new Set(['ok', 'incomplete', 'keepalive', 'error']);

function checkResult(r: ParseResult, input: Buffer, transport: 'udp' | 'stream'): void {
  assert.ok(KINDS.has(r.kind));
  if (transport === 'udp') assert.notEqual(r.kind, 'incomplete');
  if (r.kind === 'ok') {
    assert.ok(r.consumed > 0 && r.consumed <= input.length);
    // Whatever parsed must serialize and re-parse.
    const again = parseMessage(serializeMessage(r.message), { transport: 'stream' });
    assert.equal(again.kind, 'ok', again.kind === 'error' ? again.reason : again.kind);
  }
  if (r.kind === 'keepalive') assert.ok(r.consumed > 0 && r.consumed <= input.length);
  if (r.kind === 'error') {
    assert.equal(typeof r.reason, 'string');
    if (r.consumed !== undefined) assert.ok(r.consumed <= input.length);
  }
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({
    op: fc.constant('insertText' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      '\r\n',
      '\r\n ',
      ';',
      ',',
      '"',
      '\\',
      '<',
      '>',
      ':',
      '%',
      '@',
      '[',
      ']',
      ' ',
      '\t',
      '\n',
      '\r',
      '=',
    ),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Buffer, ms: readonly Mutation[]): Buffer {
  let b = input;
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.op) {
      case 'flip': {
        if (b.length === 0) break;
        b = Buffer.from(b);
        b[at % b.length] = m.byte;
        break;
      }
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'insertText':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

test('fuzz: random bytes never throw', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 4096 }),
      fc.constantFrom('udp' as const, 'stream' as const),
      (bytes, transport) => {
        const buf = Buffer.from(bytes);
        checkResult(parseMessage(buf, { transport }), buf, transport);
      },
    ),
    { numRuns: 1000 },
  );
});

test('fuzz: mutated RFC 4475 fixtures never throw and stay consistent', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: fixtureBuffers.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 8 }),
      fc.constantFrom('udp' as const, 'stream' as const),
      (index, ms, transport) => {
        const buf = mutate(fixtureBuffers[index]!, ms);
        checkResult(parseMessage(buf, { transport }), buf, transport);
      },
    ),
    { numRuns: 3000 },
  );
});

test('fuzz: a stream split anywhere never yields a different message', () => {
  fc.assert(
    fc.property(fc.nat({ max: fixtureBuffers.length - 1 }), fc.nat(), (index, cutSeed) => {
      const buf = fixtureBuffers[index]!;
      const whole = parseMessage(buf, stream);
      const cut = cutSeed % (buf.length + 1);
      const part = parseMessage(buf.subarray(0, cut), stream);
      checkResult(part, buf.subarray(0, cut), 'stream');
      if (whole.kind === 'ok' && part.kind === 'ok') {
        // Only possible when the cut is at or after the end of the first message.
        assert.ok(cut >= whole.consumed);
        assert.deepEqual(part.message.body, whole.message.body);
      }
    }),
    { numRuns: 1000 },
  );
});

test('fuzz: value parsers never throw on arbitrary strings', () => {
  const alphabet = fc.constantFrom(
    ...'aZ09 \t;,:=@<>"\\%/?[]&+$.-_!~*\'()#{}|^`\u00e9\u65e5\u0000\r\n'.split(''),
  );
  const str = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: alphabet, maxLength: 200 }));
  fc.assert(
    fc.property(str, (s) => {
      for (const r of [
        parseUri(s),
        parseVia(s),
        parseNameAddr(s),
        parseNameAddrList(s),
        parseAuthHeader(s),
        splitHeaderValues(s),
        parseTokenList(s),
        parseCSeq(s),
        parseMaxForwards(s),
        parseSipDate(s),
        parseHostPort(s),
      ]) {
        assert.equal(typeof r.ok, 'boolean');
      }
      assert.ok(['request', 'response', 'error'].includes(parseStartLine(s).kind));
      if (s.startsWith('"')) assert.equal(typeof parseQuotedString(s, 0).ok, 'boolean');
      unescapeUriPart(s);
    }),
    { numRuns: 2000 },
  );
});

test('adversarial inputs stay bounded (deep nesting, long runs, many params)', () => {
  const cases: Buffer[] = [
    withLength([...BASIC, `Via: SIP/2.0/UDP h${';a'.repeat(3000)}`], ''),
    withLength([...BASIC, `Contact: ${'<sip:a@b.com>,'.repeat(500)}<sip:c@d.com>`], ''),
    withLength([...BASIC, `X-Quotes: ${'"\\'.repeat(3000)}`], ''),
    withLength([...BASIC, `Route: ${'<'.repeat(6000)}`], ''),
    withLength([`INVITE sip:${'a;'.repeat(2000)}@example.com SIP/2.0`, ...BASIC.slice(1)], ''),
    withLength([...BASIC, `Authorization: Digest ${'a=b,'.repeat(1500)}c=d`], ''),
    Buffer.from('\r\n'.repeat(30000)),
    Buffer.from(`INVITE sip:a@b.com SIP/2.0\r\n${' x\r\n'.repeat(15000)}\r\n`),
    Buffer.concat([withLength(BASIC, ''), Buffer.alloc(60000, 0x41)]),
  ];
  for (const c of cases) {
    for (const transport of ['udp', 'stream'] as const) {
      const r = parseMessage(c, { transport });
      checkResult(r, c, transport);
    }
  }
  const header = parseAuthHeader(`Digest ${'a=b,'.repeat(1500)}c=d`);
  assert.equal(header.ok, false, 'parameter count is bounded');
  const headers = new SipHeaders();
  headers.append('X-A', '1');
  assert.equal(headers.size, 1);
});
