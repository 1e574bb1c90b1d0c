import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import {
  CALLER,
  contextOf,
  DOMAIN,
  headerOf,
  outcomeCount,
  type StageBench,
  stageBench,
  statusOf,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let gate: IngressGate;
before(async () => {
  b = await stageBench();
  gate = new IngressGate(b.deps, b.responder);
});
after(() => b.close());

test('a response copies Via, From, To (with our tag), Call-ID and CSeq (RFC 3261 §8.2.6.2) and names the server', () => {
  const ctx = contextOf({ method: 'INVITE', uri: `sip:1@t.${DOMAIN}`, callId: 'resp-1', cseq: 7 });
  assert.equal(gate.check(ctx), true);
  b.responder.respondCached(ctx, 404, 'Not Found');
  const reply = b.replies.at(-1);
  assert.deepEqual(reply?.to, CALLER);
  const text = reply?.data ?? '';
  assert.equal(statusOf(text), 404);
  assert.equal(headerOf(text, 'Call-ID')[0], 'resp-1');
  assert.equal(headerOf(text, 'CSeq')[0], '7 INVITE');
  assert.match(headerOf(text, 'To')[0] ?? '', new RegExp(`;tag=${b.deps.keys.toTag}$`));
  assert.deepEqual(headerOf(text, 'Server'), ['trunkgate']);
  assert.equal(b.tx.get(ctx.txKey, b.now())?.kind, 'response');
});

test('a final refusal is counted, answered and logged in one line with source and reason only', async () => {
  const ctx = contextOf({
    method: 'INVITE',
    uri: `sip:1@t.${DOMAIN}`,
    headers: ['Proxy-Authorization: Digest username="u", response="00112233445566778899aabbccddeeff"'],
  });
  assert.equal(gate.check(ctx), true);
  const logs = b.logs.length;
  b.responder.finalRefusal(ctx, 'acl_refused', 403, 'Forbidden', 'source not in ACL');
  assert.equal(await outcomeCount(b, 'acl_refused'), 1);
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 403);
  assert.equal(b.logs.length, logs + 1);
  const sip = b.logs.at(-1)?.['sip'] as Record<string, unknown>;
  assert.equal(sip['source'], `${CALLER.address}:${CALLER.port}`);
  assert.equal(sip['reason'], 'source not in ACL');
  assert.ok(!(b.rawLog.at(-1) ?? '').includes('00112233445566778899aabbccddeeff'));
});
