import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Digest } from '../../../../src/sip/edge/stages/digest.ts';
import { Forwarder } from '../../../../src/sip/edge/stages/forwarder.ts';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import type { RequestContext } from '../../../../src/sip/edge/stages/request-context.ts';
import { TargetAndAdmission } from '../../../../src/sip/edge/stages/target-and-admission.ts';
import { isOurBranch } from '../../../../src/sip/edge/via-branch.ts';
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
let forwarder: Forwarder;
let gate: IngressGate;
let admission: TargetAndAdmission;
let digest: Digest;
before(async () => {
  b = await stageBench({ targets: [{ id: 'fw1', acl: ['198.51.100.0/24'] }] });
  forwarder = new Forwarder(b.deps, b.tx, b.responder, b.now);
  gate = new IngressGate(b.deps, b.responder);
  admission = new TargetAndAdmission(b.deps, b.responder);
  digest = new Digest(b.deps, b.responder, b.now);
});
after(() => b.close());

async function admitted(r: RequestText): Promise<RequestContext> {
  const ctx = contextOf(r);
  assert.equal(gate.check(ctx), true);
  assert.equal(admission.run(ctx), true);
  assert.equal(await digest.run(ctx), true);
  return ctx;
}

test('an admitted INVITE goes upstream with our Via, received/rport, a Record-Route and identity headers', async () => {
  const ctx = await admitted({
    method: 'INVITE',
    uri: `sip:+1555@fw1.${DOMAIN}`,
    headers: ['X-Trunkgate-Account: forged', 'x-trunkgate-trunk: forged'],
  });
  forwarder.run(ctx);
  const out = b.sent.at(-1);
  assert.equal(out?.host, UPSTREAM.host);
  assert.equal(out?.port, UPSTREAM.port);
  const text = out?.data ?? '';
  const vias = headerOf(text, 'Via');
  assert.equal(vias.length, 2);
  assert.match(vias[0] ?? '', new RegExp(`^SIP/2.0/UDP ${EDGE_HOST}:5060;branch=`));
  assert.ok(isOurBranch(/branch=([^;]+)/.exec(vias[0] ?? '')?.[1]));
  assert.match(vias[1] ?? '', new RegExp(`;received=${CALLER.address};rport=${CALLER.port}$`));
  assert.equal(headerOf(text, 'Max-Forwards')[0], '69');
  assert.match(
    headerOf(text, 'Record-Route')[0] ?? '',
    /^<sip:192\.0\.2\.10:5060;transport=udp;lr;tg=[\w-]+>$/,
  );
  assert.deepEqual(headerOf(text, 'X-Trunkgate-Account'), ['MAUNITACCOUNT0000001']);
  assert.deepEqual(headerOf(text, 'X-Trunkgate-Trunk'), ['fw1']);
  assert.deepEqual(headerOf(text, 'X-Trunkgate-Auth'), ['ip']);
  // Remembered: a retransmission is forwarded again, byte for byte (§16.11).
  const cached = b.tx.get(ctx.txKey, b.now());
  assert.equal(cached?.kind, 'forwarded');
  assert.equal(cached?.kind === 'forwarded' ? cached.data.toString() : '', text);
});

test('a MESSAGE gets no Record-Route', async () => {
  forwarder.run(await admitted({ method: 'MESSAGE', uri: `sip:+1555@fw1.${DOMAIN}` }));
  assert.deepEqual(headerOf(b.sent.at(-1)?.data ?? '', 'Record-Route'), []);
});

test('without an upstream the request is refused 503', async () => {
  const nb = await (await import('../../../helpers/edge-stage-fixture.ts')).stageBench({
    targets: [{ id: 'fw1' }],
    upstream: undefined,
  });
  try {
    const g = new IngressGate(nb.deps, nb.responder);
    const a = new TargetAndAdmission(nb.deps, nb.responder);
    const ctx = contextOf({ method: 'INVITE', uri: `sip:1@fw1.${DOMAIN}` });
    assert.equal(g.check(ctx) && a.run(ctx), true);
    new Forwarder(nb.deps, nb.tx, nb.responder, nb.now).run(ctx);
    assert.equal(nb.sent.length, 0);
    assert.equal(statusOf(nb.replies.at(-1)?.data ?? ''), 503);
  } finally {
    await nb.close();
  }
});

test('caller over TCP, upstream over UDP: two Record-Routes, the top one facing the upstream (RFC 5658)', async () => {
  const ctx = contextOf(
    {
      method: 'INVITE',
      uri: `sip:+1555@fw1.${DOMAIN}`,
      via: [`SIP/2.0/TCP ${CALLER.address}:5070;branch=z9hG4bKtcp1`],
    },
    { ...CALLER, transport: 'tcp' },
  );
  assert.equal(gate.check(ctx) && admission.run(ctx) && (await digest.run(ctx)), true);
  forwarder.run(ctx);
  const rr = headerOf(b.sent.at(-1)?.data ?? '', 'Record-Route');
  assert.equal(rr.length, 2);
  assert.match(rr[0] ?? '', /;transport=udp;/);
  assert.match(rr[1] ?? '', /;transport=tcp;/);
  assert.equal(/tg=([^>;]+)/.exec(rr[0] ?? '')?.[1], /tg=([^>;]+)/.exec(rr[1] ?? '')?.[1]);
});

test('our realm’s Proxy-Authorization is consumed, another realm’s is passed on (RFC 3261 §22.3)', async () => {
  const foreign = 'Digest username="x", realm="carrier.example", nonce="n", uri="sip:x@y", response="00"';
  const ctx = await admitted({
    method: 'INVITE',
    uri: `sip:+1555@fw1.${DOMAIN}`,
    headers: [
      `Proxy-Authorization: Digest username="u", realm="${DOMAIN}", nonce="n", uri="sip:x@y", response="00"`,
      `Proxy-Authorization: ${foreign}`,
    ],
  });
  forwarder.run(ctx);
  assert.deepEqual(headerOf(b.sent.at(-1)?.data ?? '', 'Proxy-Authorization'), [foreign]);
});
