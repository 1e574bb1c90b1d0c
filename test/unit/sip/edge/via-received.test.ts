import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answeredVia, relayedCallerVia } from '../../../../src/sip/edge/via-received.ts';
import { parseVia } from '../../../../src/sip/parser/via.ts';
import type { Remote } from '../../../../src/sip/transport/remote.ts';

function via(value: string) {
  const r = parseVia(value);
  if (!r.ok) throw new Error(r.reason);
  return r.value[0]!;
}

const FROM: Remote = { transport: 'udp', address: '198.51.100.7', port: 40000 };

test('RFC 3581 §4: rport asked for → received and rport, even when the host is the source', () => {
  assert.equal(
    answeredVia(via('SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1;rport'), FROM),
    'SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1;received=198.51.100.7;rport=40000',
  );
});

test('RFC 3261 §18.2.1: no rport → received only when the sent-by host is not the source', () => {
  const same = 'SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK2';
  assert.equal(answeredVia(via(same), FROM), same);
  assert.equal(
    answeredVia(via('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK3'), FROM),
    'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK3;received=198.51.100.7',
  );
  const v6: Remote = { transport: 'udp', address: '2001:db8::1', port: 5062 };
  assert.equal(
    answeredVia(via('SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK4'), v6),
    'SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK4',
  );
});

test('values the client put in received/rport are replaced, not duplicated', () => {
  assert.equal(
    answeredVia(via('SIP/2.0/UDP 10.0.0.5:5060;rport=1;received=1.2.3.4;branch=z9hG4bK5'), FROM),
    'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK5;received=198.51.100.7;rport=40000',
  );
  assert.equal(
    relayedCallerVia(via('SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bK6'), { ...FROM, transport: 'tcp' }),
    'SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bK6;received=198.51.100.7;rport=40000',
  );
});
