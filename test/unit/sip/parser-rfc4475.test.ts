// RFC 4475 torture tests: every row of test/fixtures/sip/rfc4475/MANIFEST.tsv has an exact expected verdict.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  buildResponse,
  getCallId,
  getContacts,
  getCSeq,
  getFrom,
  getMaxForwards,
  getRequestUri,
  getTo,
  getVias,
  hasRfc3261Branch,
  parseAuthHeader,
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serializeResponse,
  unescapeUriPart,
  validateRequestForProxy,
  validateResponseForProxy,
} from '../../../src/sip/parser/index.ts';

const DIR = fileURLToPath(new URL('../../fixtures/sip/rfc4475/', import.meta.url));

interface ManifestRow {
  readonly file: string;
  readonly section: string;
  readonly title: string;
  readonly expect: string;
}

function readManifest(): ManifestRow[] {
  const lines = readFileSync(`${DIR}MANIFEST.tsv`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const [header, ...rows] = lines;
  assert.deepEqual(header?.split('\t'), ['file', 'section', 'title', 'expect']);
  return rows.map((line) => {
    const [file, section, title, expect] = line.split('\t');
    assert.ok(file && section && title && expect, `malformed manifest line: ${line}`);
    return { file, section, title, expect };
  });
}

function load(file: string): Buffer {
  return readFileSync(DIR + file);
}

/** What the application (a proxy) does with a message that parsed. */
type Verdict = 'forward' | 'drop' | { readonly status: number; readonly unsupported?: string };

type Expectation =
  | {
      readonly parse: 'ok';
      readonly verdict: Verdict;
      readonly check?: (msg: SipMessage, res: { consumed: number; discarded: number }) => void;
    }
  | { readonly parse: 'error'; readonly status: number; readonly canRespond: boolean };

function req(msg: SipMessage): SipRequest {
  assert.equal(msg.kind, 'request');
  return msg as SipRequest;
}

function res(msg: SipMessage): SipResponse {
  assert.equal(msg.kind, 'response');
  return msg as SipResponse;
}

function vias(msg: SipMessage) {
  const r = getVias(msg);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.value;
}

function callId(msg: SipMessage): string {
  const r = getCallId(msg);
  assert.ok(r.ok);
  return r.value;
}

function ruri(msg: SipMessage) {
  const r = getRequestUri(req(msg));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.value;
}

function sipRuri(msg: SipMessage) {
  const u = ruri(msg);
  assert.equal(u.kind, 'sip');
  if (u.kind !== 'sip') throw new Error('unreachable');
  return u;
}

const SDP_150 = 150;

/** The verdict table: one entry per manifest row. */
const EXPECTED: Readonly<Record<string, Expectation>> = {
  // §3.1.1 Valid messages: parse, and a proxy forwards them.
  'wsinv.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, 'INVITE');
      assert.equal(r.uri, 'sip:vivekg@chair-dnrc.example.com;unknownparam');
      assert.equal(sipRuri(m).params.get('unknownparam'), null);
      const v = vias(m);
      assert.deepEqual(
        v.map((x) => [x.transport, x.host, x.branch]),
        [
          ['UDP', '192.0.2.2', '390skdjuw'],
          ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
          ['UDP', '192.168.255.111', 'z9hG4bK30239'],
        ],
      );
      assert.equal(callId(m), 'wsinv.ndaksdj@192.0.2.1');
      const cseq = getCSeq(m);
      assert.ok(cseq.ok);
      assert.deepEqual(cseq.value, { seq: 9, method: 'INVITE' });
      const mf = getMaxForwards(m);
      assert.ok(mf.ok);
      assert.equal(mf.value, 68);
      const from = getFrom(m);
      assert.ok(from.ok);
      assert.equal(from.value.displayName, 'J Rosenberg \\"');
      assert.equal(from.value.tag, '98asjd8');
      const to = getTo(m);
      assert.ok(to.ok);
      assert.equal(to.value.tag, '1918181833n');
      assert.equal(m.headers.get('Subject'), '');
      assert.equal(m.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
      assert.equal(m.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
      const contacts = getContacts(m);
      assert.ok(contacts.ok && !contacts.value.star);
      const [c] = contacts.value.contacts;
      assert.equal(c?.displayName, 'Quoted string ""');
      assert.deepEqual(
        [...(c?.params ?? [])],
        [
          ['newparam', 'newvalue'],
          ['secondparam', null],
          ['q', '0.33'],
        ],
      );
      assert.equal(m.body.length, SDP_150);
    },
  },
  'intmeth.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      assert.equal(req(m).method, "!interesting-Method0123456789_*+`.%indeed'~");
      const u = sipRuri(m);
      assert.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      assert.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      assert.equal(u.host, 'example.com');
      assert.equal(vias(m)[0]?.branch, "z9hG4bK-.!%66*_+`'~");
      const to = getTo(m);
      assert.ok(to.ok);
      assert.equal(to.value.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
      const from = getFrom(m);
      assert.ok(from.ok);
      assert.equal(from.value.displayName, "token1~` token2'+_ token3*%!.-");
      assert.equal(from.value.params.get("fromparam''~+*_!.-%"), 'работающий');
      assert.equal(from.value.tag, "_token~1'+`*%!-.");
      assert.equal(callId(m), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
      assert.equal(m.headers.get("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
      assert.equal(m.body.length, 0);
    },
  },
  'esc01.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      // Escapes are kept as received (RFC 3261 §19.1.4 compares them unescaped, later).
      const u = sipRuri(m);
      assert.equal(u.user, 'sips%3Auser%40example.com');
      assert.equal(unescapeUriPart(u.user ?? ''), 'sips:user@example.com');
      const to = getTo(m);
      assert.ok(to.ok && to.value.uri.kind === 'sip');
      assert.equal(to.value.uri.kind === 'sip' && to.value.uri.user, '%75se%72');
      const contacts = getContacts(m);
      assert.ok(contacts.ok && !contacts.value.star);
      const cu = contacts.value.contacts[0]?.uri;
      assert.ok(cu?.kind === 'sip');
      assert.equal(cu.user, 'cal%6Cer');
      assert.deepEqual(
        [...cu.params],
        [
          ['%6c%72', null],
          ['n%61me', 'v%61lue%25%34%31'],
        ],
      );
      assert.equal(m.headers.get('Content-Type'), 'application/sdp');
      assert.equal(callId(m), 'esc01.239409asdfakjkn23onasd0-3234');
      assert.equal(m.body.length, SDP_150);
    },
  },
  'escnull.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      assert.equal(req(m).method, 'REGISTER');
      const contacts = getContacts(m);
      assert.ok(contacts.ok && !contacts.value.star);
      assert.deepEqual(
        contacts.value.contacts.map((c) => c.uri.kind === 'sip' && c.uri.user),
        ['%00', '%00%00'],
      );
      const to = getTo(m);
      assert.ok(to.ok && to.value.uri.kind === 'sip');
      assert.equal(to.value.uri.kind === 'sip' && to.value.uri.user, 'null-%00-null');
    },
  },
  'esc02.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      // "%47" is not unescaped in a method: this is an unknown method, not REGISTER.
      assert.equal(req(m).method, 'RE%47IST%45R');
      assert.equal(m.headers.count('Contact'), 2);
      assert.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
      const from = getFrom(m);
      assert.ok(from.ok);
      assert.equal(from.value.displayName, '%Z%45');
      assert.equal(vias(m)[0]?.branch, 'z9hG4bK209%fzsnel234');
    },
  },
  'lwsdisp.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const from = getFrom(m);
      assert.ok(from.ok);
      assert.equal(from.value.displayName, 'caller');
      assert.equal(from.value.uri.raw, 'sip:caller@example.com');
      assert.equal(from.value.tag, '323');
    },
  },
  'longreq.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const v = vias(m);
      assert.equal(v.length, 34);
      assert.equal(v[0]?.host, 'sip33.example.com');
      assert.equal(v[33]?.host, 'host.example.com');
      assert.equal(v[33]?.received, '192.0.2.5');
      assert.ok(v[33]?.branch?.startsWith('verylonglong') && v[33].branch.endsWith('branchvalue'));
      assert.equal(v[33]?.branch?.length, 'verylong'.length + 'long'.length * 49 + 'branchvalue'.length);
      const to = getTo(m);
      assert.ok(to.ok && to.value.uri.kind === 'sip');
      assert.equal(to.value.uri.kind === 'sip' && to.value.uri.port, 6000);
      assert.match(to.value.displayName ?? '', /^I have a user name of (extreme){10} proportion$/);
      const from = getFrom(m);
      assert.ok(from.ok);
      assert.match(from.value.tag ?? '', /^12(982){40,}424$/);
      assert.match(callId(m), /^longreq\.one(really){20,}longcallid$/);
      assert.ok(
        m.headers.has(
          'Unknown-LongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLong-Name',
        ),
      );
      assert.equal(m.body.length, SDP_150);
    },
  },
  'dblreq.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m, r) => {
      // RFC 3261 §18.3: octets after Content-Length in a datagram are discarded.
      assert.equal(req(m).method, 'REGISTER');
      assert.equal(callId(m), 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
      assert.equal(m.body.length, 0);
      assert.equal(r.discarded, 450);
      assert.equal(r.consumed, 750);
    },
  },
  'semiuri.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const u = sipRuri(m);
      assert.equal(u.user, 'user;par=u%40example.net');
      assert.equal(u.host, 'example.com');
      assert.equal(u.params.size, 0);
      assert.equal(m.headers.get('Accept')?.includes('message/sipfrag'), true);
    },
  },
  'transports.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      assert.deepEqual(
        vias(m).map((v) => [v.transport, v.host]),
        [
          ['UDP', 't1.example.com'],
          ['SCTP', 't2.example.com'],
          ['TLS', 't3.example.com'],
          ['UNKNOWN', 't4.example.com'],
          ['TCP', 't5.example.com'],
        ],
      );
      assert.equal(callId(m), 'transports.kijh4akdnaqjkwendsasfdj');
    },
  },
  'mpart01.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      assert.equal(req(m).method, 'MESSAGE');
      assert.equal(m.body.length, 553);
      assert.ok(m.body.subarray(0, 20).toString('latin1').startsWith('--7a9cbec02ceef655'));
      const v = vias(m)[0];
      assert.equal(v?.port, 5070);
      assert.equal(v?.rport, true);
      assert.equal(m.headers.get('Content-Type'), 'multipart/mixed;boundary=7a9cbec02ceef655');
    },
  },
  'unreason.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const r = res(m);
      assert.equal(r.status, 200);
      assert.equal(r.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
      assert.equal(m.body.length, 154);
    },
  },
  'noreason.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const r = res(m);
      assert.equal(r.status, 100);
      assert.equal(r.reason, '');
    },
  },

  // §3.1.2 Invalid messages: parse errors. status = suggested answer; canRespond = a 400 can be addressed.
  'badinv01.dat': { parse: 'error', status: 400, canRespond: true },
  'clerr.dat': { parse: 'error', status: 400, canRespond: true },
  'ncl.dat': { parse: 'error', status: 400, canRespond: true },
  'scalar02.dat': { parse: 'error', status: 400, canRespond: true },
  'scalarlg.dat': { parse: 'error', status: 400, canRespond: false }, // a response: discarded
  'quotbal.dat': { parse: 'error', status: 400, canRespond: true },
  'ltgtruri.dat': { parse: 'error', status: 400, canRespond: true },
  'lwsruri.dat': { parse: 'error', status: 400, canRespond: true },
  'lwsstart.dat': { parse: 'error', status: 400, canRespond: true },
  'trws.dat': { parse: 'error', status: 400, canRespond: true },
  'escruri.dat': { parse: 'error', status: 400, canRespond: true },
  'baddate.dat': { parse: 'error', status: 400, canRespond: true },
  'regbadct.dat': { parse: 'error', status: 400, canRespond: true },
  'badaspec.dat': { parse: 'error', status: 400, canRespond: true },
  'baddn.dat': { parse: 'error', status: 400, canRespond: true },
  'badvers.dat': { parse: 'error', status: 505, canRespond: true },
  'mismatch01.dat': { parse: 'error', status: 400, canRespond: true },
  'mismatch02.dat': { parse: 'error', status: 501, canRespond: true },
  'bigcode.dat': { parse: 'error', status: 400, canRespond: false }, // a response: discarded

  // §3.2 Transaction layer.
  'badbranch.dat': {
    parse: 'ok',
    verdict: { status: 400 },
    check: (m) => {
      const v = vias(m)[0];
      assert.ok(v);
      assert.equal(v.branch, 'z9hG4bK');
      assert.equal(hasRfc3261Branch(v), false);
    },
  },

  // §3.3 Application layer: parse ok, the proxy answers.
  'insuf.dat': { parse: 'ok', verdict: { status: 400 } },
  'unkscm.dat': {
    parse: 'ok',
    verdict: { status: 416 },
    check: (m) => {
      const u = ruri(m);
      assert.equal(u.kind, 'absolute');
      assert.equal(u.scheme, 'nobodyknowsthisscheme');
    },
  },
  'novelsc.dat': {
    parse: 'ok',
    verdict: { status: 416 },
    check: (m) => assert.equal(ruri(m).scheme, 'soap.beep'),
  },
  'unksm2.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const to = getTo(m);
      const from = getFrom(m);
      const contacts = getContacts(m);
      assert.ok(to.ok && from.ok && contacts.ok && !contacts.value.star);
      assert.deepEqual([to.value.uri.scheme, from.value.uri.scheme], ['isbn', 'http']);
      assert.equal(contacts.value.contacts[0]?.uri.raw, 'name:John_Smith');
    },
  },
  'bext01.dat': {
    parse: 'ok',
    verdict: { status: 420, unsupported: 'noProxiesSupportThis, norDoAnyProxiesSupportThis' },
  },
  'invut.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      assert.equal(m.headers.get('Content-Type'), 'application/unknownformat');
      assert.equal(m.body.length, 40);
    },
  },
  'regaut01.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const a = parseAuthHeader(m.headers.get('Authorization') ?? '');
      assert.ok(a.ok);
      assert.equal(a.value.scheme, 'NoOneKnowsThisScheme');
      assert.equal(a.value.params.get('opaque-data'), 'here');
    },
  },
  'multi01.dat': { parse: 'ok', verdict: { status: 400 } },
  'mcl01.dat': {
    parse: 'ok',
    verdict: { status: 400 },
    check: (m) => assert.deepEqual(m.headers.getAll('Content-Length'), ['13', '5']),
  },
  'bcast.dat': {
    parse: 'ok',
    verdict: 'drop',
    check: (m) => assert.equal(vias(m)[1]?.host, '255.255.255.255'),
  },
  'zeromf.dat': { parse: 'ok', verdict: { status: 483 } },
  'cparam01.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const contacts = getContacts(m);
      assert.ok(contacts.ok && !contacts.value.star);
      const c = contacts.value.contacts[0];
      assert.ok(c && c.uri.kind === 'sip');
      // A bare addr-spec: ";unknownparam" is a contact-param, not a URI parameter.
      assert.equal(c.bracketed, false);
      assert.equal(c.uri.params.has('unknownparam'), false);
      assert.equal(c.params.has('unknownparam'), true);
    },
  },
  'cparam02.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const contacts = getContacts(m);
      assert.ok(contacts.ok && !contacts.value.star);
      const c = contacts.value.contacts[0];
      assert.ok(c && c.uri.kind === 'sip');
      assert.equal(c.uri.params.has('unknownparam'), true);
      assert.equal(c.params.has('unknownparam'), false);
    },
  },
  'regescrt.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const contacts = getContacts(m);
      assert.ok(contacts.ok && !contacts.value.star);
      const c = contacts.value.contacts[0];
      assert.ok(c && c.uri.kind === 'sip');
      assert.deepEqual(c.uri.headers, [['Route', '%3Csip:sip.example.com%3E']]);
    },
  },
  'sdp01.dat': { parse: 'ok', verdict: 'forward' },

  // §3.4 Backward compatibility.
  'inv2543.dat': {
    parse: 'ok',
    verdict: 'forward',
    check: (m) => {
      const v = vias(m)[0];
      assert.ok(v);
      assert.equal(v.branch, undefined);
      assert.equal(m.headers.has('Max-Forwards'), false);
      assert.equal(m.headers.has('Content-Length'), false);
      const from = getFrom(m);
      assert.ok(from.ok);
      assert.equal(from.value.tag, undefined);
      // No Content-Length over UDP: the body is the rest of the datagram.
      assert.equal(m.body.length, 105);
    },
  },
};

