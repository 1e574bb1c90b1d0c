import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Cps } from '../../../../src/sip/edge/stages/cps.ts';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import type { RequestContext } from '../../../../src/sip/edge/stages/request-context.ts';
import { TargetAndAdmission } from '../../../../src/sip/edge/stages/target-and-admission.ts';
import {
  contextOf,
  DOMAIN,
  headerOf,
  outcomeCount,
  type RequestText,
  type StageBench,
  stageBench,
  statusOf,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let cps: Cps;
let gate: IngressGate;
let admission: TargetAndAdmission;
before(async () => {
  b = await stageBench({ targets: [{ id: 'cps2', cpsLimit: 2 }, { id: 'free1' }] });
  cps = new Cps(b.deps, b.responder);
  gate = new IngressGate(b.deps, b.responder);
  admission = new TargetAndAdmission(b.deps, b.responder);
});
after(() => b.close());

function admitted(r: RequestText): RequestContext {
  const ctx = contextOf(r);
  assert.equal(gate.check(ctx), true);
  assert.equal(admission.run(ctx), true);
  return ctx;
}

test('applies only to INVITEs to a target with cps_limit', () => {
  assert.equal(cps.applies(admitted({ method: 'INVITE', uri: `sip:1@cps2.${DOMAIN}` })), true);
  assert.equal(cps.applies(admitted({ method: 'MESSAGE', uri: `sip:1@cps2.${DOMAIN}` })), false);
  assert.equal(cps.applies(admitted({ method: 'INVITE', uri: `sip:1@free1.${DOMAIN}` })), false);
});

test('within the limit calls pass; over it 503 with Retry-After, remembered for retransmissions', async () => {
  let passed = 0;
  let last: RequestContext | undefined;
  for (let i = 0; i < 4; i++) {
    last = admitted({ method: 'INVITE', uri: `sip:1@cps2.${DOMAIN}`, callId: `cps-${i}` });
    if (await cps.run(last)) passed++;
  }
  assert.equal(passed, 2);
  const reply = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(reply), 503);
  assert.ok(Number(headerOf(reply, 'Retry-After')[0]) >= 1);
  assert.equal(await outcomeCount(b, 'cps_refused'), 2);
  assert.equal(b.tx.get(last?.txKey ?? '', b.now())?.kind, 'response');
  // A new second: the bucket refills (the bench's clock, not the wall clock).
  b.advance(1_000);
  assert.equal(
    await cps.run(admitted({ method: 'INVITE', uri: `sip:1@cps2.${DOMAIN}`, callId: 'cps-next' })),
    true,
  );
});
