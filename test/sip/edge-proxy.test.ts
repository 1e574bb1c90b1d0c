// The edge as a stateless proxy (issue 7 item 7, RFC 3261 §16): in-dialog requests are relayed only
// along our own HMAC-signed Record-Route (no open relay), loops are detected, a CANCEL follows the
// INVITE it cancels, responses return by Via, OPTIONS to the edge itself is answered for admitted
// sources, and REGISTER keeps and removes bindings. With one edge thread and with two (a CANCEL
// or an in-dialog request may reach another thread than its INVITE did).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import {
  createAcl,
  createCredential,
  createTrunk,
  EDGE_MODES,
  type EdgeServer,
  HOOK_TIMEOUT,
  header,
  headerValues,
  newBranch,
  PASSWORD,
  pollUntil,
  type RawUpstream,
  rawUpstream,
  type SipClient,
  type SipMsg,
  sendAuthenticated,
  startEdgeServer,
  udpClient,
  uniqueUser,
  waitForTarget,
} from '../helpers/sip.ts';

for (const mode of EDGE_MODES) {
  describe(`the edge as a proxy (${mode.name})`, { timeout: 120_000 }, () => {
    let s: EdgeServer;
    let up: RawUpstream;
    let c: SipClient;
    let domain: string;

    before(async () => {
      up = await rawUpstream();
      s = await startEdgeServer({ workers: mode.workers, env: { TRUNKGATE_UPSTREAM: up.uri } });
      c = await udpClient(s.sipHost, s.sipPort);
      ({ domain } = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['127.0.0.1/32']) }));
      await waitForTarget(s, `sip:${domain}`);
    }, HOOK_TIMEOUT);

    after(async () => {
      await c?.close();
      await s?.stop();
      await up?.close();
    }, HOOK_TIMEOUT);

    /** Sends an INVITE and returns the copy the upstream received. */
    async function forwardInvite(callId: string, branch = newBranch()): Promise<SipMsg> {
      c.send({ method: 'INVITE', ruri: `sip:+1666@${domain}`, callId, branch, fromTag: 'caller' });
      const got = await pollUntil(
        async () => up.received.find((m) => m.method === 'INVITE' && header(m, 'call-id') === callId),
        5_000,
        10,
      );
      assert.ok(got, `INVITE ${callId} reached the upstream`);
      return got;
    }

    test('a response from upstream returns to the caller by Via, with our Via removed', async () => {
      const callId = `resp-${randomBytes(4).toString('hex')}@proxy`;
      const branch = newBranch();
      const inv = await forwardInvite(callId, branch);
      // Answer as the upstream would: a 486 to the top Via (ours), from another socket.
      const res = [
        'SIP/2.0 486 Busy Here',
        ...headerValues(inv, 'Via').map((v) => `Via: ${v}`),
        `From: ${header(inv, 'From')}`,
        `To: ${header(inv, 'To')};tag=uas1`,
        `Call-ID: ${callId}`,
        `CSeq: ${header(inv, 'CSeq')}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      const sock = dgram.createSocket('udp4');
      try {
        await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
        await new Promise<void>((r, j) => sock.send(res, s.sipPort, '127.0.0.1', (e) => (e ? j(e) : r())));
      } finally {
        sock.close();
      }
      const back = await c.response(branch);
      assert.ok(back, 'the 486 came back');
      assert.equal(back.status, 486);
      assert.equal(headerValues(back, 'Via').length, 1);
      assert.match(header(back, 'Via') ?? '', new RegExp(`branch=${branch}`));
    });

    test('a CANCEL follows its INVITE upstream; a CANCEL for nothing we forwarded is 481', async () => {
      for (let i = 0; i < 4; i++) {
        // Several rounds: with two threads the CANCEL lands on either one.
        const callId = `cancel-${i}-${randomBytes(4).toString('hex')}@proxy`;
        const branch = newBranch();
        const inv = await forwardInvite(callId, branch);
        c.send({ method: 'CANCEL', ruri: `sip:+1666@${domain}`, callId, branch, fromTag: 'caller', cseq: 1 });
        const cancel = await pollUntil(
          async () => up.received.find((m) => m.method === 'CANCEL' && header(m, 'call-id') === callId),
          5_000,
          10,
        );
        const answered = c.received.find((m) => header(m, 'call-id') === callId && m.status !== undefined);
        assert.ok(
          cancel,
          `round ${i}: the CANCEL reached the upstream (the edge answered ${answered?.startLine})`,
        );
        // RFC 3261 §9.1: the CANCEL must carry the branch of the INVITE it cancels.
        assert.equal(headerValues(cancel, 'Via')[0], headerValues(inv, 'Via')[0]);
      }
      const stray = await c.request({
        method: 'CANCEL',
        ruri: `sip:+1666@${domain}`,
        callId: 'nothing@proxy',
      });
      assert.equal(stray.status, 481);
    });

    test('in-dialog requests: relayed along our Record-Route, a forged or foreign Route is 481', async () => {
      const callId = `dialog-${randomBytes(4).toString('hex')}@proxy`;
      const inv = await forwardInvite(callId);
      const rr = /<([^>]+)>/.exec(header(inv, 'Record-Route') ?? '')?.[1];
      assert.ok(rr, 'the forwarded INVITE carries our Record-Route');
      // The UAS's Contact would be the target; use the upstream itself.
      const target = `sip:uas@127.0.0.1:${up.port}`;
      const bye = await (async () => {
        c.send({
          method: 'BYE',
          ruri: target,
          callId,
          fromTag: 'caller',
          toTag: 'uas1',
          cseq: 2,
          headers: [['Route', `<${rr}>`]],
        });
        return pollUntil(
          async () => up.received.find((m) => m.method === 'BYE' && header(m, 'call-id') === callId),
          5_000,
          10,
        );
      })();
      assert.ok(bye, 'the BYE with our Route was relayed');
      assert.deepEqual(headerValues(bye, 'Route'), [], 'our Route is consumed');
      assert.deepEqual(headerValues(bye, 'X-Trunkgate-Account'), []);
      // A Route with a forged MAC, or for another dialog, or none at all: not relayed.
      const forged = rr.replace(/tg=[^;>]+/, 'tg=AAAAAAAAAAAAAAAAAAAAAA');
      for (const route of [`<${forged}>`, `<${rr}>`, undefined]) {
        const otherCall: string = route === `<${rr}>` ? `other-${callId}` : callId;
        const r = await c.request({
          method: 'BYE',
          ruri: target,
          callId: otherCall,
          fromTag: 'caller',
          toTag: 'uas1',
          cseq: 3,
          ...(route === undefined ? {} : { headers: [['Route', route]] }),
        });
        assert.equal(r.status, 481, `${route ?? 'no Route'} for ${otherCall}`);
      }
      assert.equal(
        up.received.filter((m) => m.method === 'BYE' && header(m, 'call-id')?.endsWith(callId)).length,
        1,
      );
    });

    test('a request that already went through this edge is a loop (482); Max-Forwards 0 is 483', async () => {
      const inv = await forwardInvite(`loop-${randomBytes(4).toString('hex')}@proxy`);
      const ourVia = headerValues(inv, 'Via')[0]!;
      const looped = await c.request({
        method: 'INVITE',
        ruri: `sip:+1666@${domain}`,
        headers: [['Via', ourVia]],
      });
      assert.equal(looped.status, 482, looped.raw);
      const tooFar = await c.request({ method: 'INVITE', ruri: `sip:+1666@${domain}`, maxForwards: 0 });
      assert.equal(tooFar.status, 483);
    });

    test('OPTIONS to the edge itself: 200 for a source some ACL admits, 403 otherwise', async () => {
      const ok = await c.request({ method: 'OPTIONS', ruri: 'sip:sip.test.local' });
      assert.equal(ok.status, 200);
      assert.ok(header(ok, 'Allow')?.includes('INVITE'));
      const stranger = await udpClient(s.sipHost, s.sipPort, '127.0.0.99');
      try {
        assert.equal((await stranger.request({ method: 'OPTIONS', ruri: 'sip:sip.test.local' })).status, 403);
      } finally {
        await stranger.close();
      }
    });

    test('REGISTER keeps bindings (returned in Contact) and removes them with Expires 0', async () => {
      const user = uniqueUser('reg');
      const t = await createTrunk(s, { credential_uuid: await createCredential(s, user) });
      await waitForTarget(s, `sip:${t.domain}`);
      const reg = (contact: string, expires: string) => ({
        method: 'REGISTER',
        ruri: `sip:${t.domain}`,
        to: `<sip:${user}@${t.domain}>`,
        from: `<sip:${user}@${t.domain}>`,
        contact,
        headers: [['Expires', expires]] as Array<[string, string]>,
      });
      const auth = { username: user, password: PASSWORD };
      const a = await sendAuthenticated(c, reg('<sip:a@127.0.0.1:7001>', '120'), auth);
      assert.equal(a.final.status, 200);
      const b = await sendAuthenticated(c, reg('<sip:b@127.0.0.1:7002>', '120'), auth);
      const both = headerValues(b.final, 'Contact');
      assert.equal(both.length, 2, b.final.raw);
      assert.ok(both.some((v) => v.startsWith('<sip:a@127.0.0.1:7001>')));
      assert.ok(
        both.every((v) => /;expires=(1[01]\d|120)$/.test(v)),
        both.join(' | '),
      );
      const removed = await sendAuthenticated(c, reg('<sip:a@127.0.0.1:7001>', '0'), auth);
      assert.deepEqual(
        headerValues(removed.final, 'Contact').map((v) => v.replace(/;expires=\d+$/, '')),
        ['<sip:b@127.0.0.1:7002>'],
      );
      const all = await sendAuthenticated(c, reg('*', '0'), auth);
      assert.equal(all.final.status, 200);
      assert.deepEqual(headerValues(all.final, 'Contact'), []);
    });
  });
}