const manifest = readManifest();

test('manifest and verdict table cover the same files', () => {
  assert.equal(manifest.length, 49);
  assert.deepEqual(manifest.map((r) => r.file).sort(), Object.keys(EXPECTED).sort());
});

function appVerdict(msg: SipMessage): Verdict {
  if (msg.kind === 'response') return validateResponseForProxy(msg).ok ? 'forward' : 'drop';
  const v = validateRequestForProxy(msg);
  if (v.ok) return 'forward';
  const unsupported = v.headers?.find(([n]) => n === 'Unsupported')?.[1];
  return unsupported === undefined ? { status: v.status } : { status: v.status, unsupported };
}

for (const row of manifest) {
  const expected = EXPECTED[row.file];
  test(`RFC 4475 §${row.section} ${row.file} (${row.title}): ${row.expect.split(':')[0]}`, () => {
    assert.ok(expected, `no expectation for ${row.file}`);
    // The manifest category must agree with the table.
    assert.equal(
      expected.parse === 'error',
      row.expect.startsWith('reject'),
      'table disagrees with manifest',
    );
    const result = parseMessage(load(row.file), { transport: 'udp' });
    if (expected.parse === 'error') {
      assert.equal(result.kind, 'error', `expected a parse error for ${row.file}`);
      if (result.kind !== 'error') return;
      assert.equal(result.status, expected.status, result.reason);
      assert.equal(result.canRespond, expected.canRespond, result.reason);
      assert.equal(result.consumed, load(row.file).length);
      if (result.canRespond) {
        // The salvaged partial addresses an error response (RFC 3261 §8.2.6.2).
        assert.ok(result.partial);
        const resp = buildResponse(result.partial, result.status, 'Bad Request');
        assert.equal(resp.headers.getAll('Via').length, result.partial.via.length);
        const again = parseMessage(serializeResponse(resp), { transport: 'udp' });
        assert.ok(again.kind === 'ok' || again.kind === 'error');
      }
      return;
    }
    assert.equal(result.kind, 'ok', result.kind === 'error' ? result.reason : result.kind);
    if (result.kind !== 'ok') return;
    assert.deepEqual(appVerdict(result.message), expected.verdict);
    expected.check?.(result.message, result);
  });
}

