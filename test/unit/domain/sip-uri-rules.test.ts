import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type OriginationTarget, parseOriginationUri } from '../../../src/domain/sip-uri-rules.ts';

function ok(text: string): OriginationTarget {
  const r = parseOriginationUri(text);
  if (!r.ok) assert.fail(`${text}: ${r.message}`);
  return r.value;
}

function refused(text: string): string {
  const r = parseOriginationUri(text);
  if (r.ok) assert.fail(`${text} was accepted as ${r.value.uri}`);
  return r.message;
}

describe('parseOriginationUri', () => {
  test('host[:port] and SIP URIs become one canonical sip: URI', () => {
    const cases: [string, string][] = [
      ['sip.example.com', 'sip:sip.example.com'],
      ['sip.example.com:5060', 'sip:sip.example.com:5060'],
      ['PBX.Example.COM:5080;transport=TCP', 'sip:pbx.example.com:5080;transport=tcp'],
      ['sip:pbx.example.com;transport=udp', 'sip:pbx.example.com;transport=udp'],
      ['SIP:trunk@pbx.example.com:5060', 'sip:trunk@pbx.example.com:5060'],
      ['test@plivo.com', 'sip:test@plivo.com'],
      ['sips:pbx.example.com:5061', 'sips:pbx.example.com:5061'],
      ['sips:pbx.example.com;transport=tls', 'sips:pbx.example.com;transport=tls'],
      ['203.0.113.10:5060', 'sip:203.0.113.10:5060'],
      ['10.0.0.5', 'sip:10.0.0.5'],
      ['[2001:DB8:0::10]:5060', 'sip:[2001:db8::10]:5060'],
      ['sip:[::ffff:203.0.113.9]', 'sip:203.0.113.9'],
      ['pbx:5060', 'sip:pbx:5060'],
      ['pbx.example.com.', 'sip:pbx.example.com'],
    ];
    for (const [input, canonical] of cases) assert.equal(ok(input).uri, canonical, input);
  });

  test('parts the SIP edge routes on', () => {
    assert.deepEqual(ok('sip:alice@[2001:db8::1]:5062;transport=tls'), {
      uri: 'sip:alice@[2001:db8::1]:5062;transport=tls',
      scheme: 'sip',
      user: 'alice',
      host: '2001:db8::1',
      hostType: 'ipv6',
      port: 5062,
      transport: 'tls',
    });
    const plain = ok('pbx.example.com');
    assert.equal(plain.port, null);
    assert.equal(plain.transport, null);
    assert.equal(plain.hostType, 'hostname');
  });

  test('malformed text is refused with a message saying what to do', () => {
    assert.match(refused(''), /empty/);
    assert.match(refused('sip:pbx.example.com :5060'), /whitespace/);
    assert.match(refused('2001:db8::1'), /brackets: \[2001:db8::1\]/);
    assert.match(refused('http://pbx.example.com/'), /scheme "http:" is not supported/);
    assert.match(refused('tel:+15551234567'), /scheme "tel:"/);
    assert.match(refused('pbx.example.com:99999'), /not a valid SIP URI/);
    assert.match(refused('pbx.example.com:0'), /port must be from 1 to 65535/);
    assert.match(refused('pbx..example.com'), /not a valid SIP URI/);
    assert.match(refused('sip:user:secret@pbx.example.com'), /password/);
    assert.match(refused('sip:pbx.example.com?subject=x'), /not a valid SIP URI/);
    assert.match(refused('pbx.example.com;transport=sctp'), /transport "sctp"/);
    assert.match(refused('pbx.example.com;lr'), /";lr" is not supported/);
    assert.match(refused('sips:pbx.example.com;transport=udp'), /sips: URI needs TLS/);
    assert.match(refused(`${'a'.repeat(250)}.example.com`), /at most 255/);
  });

  test('IP hosts are read strictly: no leading zeros', () => {
    assert.match(refused('010.1.1.1:5060'), /leading zero|not a valid IP address/);
  });

  test('this machine, nobody and everybody cannot be a PBX; private ranges can', () => {
    for (const host of [
      '127.0.0.1',
      '0.0.0.0',
      '169.254.169.254',
      '224.0.0.1',
      '255.255.255.255',
      '[::1]',
      '[::]',
      '[fe80::1]',
      '[ff02::1]',
      'localhost',
      'pbx.localhost',
    ]) {
      refused(`${host}:5060`);
    }
    assert.equal(ok('192.168.1.20:5060').host, '192.168.1.20');
    assert.equal(ok('[fd00::20]').host, 'fd00::20');
  });

  test('loopback only when the operator allows it; the rest of this-machine stays refused', () => {
    for (const [text, host] of [
      ['127.0.0.1:5080', '127.0.0.1'],
      ['sip:127.9.9.9;transport=tcp', '127.9.9.9'],
      ['[::1]:5060', '::1'],
      ['LOCALHOST', 'localhost'],
      ['pbx.localhost', 'pbx.localhost'],
    ] as const) {
      const r = parseOriginationUri(text);
      assert.ok(!r.ok, text);
      assert.match(r.message, /is this machine \(a loopback address\)/, text);
      const allowed = parseOriginationUri(text, { allowLoopback: true });
      assert.ok(allowed.ok, text);
      assert.equal(allowed.value.host, host);
    }
    for (const text of ['0.0.0.0', '[::]', '169.254.169.254']) {
      assert.ok(!parseOriginationUri(text, { allowLoopback: true }).ok, text);
    }
  });
});
