import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import { Retransmission } from '../../../../src/sip/edge/stages/retransmission.ts';
import {
  CALLER,
  contextOf,
  DOMAIN,
  outcomeCount,
  requestText,
  type StageBench,
  stageBench,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let stage: Retransmission;
let gate: IngressGate;
before(async () => {
  b = await stageBench();
  stage = new Retransmission(b.deps, b.tx, b.now);
  gate = new IngressGate(b.deps, b.responder);
});
after(() => b.close());

test('a new transaction passes; the same branch from the same source gets the remembered answer', async () => {
  const text = requestText({ method: 'OPTIONS', uri: `sip:t.${DOMAIN}` });
  const first = contextOf(text);
  assert.equal(gate.check(first), true);
  assert.equal(stage.run(first), true);
  b.responder.respondCached(first, 404, 'Not Found');
  const answer = b.replies.at(-1)?.data;

  const again = contextOf(text);
  assert.equal(gate.check(again), true);
  assert.equal(stage.run(again), false);
  assert.equal(b.replies.at(-1)?.data, answer);
  assert.equal(await outcomeCount(b, 'retransmission'), 1);

  // Another source with the same branch is another transaction (§17.2.3).
  const other = contextOf(text, { ...CALLER, port: CALLER.port + 1 });
  assert.equal(gate.check(other), true);
  assert.equal(stage.run(other), true);
});

test('a remembered forward is sent again to where the original went', () => {
  const ctx = contextOf({ method: 'INVITE', uri: `sip:1@t.${DOMAIN}` });
  assert.equal(gate.check(ctx), true);
  b.tx.set(
    ctx.txKey,
    {
      kind: 'forwarded',
      data: Buffer.from('INVITE again'),
      host: '203.0.113.5',
      port: 5080,
      transport: 'tcp',
    },
    b.now(),
  );
  assert.equal(stage.run(ctx), false);
  assert.deepEqual(b.sent.at(-1), {
    data: 'INVITE again',
    host: '203.0.113.5',
    port: 5080,
    transport: 'tcp',
  });
});

test('after Timer J (32 s) the transaction is forgotten', () => {
  const ctx = contextOf({ method: 'OPTIONS', uri: `sip:t.${DOMAIN}` });
  assert.equal(gate.check(ctx), true);
  b.responder.respondCached(ctx, 404, 'Not Found');
  b.advance(32_001);
  assert.equal(stage.run(ctx), true);
});
