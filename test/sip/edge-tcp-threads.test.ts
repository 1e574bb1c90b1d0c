// TCP callers across edge threads: with two threads on one port (SO_REUSEPORT) a caller's TCP
// connection is held by one thread while the upstream's answers (UDP, from the sipp UAS) reach
// whichever thread the kernel picks. The thread that reads an answer finds the caller's thread and
// connection in our Via branch and hands the bytes over (src/sip/edge/tcp-handoff.ts). sipp with
// one TCP connection per call ("tn") spreads the callers over both threads; every call must get its
// 180 and 200 back on its own connection.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createCredential,
  createTrunk,
  describeSipp,
  type EdgeServer,
  freeSipPort,
  HOOK_TIMEOUT,
  metricValue,
  PASSWORD,
  runSipp,
  sippSkip,
  startEdgeServer,
  startSipp,
  uniqueUser,
  waitForTarget,
  waitForUdpBound,
} from '../helpers/sip.ts';

const CALLS = 20;

/** Responses a sipp -trace_msg log shows as received, by status line (e.g. "SIP/2.0 180"). */
function receivedStatuses(log: string): string[] {
  const out: string[] = [];
  for (const m of log.matchAll(
    /(?:UDP|TCP) message received \[\d+\] bytes :\n\n(SIP\/2\.0 \d{3})[^\n]*\n[\s\S]*?CSeq: *\d+ ([A-Z]+)/g,
  ))
    out.push(`${m[1]} ${m[2]}`);
  return out;
}

describe('TCP callers across two edge threads', { ...sippSkip(), timeout: 240_000 }, () => {
  let s: EdgeServer;
  let uasPort: number;
  let user: string;
  let domain: string;

  before(async () => {
    uasPort = await freeSipPort();
    s = await startEdgeServer({
      workers: 2,
      env: { TRUNKGATE_UPSTREAM: `sip:127.0.0.1:${uasPort};transport=udp` },
    });
    user = uniqueUser('tcpthreads');
    const credentialUuid = await createCredential(s, user);
    ({ domain } = await createTrunk(s, { credential_uuid: credentialUuid, digest_algorithms: ['MD5'] }));
    await waitForTarget(s, `sip:${domain}`);
  }, HOOK_TIMEOUT);

  after(async () => {
    await s?.stop();
  }, HOOK_TIMEOUT);

  test(`${CALLS} calls, one TCP connection each: no 180 or 200 lost`, async () => {
    const handoffsBefore = metricValue(await s.metrics(), 'trunkgate_sip_tcp_handoffs_total');
    const uas = startSipp({
      scenario: 'invite-uas.xml',
      calls: CALLS,
      timeoutSeconds: 90,
      localPort: uasPort,
    });
    try {
      await waitForUdpBound(uasPort);
      const uac = await runSipp({
        scenario: 'invite-auth-uac.xml',
        target: `127.0.0.1:${s.sipPort}`,
        transport: 'tn',
        user: { username: user, domain, password: PASSWORD },
        calls: CALLS,
        rate: 10,
        timeoutSeconds: 60,
        traceMessages: true,
        // "tn" wants max_socket below the open-file limit.
        extra: ['-max_socket', '256'],
      });
      assert.equal(uac.code, 0, describeSipp(uac));
      assert.equal(uac.successful, CALLS, describeSipp(uac));
      assert.equal(uac.failed, 0, describeSipp(uac));
      const statuses = receivedStatuses(uac.messages);
      const count = (s: string) => statuses.filter((x) => x === s).length;
      assert.ok(count('SIP/2.0 180 INVITE') >= CALLS, `180s received: ${count('SIP/2.0 180 INVITE')}`);
      assert.ok(count('SIP/2.0 200 INVITE') >= CALLS, `200s to INVITE: ${count('SIP/2.0 200 INVITE')}`);
      assert.ok(count('SIP/2.0 200 BYE') >= CALLS, `200s to BYE: ${count('SIP/2.0 200 BYE')}`);
      const u = await uas.done;
      assert.equal(u.successful, CALLS, describeSipp(u));
    } finally {
      await uas.stop();
    }
    // The connections were spread over both threads, so some answers crossed threads.
    const handoffs = metricValue(await s.metrics(), 'trunkgate_sip_tcp_handoffs_total') - handoffsBefore;
    assert.ok(handoffs > 0, `handoffs: ${handoffs}`);
  });
});
