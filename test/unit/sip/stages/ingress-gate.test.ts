import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import { forwardBranch } from '../../../../src/sip/edge/via-branch.ts';
import {
  CALLER,
  contextOf,
  DOMAIN,
  EDGE_HOST,
  EDGE_PORT,
  headerOf,
  outcomeCount,
  requestText,
  type StageBench,
  stageBench,
  statusOf,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let gate: IngressGate;
before(async () => {
  b = await stageBench({ stateConfig: { authFailure: { maxFailures: 2 }, sipPacketRate: 3 } });
  gate = new IngressGate(b.deps, b.responder);
});
after(() => b.close());

test('a request that passes fills the context: Vias, To, dialog flag and transaction key', () => {
  const ctx = contextOf({ method: 'BYE', uri: `sip:bob@t1.${DOMAIN}`, toTag: 'tt9' });
  assert.equal(gate.check(ctx), true);
  assert.equal(ctx.vias.length, 1);
  assert.equal(ctx.topVia, ctx.vias[0]);
  assert.equal(ctx.inDialog, true);
  assert.equal(ctx.to?.tag, 'tt9');
  assert.equal(ctx.txKey, `${ctx.topVia?.branch}|BYE|${CALLER.address}|${CALLER.port}`);
  assert.equal(b.replies.length, 0);
});

test('Max-Forwards 0 is refused 483 (RFC 3261 §16.3 step 3) and logged once', () => {
  const text = requestText({ method: 'INVITE', uri: `sip:bob@t1.${DOMAIN}` }).replace(
    'Max-Forwards: 70',
    'Max-Forwards: 0',
  );
  const logsBefore = b.logs.length;
  const ctx = contextOf(text);
  assert.equal(gate.check(ctx), false);
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 483);
  assert.equal(b.logs.length, logsBefore + 1);
});

test('a request that carries our own Via (branch and sent-by) is a loop: 482', () => {
  const ours = forwardBranch(b.deps.keys.branch, 'z9hG4bKx', 'a:1', 'b:2');
  const ctx = contextOf({
    method: 'INVITE',
    uri: `sip:bob@t1.${DOMAIN}`,
    via: [
      `SIP/2.0/UDP ${CALLER.address}:${CALLER.port};branch=z9hG4bKloop1`,
      `SIP/2.0/UDP ${EDGE_HOST}:${EDGE_PORT};branch=${ours}`,
    ],
  });
  assert.equal(gate.check(ctx), false);
  const reply = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(reply), 482);
  // The answer goes back by the caller's Via: both Vias copied (§8.2.6.2).
  assert.equal(headerOf(reply, 'Via').length, 2);
});

test('an unparseable packet is answered 400 when its Via survived, and counted as parse_error', async () => {
  const before = await outcomeCount(b, 'parse_error');
  const text = requestText({ method: 'OPTIONS', uri: `sip:t1.${DOMAIN}` }).replace(
    'CSeq: 1 OPTIONS',
    'CSeq: x',
  );
  const from = { ...CALLER, port: 5999 };
  assert.equal(gate.parse(Buffer.from(text), from), undefined);
  assert.equal(await outcomeCount(b, 'parse_error'), before + 1);
  const last = b.replies.at(-1);
  assert.equal(statusOf(last?.data ?? ''), 400);
  assert.equal(last?.to.port, 5999);
});

test('a CRLF keep-alive is neither a message nor an error', async () => {
  const before = await outcomeCount(b, 'parse_error');
  const replies = b.replies.length;
  assert.equal(gate.parse(Buffer.from('\r\n\r\n'), CALLER), undefined);
  assert.equal(b.replies.length, replies);
  assert.equal(await outcomeCount(b, 'parse_error'), before);
});

test('the packet cap drops a source over its rate; a banned source is dropped before anything', async () => {
  const src = { ...CALLER, address: '198.51.100.99' };
  let admitted = 0;
  for (let i = 0; i < 10; i++) if (gate.admitPacket(src)) admitted++;
  assert.ok(admitted >= 1 && admitted < 10, `admitted ${admitted} of 10`);
  assert.ok((await outcomeCount(b, 'rate_capped')) >= 1);

  const bad = { ...CALLER, address: '198.51.100.66' };
  assert.equal(gate.admitPacket(bad), true);
  b.state.recordFailure(bad.address);
  b.state.recordFailure(bad.address);
  assert.equal(gate.admitPacket(bad), false);
  assert.equal(await outcomeCount(b, 'banned'), 1);
});
