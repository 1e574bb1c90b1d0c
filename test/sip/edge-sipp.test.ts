// sipp against the real edge (issue 7 "Tests"): authenticated REGISTERs over UDP and TCP, and an
// authenticated call (INVITE → 407 → ACK → INVITE with credentials → 180/200 → ACK → BYE → 200)
// relayed to a sipp UAS upstream, which must see our identity headers and none of the caller's
// spoofed X-Trunkgate-* ones. sipp 3.6 speaks only MD5 and answers only the first challenge, so its
// trunk offers MD5 alone. Runs against one edge thread and against two.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseChallenges } from '../helpers/digest-uac.ts';
import {
  createCredential,
  createTrunk,
  describeSipp,
  EDGE_MODES,
  type EdgeServer,
  freeSipPort,
  HOOK_TIMEOUT,
  headerValues,
  metricValue,
  outcomeCount,
  outcomeCounts,
  PASSWORD,
  parseSip,
  ROOT_AUTH_ID,
  runSipp,
  type SipMsg,
  sippSkip,
  startEdgeServer,
  startSipp,
  udpClient,
  uniqueUser,
  waitForTarget,
  waitForUdpBound,
} from '../helpers/sip.ts';

const REGISTERS = 300;

/** The messages a sipp -trace_msg log shows as received, in order. */
function receivedMessages(log: string): SipMsg[] {
  const out: SipMsg[] = [];
  for (const block of log.split(/^-{20,}.*$/m)) {
    const m = /^\s*(?:UDP|TCP) message received \[\d+\] bytes :\n\n([\s\S]*)$/.exec(block);
    if (m === null) continue;
    // sipp logs with LF line ends; restore CRLF for the parser.
    out.push(parseSip(m[1]!.replace(/\r?\n/g, '\r\n').replace(/(\r\n)+$/, '\r\n\r\n')));
  }
  return out;
}

