import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dialogMac } from '../../../../src/sip/edge/record-route.ts';
import { InDialog } from '../../../../src/sip/edge/stages/in-dialog.ts';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import type { RequestContext } from '../../../../src/sip/edge/stages/request-context.ts';
import { TransactionCache } from '../../../../src/sip/edge/transaction-cache.ts';
import {
  CALLER,
  contextOf,
  DOMAIN,
  EDGE_HOST,
  headerOf,
  type RequestText,
  type StageBench,
  stageBench,
  statusOf,
  UPSTREAM,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let stage: InDialog;
let gate: IngressGate;
before(async () => {
  b = await stageBench();
  stage = new InDialog(b.deps, b.tx, b.responder, b.now);
  gate = new IngressGate(b.deps, b.responder);
});
after(() => b.close());

function checked(r: RequestText): RequestContext {
  const ctx = contextOf(r);
  assert.equal(gate.check(ctx), true);
  return ctx;
}

function ourRoute(callId: string, fromTag: string, transport = 'tcp'): string {
  return `<sip:${EDGE_HOST}:5060;transport=${transport};lr;tg=${dialogMac(b.deps.keys.recordRoute, callId, fromTag)}>`;
}

test('a BYE along our Record-Route is relayed to the next Route, our Route popped', () => {
  const ctx = checked({
    method: 'BYE',
    uri: 'sip:callee@203.0.113.5:5080',
    toTag: 'tt1',
    callId: 'dlg-1',
    headers: [`Route: ${ourRoute('dlg-1', 'fromtag1')}`, 'Route: <sip:203.0.113.77:5090;transport=tcp;lr>'],
  });
  stage.request(ctx);
  const out = b.sent.at(-1);
  assert.equal(out?.host, '203.0.113.77');
  assert.equal(out?.port, 5090);
  assert.equal(out?.transport, 'tcp');
  assert.deepEqual(headerOf(out?.data ?? '', 'Route'), ['<sip:203.0.113.77:5090;transport=tcp;lr>']);
  assert.match(headerOf(out?.data ?? '', 'Via')[0] ?? '', /^SIP\/2.0\/TCP /);
});

test('the callee side (From and To swapped) is recognised too', () => {
  const ctx = checked({
    method: 'BYE',
    uri: `sip:caller@${CALLER.address}:${CALLER.port}`,
    fromTag: 'tt1',
    toTag: 'fromtag1',
    callId: 'dlg-1',
    headers: [`Route: ${ourRoute('dlg-1', 'fromtag1', 'udp')}`],
  });
  stage.request(ctx);
  const out = b.sent.at(-1);
  assert.equal(out?.host, CALLER.address);
  assert.equal(out?.port, CALLER.port);
});

test('a forged Route (wrong MAC) or none at all is 481', () => {
  for (const headers of [[`Route: <sip:${EDGE_HOST}:5060;lr;tg=AAAAAAAAAAAAAAAAAAAAAA>`], []]) {
    const sent = b.sent.length;
    stage.request(checked({ method: 'BYE', uri: 'sip:x@203.0.113.5', toTag: 't', callId: 'dlg-2', headers }));
    assert.equal(b.sent.length, sent);
    assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 481);
  }
});

test('an ACK without a To tag (for our own final response) is absorbed', () => {
  const sent = b.sent.length;
  const replies = b.replies.length;
  stage.ack(checked({ method: 'ACK', uri: `sip:1@t.${DOMAIN}` }));
  assert.equal(b.sent.length, sent);
  assert.equal(b.replies.length, replies);
});

test('CANCEL follows its forwarded INVITE upstream; a CANCEL for nothing is 481', async () => {
  const branch = 'z9hG4bKcancel1';
  const via = [`SIP/2.0/UDP ${CALLER.address}:${CALLER.port};branch=${branch}`];
  b.tx.set(
    TransactionCache.key(branch, 'INVITE', CALLER.address, CALLER.port),
    { kind: 'forwarded', data: Buffer.from('x'), ...UPSTREAM },
    b.now(),
  );
  await stage.cancel(checked({ method: 'CANCEL', uri: `sip:1@t.${DOMAIN}`, via }));
  assert.equal(b.sent.at(-1)?.host, UPSTREAM.host);
  assert.match(b.sent.at(-1)?.data ?? '', /^CANCEL /);

  await stage.cancel(checked({ method: 'CANCEL', uri: `sip:1@t.${DOMAIN}` }));
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 481);
});

test('a double Record-Route (RFC 5658): both of our Routes are popped and the second one names the transport', () => {
  const ctx = checked({
    method: 'BYE',
    uri: 'sip:callee@203.0.113.5:5080',
    toTag: 'tt1',
    callId: 'dlg-3',
    headers: [
      `Route: ${ourRoute('dlg-3', 'fromtag1', 'udp')}`,
      `Route: ${ourRoute('dlg-3', 'fromtag1', 'tcp')}`,
    ],
  });
  stage.request(ctx);
  const out = b.sent.at(-1);
  assert.deepEqual([out?.host, out?.port, out?.transport], ['203.0.113.5', 5080, 'tcp']);
  assert.deepEqual(headerOf(out?.data ?? '', 'Route'), []);
});

test('in-dialog: our realm’s Proxy-Authorization is removed, another realm’s kept', () => {
  const foreign = 'Digest username="x", realm="carrier.example", nonce="n", uri="sip:x@y", response="00"';
  const ctx = checked({
    method: 'BYE',
    uri: 'sip:callee@203.0.113.5:5080',
    toTag: 'tt1',
    callId: 'dlg-4',
    headers: [
      `Route: ${ourRoute('dlg-4', 'fromtag1', 'udp')}`,
      `Proxy-Authorization: Digest username="u", realm="${DOMAIN}", nonce="n", uri="sip:x@y", response="00"`,
      `Proxy-Authorization: ${foreign}`,
    ],
  });
  stage.request(ctx);
  assert.deepEqual(headerOf(b.sent.at(-1)?.data ?? '', 'Proxy-Authorization'), [foreign]);
});
