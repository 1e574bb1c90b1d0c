// GET /metrics (issue 7 item 9): Prometheus text with a counter per outcome and transport, and the
// request latency histogram, moving with real traffic. With several edge threads the main thread
// merges every thread's counters, so this runs with one thread and with two.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  authorizationFor,
  createAcl,
  createCredential,
  createTrunk,
  EDGE_MODES,
  type EdgeServer,
  HOOK_TIMEOUT,
  metricValue,
  outcomeCount,
  PASSWORD,
  pollUntil,
  type RawUpstream,
  rawUpstream,
  type SipClient,
  sendAuthenticated,
  startEdgeServer,
  tcpClient,
  udpClient,
  uniqueUser,
  waitForTarget,
} from '../helpers/sip.ts';

const OUTCOMES = [
  'admitted',
  'challenged',
  'bad_digest',
  'replay',
  'stale',
  'acl_refused',
  'banned',
  'cps_refused',
  'parse_error',
  'not_found',
  'registered',
];

for (const mode of EDGE_MODES) {
  describe(`GET /metrics (${mode.name})`, { timeout: 120_000 }, () => {
    let s: EdgeServer;
    let up: RawUpstream;
    let udp: SipClient;
    let tcp: SipClient;

    before(async () => {
      up = await rawUpstream();
      s = await startEdgeServer({ workers: mode.workers, env: { TRUNKGATE_UPSTREAM: up.uri } });
      udp = await udpClient(s.sipHost, s.sipPort);
      tcp = await tcpClient(s.sipHost, s.sipPort);
    }, HOOK_TIMEOUT);

    after(async () => {
      await udp?.close();
      await tcp?.close();
      await s?.stop();
      await up?.close();
    }, HOOK_TIMEOUT);

    test('Prometheus text: every outcome has a series per transport from the start', async () => {
      const res = await fetch(`${s.origin}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      assert.match(text, /^# TYPE trunkgate_sip_requests_total counter$/m);
      assert.match(text, /^# TYPE trunkgate_sip_request_duration_seconds histogram$/m);
      for (const o of OUTCOMES)
        for (const t of ['udp', 'tcp'])
          assert.match(
            text,
            new RegExp(`^trunkgate_sip_requests_total\\{outcome="${o}",transport="${t}"\\} \\d+$`, 'm'),
          );
      // "unknown user" is never a label of its own: it is counted as bad_digest.
      assert.doesNotMatch(text, /unknown/);
    });

    test('the counters move by exactly what the traffic did, per transport', async () => {
      const user = uniqueUser('metrics');
      const digest = await createTrunk(s, { credential_uuid: await createCredential(s, user) });
      const byIp = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['127.0.0.1/32']) });
      const refused = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['192.0.2.1/32']) });
      for (const t of [digest, byIp, refused]) await waitForTarget(s, `sip:${t.domain}`);
      const before = await s.metrics();
      const register = {
        method: 'REGISTER',
        ruri: `sip:${digest.domain}`,
        to: `<sip:${user}@${digest.domain}>`,
        from: `<sip:${user}@${digest.domain}>`,
        contact: `<sip:${user}@127.0.0.1:5070>`,
      };
      // UDP: one registration (challenged + registered), one bad digest, one unknown domain,
      // one ACL refusal, one admitted INVITE, one unparseable message.
      const ok = await sendAuthenticated(udp, register, { username: user, password: PASSWORD });
      assert.equal(ok.final.status, 200);
      const challenge = await udp.request({ ...register, callId: 'm-bad@metrics' });
      const wrong = authorizationFor(challenge, 'REGISTER', register.ruri, {
        username: user,
        password: `${PASSWORD}x`,
      });
      assert.equal(
        (
          await udp.request({
            ...register,
            callId: 'm-bad@metrics',
            cseq: 2,
            headers: [['Authorization', wrong]],
          })
        ).status,
        401,
      );
      assert.equal((await udp.request({ method: 'OPTIONS', ruri: 'sip:nobody.invalid' })).status, 404);
      assert.equal(
        (await udp.request({ method: 'INVITE', ruri: `sip:+1555@${refused.domain}` })).status,
        403,
      );
      udp.send({ method: 'INVITE', ruri: `sip:+1555@${byIp.domain}`, callId: 'm-admitted@metrics' });
      assert.ok(
        await pollUntil(async () => up.received.find((m) => m.raw.includes('m-admitted@metrics')), 5_000),
      );
      udp.sendRaw(
        'INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad\r\nContent-Length: -1\r\n\r\n',
      );
      // TCP: one registration.
      const okTcp = await sendAuthenticated(tcp, register, { username: user, password: PASSWORD });
      assert.equal(okTcp.final.status, 200);

      const now = await pollUntil(async () => {
        const text = await s.metrics();
        return outcomeCount(text, 'parse_error', 'udp') > outcomeCount(before, 'parse_error', 'udp')
          ? text
          : undefined;
      }, 5_000);
      assert.ok(now, 'the parse error was counted');
      const moved = (outcome: string, transport: 'udp' | 'tcp') =>
        outcomeCount(now, outcome, transport) - outcomeCount(before, outcome, transport);
      assert.deepEqual(Object.fromEntries(OUTCOMES.map((o) => [o, moved(o, 'udp')])), {
        admitted: 1,
        challenged: 2,
        bad_digest: 1,
        replay: 0,
        stale: 0,
        acl_refused: 1,
        banned: 0,
        cps_refused: 0,
        parse_error: 1,
        not_found: 1,
        registered: 1,
      });
      assert.equal(moved('challenged', 'tcp'), 1);
      assert.equal(moved('registered', 'tcp'), 1);
      // Latency is observed for every request that reached the decision pipeline.
      const latency = (t: string) => metricValue(t, 'trunkgate_sip_request_duration_seconds_count');
      assert.ok(
        latency(now) - latency(before) >= 9,
        `latency observations: ${latency(now) - latency(before)}`,
      );
    });
  });
}
