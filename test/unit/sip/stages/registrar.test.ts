import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import { Registrar } from '../../../../src/sip/edge/stages/registrar.ts';
import type { RequestContext } from '../../../../src/sip/edge/stages/request-context.ts';
import { TargetAndAdmission } from '../../../../src/sip/edge/stages/target-and-admission.ts';
import {
  contextOf,
  DOMAIN,
  headerOf,
  type RequestText,
  type StageBench,
  stageBench,
  statusOf,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let registrar: Registrar;
let gate: IngressGate;
let admission: TargetAndAdmission;
before(async () => {
  b = await stageBench({ targets: [{ id: 'reg1' }] });
  registrar = new Registrar(b.deps, b.responder);
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

test('REGISTER binds its Contacts (Expires clamped to 3600) and lists every binding in the 200', async () => {
  const uri = `sip:reg1.${DOMAIN}`;
  const ctx = admitted({
    method: 'REGISTER',
    uri,
    headers: ['Contact: <sip:alice@198.51.100.7:5070>;expires=60', 'Expires: 99999'],
  });
  await registrar.run(ctx);
  const reply = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(reply), 200);
  const contacts = headerOf(reply, 'Contact').sort();
  assert.deepEqual(contacts, [
    '<sip:alice@198.51.100.7:5070>;expires=60',
    '<sip:caller@198.51.100.7:5062>;expires=3600',
  ]);
});

test('Contact: * with Expires: 0 removes every binding of the AOR', async () => {
  const uri = `sip:reg1.${DOMAIN}`;
  const text = [
    `REGISTER ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKstar1',
    'Max-Forwards: 70',
    `From: <sip:caller@${DOMAIN}>;tag=f1`,
    `To: <${uri}>`,
    'Call-ID: star@unit',
    'CSeq: 9 REGISTER',
    'Contact: *',
    'Expires: 0',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const ctx = contextOf(text);
  assert.equal(gate.check(ctx), true);
  assert.equal(admission.run(ctx), true);
  await registrar.run(ctx);
  const reply = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(reply), 200);
  assert.deepEqual(headerOf(reply, 'Contact'), []);
});
