import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import type { RequestContext } from '../../../../src/sip/edge/stages/request-context.ts';
import { TargetAndAdmission } from '../../../../src/sip/edge/stages/target-and-admission.ts';
import {
  CALLER,
  contextOf,
  DOMAIN,
  EDGE_HOST,
  headerOf,
  outcomeCount,
  type RequestText,
  type StageBench,
  stageBench,
  statusOf,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let stage: TargetAndAdmission;
let gate: IngressGate;
before(async () => {
  b = await stageBench({
    targets: [
      { id: 'open1', kind: 'trunk' },
      { id: 'acl1', acl: ['198.51.100.0/24'] },
      { id: 'off1', enabled: false },
      { id: 'tls1', secure: true },
      { id: 'APPUNIT1', kind: 'application', acl: ['10.0.0.0/8'] },
    ],
  });
  stage = new TargetAndAdmission(b.deps, b.responder);
  gate = new IngressGate(b.deps, b.responder);
});
after(() => b.close());

function checked(r: RequestText, from = CALLER): RequestContext {
  const ctx = contextOf(r, from);
  assert.equal(gate.check(ctx), true);
  return ctx;
}

test('a trunk named by {trunk_id}.{sip_domain} is the target; the context keeps URI, source and policy', () => {
  const ctx = checked({ method: 'INVITE', uri: `sip:+15550001@open1.${DOMAIN}` });
  assert.equal(stage.run(ctx), true);
  assert.equal(ctx.target?.id, 'open1');
  assert.equal(ctx.ruri?.user, '+15550001');
  assert.equal(ctx.source?.family, 4);
  assert.notEqual(ctx.policy, undefined);
  assert.equal(b.replies.length, 0);
});

test('an application is named by sip:{app_id}@{sip_domain}, and its ACL applies', async () => {
  const ctx = checked(
    { method: 'INVITE', uri: `sip:APPUNIT1@${DOMAIN}` },
    { ...CALLER, address: '10.1.2.3' },
  );
  assert.equal(stage.run(ctx), true);
  assert.equal(ctx.target?.kind, 'application');
  const refused = checked({ method: 'INVITE', uri: `sip:APPUNIT1@${DOMAIN}` });
  assert.equal(stage.run(refused), false);
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 403);
  assert.ok((await outcomeCount(b, 'acl_refused')) >= 1);
});

test('refusals: unknown target 404, disabled 403, secure (no TLS yet) 403, source outside the ACL 403', () => {
  const cases: Array<[string, number]> = [
    [`sip:x@nope.${DOMAIN}`, 404],
    [`sip:x@off1.${DOMAIN}`, 403],
    [`sip:x@tls1.${DOMAIN}`, 403],
    [`sip:x@acl1.${DOMAIN}`, 403],
    ['tel:+15550001', 404],
  ];
  for (const [uri, status] of cases) {
    const ctx = checked({ method: 'INVITE', uri }, { ...CALLER, address: '203.0.113.200' });
    assert.equal(stage.run(ctx), false, uri);
    assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), status, uri);
    // Remembered: a retransmission gets the same answer without a second evaluation.
    assert.equal(b.tx.get(ctx.txKey, b.now())?.kind, 'response', uri);
  }
});

test('OPTIONS to the edge itself: 200 with Allow for a source some ACL admits, 403 otherwise', () => {
  const ok = checked({ method: 'OPTIONS', uri: `sip:${EDGE_HOST}` });
  assert.equal(stage.run(ok), false);
  const reply = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(reply), 200);
  assert.match(headerOf(reply, 'Allow')[0] ?? '', /INVITE/);
  assert.deepEqual(headerOf(reply, 'Accept'), ['application/sdp']);

  const no = checked({ method: 'OPTIONS', uri: `sip:${DOMAIN}` }, { ...CALLER, address: '203.0.113.9' });
  assert.equal(stage.run(no), false);
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 403);
});