for (const mode of EDGE_MODES) {
  describe(`sipp against the edge (${mode.name})`, { ...sippSkip(), timeout: 240_000 }, () => {
    let s: EdgeServer;
    let uasPort: number;
    let user: string;
    let credentialUuid: string;
    let domain: string;
    let trunkId: string;

    before(async () => {
      uasPort = await freeSipPort();
      s = await startEdgeServer({
        workers: mode.workers,
        env: { TRUNKGATE_UPSTREAM: `sip:127.0.0.1:${uasPort};transport=udp` },
      });
      user = uniqueUser('sipp');
      credentialUuid = await createCredential(s, user);
      ({ trunkId, domain } = await createTrunk(s, {
        credential_uuid: credentialUuid,
        digest_algorithms: ['MD5'],
      }));
      await waitForTarget(s, `sip:${domain}`);
    }, HOOK_TIMEOUT);

    after(async () => {
      await s?.stop();
    }, HOOK_TIMEOUT);

    test('the MD5-only trunk is challenged with exactly one MD5 challenge (what sipp can answer)', async () => {
      const c = await udpClient(s.sipHost, s.sipPort);
      try {
        const r = await c.request({
          method: 'REGISTER',
          ruri: `sip:${domain}`,
          to: `<sip:${user}@${domain}>`,
        });
        assert.equal(r.status, 401);
        assert.deepEqual(
          parseChallenges(headerValues(r, 'WWW-Authenticate')).map((ch) => ch.algorithm),
          ['MD5'],
        );
      } finally {
        await c.close();
      }
    });

    for (const transport of ['u1', 't1'] as const) {
      test(`sipp register-auth.xml over ${transport === 'u1' ? 'UDP' : 'TCP'}: ${REGISTERS} REGISTERs, every one challenged and then accepted`, async () => {
        const proto = transport === 'u1' ? 'udp' : 'tcp';
        const before = await s.metrics();
        const r = await runSipp({
          scenario: 'register-auth.xml',
          target: `127.0.0.1:${s.sipPort}`,
          transport,
          user: { username: user, domain, password: PASSWORD },
          calls: REGISTERS,
          rate: 300,
          timeoutSeconds: 60,
        });
        assert.equal(r.code, 0, describeSipp(r));
        assert.equal(r.successful, REGISTERS, describeSipp(r));
        assert.equal(r.failed, 0, describeSipp(r));
        const now = await s.metrics();
        const moved = (outcome: string) =>
          outcomeCount(now, outcome, proto) - outcomeCount(before, outcome, proto);
        // Retransmissions may add to these (a thread that did not see the original
        // re-evaluates it), never subtract.
        assert.ok(moved('challenged') >= REGISTERS, `challenged on ${proto}: ${moved('challenged')}`);
        assert.ok(moved('registered') >= REGISTERS, `registered on ${proto}: ${moved('registered')}`);
        assert.equal(moved('bad_digest'), 0);
        assert.equal(moved('replay'), 0);
      });
    }

    for (const transport of ['u1', 't1'] as const) {
      test(`an authenticated call over ${transport === 'u1' ? 'UDP' : 'TCP'} reaches the sipp UAS with our identity headers, the spoofed ones removed`, async () => {
        const beforeText = await s.metrics();
        const before = outcomeCounts(beforeText);
        const relayedBefore = metricValue(beforeText, 'trunkgate_sip_responses_relayed_total');
        const uas = startSipp({
          scenario: 'invite-uas.xml',
          calls: 1,
          timeoutSeconds: 60,
          localPort: uasPort,
          traceMessages: true,
        });
        try {
          // The UAS must be listening before the call starts.
          await waitForUdpBound(uasPort);
          const uac = await runSipp({
            scenario: 'invite-auth-uac.xml',
            target: `127.0.0.1:${s.sipPort}`,
            transport,
            user: { username: user, domain, password: PASSWORD },
            calls: 1,
            timeoutSeconds: 30,
          });
          assert.equal(uac.code, 0, describeSipp(uac));
          assert.equal(uac.successful, 1, describeSipp(uac));
          const u = await uas.done;
          assert.equal(u.successful, 1, describeSipp(u));
          const got = receivedMessages(u.messages);
          const invites = got.filter((m) => m.method === 'INVITE');
          assert.ok(invites.length >= 1, `the UAS received no INVITE:\n${u.messages.slice(0, 3000)}`);
          for (const inv of invites) {
            // Only the authenticated INVITE is forwarded; the first one was answered 407 by the edge.
            assert.match(headerValues(inv, 'CSeq')[0] ?? '', /^2 INVITE$/);
            assert.deepEqual(headerValues(inv, 'X-Trunkgate-Account'), [ROOT_AUTH_ID]);
            assert.deepEqual(headerValues(inv, 'X-Trunkgate-Trunk'), [trunkId]);
            assert.deepEqual(headerValues(inv, 'X-Trunkgate-Auth'), ['digest']);
            assert.deepEqual(headerValues(inv, 'X-Trunkgate-Credential'), [credentialUuid]);
            assert.deepEqual(headerValues(inv, 'X-Trunkgate-Application'), []);
            assert.doesNotMatch(inv.raw, /MASPOOFEDACCOUNT0001|spoofed-credential/);
            assert.equal(inv.raw.match(/^x-trunkgate-auth:/gim)?.length, 1);
            assert.deepEqual(headerValues(inv, 'Proxy-Authorization'), []);
            assert.match(headerValues(inv, 'Record-Route')[0] ?? '', /;lr;tg=/);
          }
          // ACK and BYE came back through the edge along our Record-Route (HMAC-checked).
          assert.ok(
            got.some((m) => m.method === 'ACK'),
            'the UAS got the ACK for its 200',
          );
          assert.ok(
            got.some((m) => m.method === 'BYE'),
            'the UAS got the BYE',
          );
          for (const m of got.filter((x) => x.method === 'ACK' || x.method === 'BYE'))
            assert.deepEqual(headerValues(m, 'X-Trunkgate-Account'), []);
        } finally {
          await uas.stop();
        }
        const text = await s.metrics();
        const now = outcomeCounts(text);
        // 180, 200 (INVITE) and 200 (BYE) came back from the UAS by Via.
        const relayed = metricValue(text, 'trunkgate_sip_responses_relayed_total') - relayedBefore;
        assert.ok(relayed >= 3, `responses relayed: ${relayed}`);
        assert.ok((now['admitted'] ?? 0) - (before['admitted'] ?? 0) >= 1);
        assert.ok((now['challenged'] ?? 0) - (before['challenged'] ?? 0) >= 1);
        assert.ok((now['in_dialog_relayed'] ?? 0) - (before['in_dialog_relayed'] ?? 0) >= 2);
      });
    }
  });
}