test('RFC 4475 well-formed messages with Content-Length parse identically on a stream', () => {
  for (const row of manifest) {
    const exp = EXPECTED[row.file];
    if (exp?.parse !== 'ok' || row.file === 'inv2543.dat' || row.file === 'mcl01.dat') continue;
    const buf = load(row.file);
    const udp = parseMessage(buf, { transport: 'udp' });
    const tcp = parseMessage(buf, { transport: 'stream' });
    assert.equal(udp.kind, 'ok', row.file);
    assert.equal(tcp.kind, 'ok', row.file);
    if (udp.kind !== 'ok' || tcp.kind !== 'ok') continue;
    assert.deepEqual(tcp.message.body, udp.message.body, row.file);
    assert.deepEqual(tcp.message.headers.list(), udp.message.headers.list(), row.file);
  }
});

test('RFC 4475 §3.1.1.8 dblreq on a stream yields the REGISTER, then the INVITE', () => {
  const buf = load('dblreq.dat');
  const first = parseMessage(buf, { transport: 'stream' });
  assert.equal(first.kind, 'ok');
  if (first.kind !== 'ok') return;
  assert.equal(req(first.message).method, 'REGISTER');
  const rest = buf.subarray(first.consumed);
  const second = parseMessage(rest, { transport: 'stream' });
  assert.equal(second.kind, 'ok');
  if (second.kind !== 'ok') return;
  assert.equal(req(second.message).method, 'INVITE');
  assert.equal(second.message.body.length, 150);
  assert.equal(callId(second.message), 'dblreq.0ha0isnda977644900765@192.0.2.15');
  // Content-Length: 150 cuts the SDP short ("...LP"); on a stream the leftover "C" is garbage.
  const tail = rest.subarray(second.consumed);
  assert.equal(tail.toString('latin1'), 'C\r\n\r\n');
  const third = parseMessage(tail, { transport: 'stream' });
  assert.equal(third.kind, 'error');
  assert.equal(third.kind === 'error' && third.consumed, undefined);
});

test('RFC 4475 §3.3.9 mcl01 and §3.4.1 inv2543 are framing errors on a stream', () => {
  for (const file of ['mcl01.dat', 'inv2543.dat']) {
    const r = parseMessage(load(file), { transport: 'stream' });
    assert.equal(r.kind, 'error', file);
    if (r.kind === 'error')
      assert.equal(r.consumed, undefined, `${file}: connection cannot be resynchronised`);
  }
});
