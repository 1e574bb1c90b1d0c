// Right over every transport (RFC 5658, RFC 3581, RFC 3261 §18.2.2), with real packets against the
// real edge: when the caller and the upstream use different transports the edge records two routes
// so in-dialog requests leave by the right one; the edge's own responses carry received/rport; our
// realm's Proxy-Authorization never leaves the edge, in-dialog either; a response for a TCP caller
// whose connection is gone goes to the Via sent-by port; a ban writes one log line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  authorizationFor,
  buildRequest,
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
  parseSip,
  pollUntil,
  type RawUpstream,
  rawUpstream,
  type SipClient,
  type SipMsg,
  startEdgeServer,
  tcpClient,
  udpClient,
  uniqueUser,
  waitForTarget,
} from '../helpers/sip.ts';

/** A TCP listener that records framed SIP messages and remembers the connection each came on. */
interface TcpPeer {
  port: number;
  received: Array<{ msg: SipMsg; socket: net.Socket }>;
  close(): Promise<void>;
}

async function tcpPeer(host = '127.0.0.1', port = 0): Promise<TcpPeer> {
  const received: TcpPeer['received'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        while (buf.length >= 2 && buf[0] === 13 && buf[1] === 10) buf = buf.subarray(2);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const cl = /^(?:content-length|l)\s*:\s*(\d+)/im.exec(buf.subarray(0, end).toString('utf8'));
        const len = cl ? Number(cl[1]) : 0;
        if (buf.length < end + 4 + len) return;
        received.push({ msg: parseSip(buf.subarray(0, end + 4 + len).toString('utf8')), socket });
        buf = buf.subarray(end + 4 + len);
      }
    });
  });
  await new Promise<void>((r) => server.listen(port, host, () => r()));
  const a = server.address();
  return {
    port: typeof a === 'object' && a !== null ? a.port : 0,
    received,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function routeUris(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/,(?=\s*<)/)).map((v) => /<([^>]+)>/.exec(v)?.[1] ?? v);
}

for (const mode of EDGE_MODES) {
  describe(`the edge over mixed transports (${mode.name})`, { timeout: 120_000 }, () => {
    let s: EdgeServer;
    let up: TcpPeer;
    let domain: string;

    before(async () => {
      up = await tcpPeer();
      s = await startEdgeServer({
        workers: mode.workers,
        env: { TRUNKGATE_UPSTREAM: `sip:127.0.0.1:${up.port};transport=tcp` },
      });
      ({ domain } = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['127.0.0.1/32']) }));
      await waitForTarget(s, `sip:${domain}`);
    }, HOOK_TIMEOUT);

    after(async () => {
      await s?.stop();
      await up?.close();
    }, HOOK_TIMEOUT);

    test('UDP caller, TCP upstream: two Record-Routes (RFC 5658); in-dialog requests leave by the right transport', async () => {
      const c = await udpClient(s.sipHost, s.sipPort);
      try {
        const callId = `rr2-${randomBytes(4).toString('hex')}@transport`;
        c.send({
          method: 'INVITE',
          ruri: `sip:+1777@${domain}`,
          callId,
          fromTag: 'caller',
          contact: `<sip:caller@${c.sentBy}>`,
        });
        const inv = await pollUntil(
          async () =>
            up.received.find((r) => r.msg.method === 'INVITE' && header(r.msg, 'call-id') === callId),
          5_000,
          10,
        );
        assert.ok(inv, 'the INVITE reached the TCP upstream');
        const rr = routeUris(headerValues(inv.msg, 'Record-Route'));
        assert.equal(rr.length, 2, headerValues(inv.msg, 'Record-Route').join(' | '));
        // The top one faces the upstream (TCP), the second the caller (UDP).
        assert.match(rr[0] ?? '', /;transport=tcp/);
        assert.match(rr[1] ?? '', /;transport=udp/);

        // The callee hangs up: its route set is the Record-Route list in order (RFC 3261 §12.1.1).
        const bye = buildRequest({
          method: 'BYE',
          ruri: `sip:caller@${c.sentBy}`,
          callId,
          fromTag: 'uas1',
          toTag: 'caller',
          from: '<sip:+1777@upstream.invalid>',
          to: '<sip:caller@client.invalid>',
          cseq: 1,
          headers: rr.map((u) => ['Route', `<${u}>`] as [string, string]),
          transport: 'TCP',
          sentBy: `127.0.0.1:${up.port}`,
        });
        inv.socket.write(bye);
        const got = await pollUntil(
          async () => c.received.find((m) => m.method === 'BYE' && header(m, 'call-id') === callId),
          5_000,
          10,
        );
        assert.ok(got, 'the callee’s BYE reached the UDP caller');
        assert.deepEqual(headerValues(got, 'Route'), [], 'both of our Routes are consumed');
        assert.match(header(got, 'Via') ?? '', /^SIP\/2\.0\/UDP /);

        // The caller's re-INVITE: its route set is the reverse (§12.1.2); the target has no transport
        // parameter, so only our second Route can say it is TCP.
        c.send({
          method: 'INVITE',
          ruri: `sip:uas@127.0.0.1:${up.port}`,
          callId,
          fromTag: 'caller',
          toTag: 'uas1',
          cseq: 2,
          headers: [...rr].reverse().map((u) => ['Route', `<${u}>`] as [string, string]),
        });
        const reinvite = await pollUntil(
          async () =>
            up.received.find(
              (r) =>
                r.msg.method === 'INVITE' &&
                header(r.msg, 'call-id') === callId &&
                header(r.msg, 'to')?.includes('tag='),
            ),
          5_000,
          10,
        );
        assert.ok(reinvite, 'the re-INVITE reached the upstream over TCP');
        assert.deepEqual(headerValues(reinvite.msg, 'Route'), []);
      } finally {
        await c.close();
      }
    });

    test('same transport on both sides: one Record-Route, as before', async () => {
      const c = await tcpClient(s.sipHost, s.sipPort);
      try {
        const callId = `rr1-${randomBytes(4).toString('hex')}@transport`;
        c.send({ method: 'INVITE', ruri: `sip:+1777@${domain}`, callId });
        const inv = await pollUntil(
          async () =>
            up.received.find((r) => r.msg.method === 'INVITE' && header(r.msg, 'call-id') === callId),
          5_000,
          10,
        );
        assert.ok(inv);
        assert.equal(routeUris(headerValues(inv.msg, 'Record-Route')).length, 1);
      } finally {
        await c.close();
      }
    });

    test('a response for a TCP caller whose connection is gone goes to its Via sent-by port (RFC 3261 §18.2.2)', async () => {
      // The caller listens on a port of its own and names it in Via; its request leaves from
      // another (ephemeral) connection, which then closes.
      const home = await tcpPeer();
      const c = await tcpClient(s.sipHost, s.sipPort);
      try {
        const callId = `lost-${randomBytes(4).toString('hex')}@transport`;
        const branch = newBranch();
        c.sendRaw(
          buildRequest({
            method: 'INVITE',
            ruri: `sip:+1777@${domain}`,
            callId,
            branch,
            transport: 'TCP',
            sentBy: `127.0.0.1:${home.port}`,
          }),
        );
        const inv = await pollUntil(
          async () =>
            up.received.find((r) => r.msg.method === 'INVITE' && header(r.msg, 'call-id') === callId),
          5_000,
          10,
        );
        assert.ok(inv);
        await c.close();
        // Let the edge see the close before the answer comes (bounded; no timing is asserted).
        await new Promise((r) => setTimeout(r, 200));
        const ringing = [
          'SIP/2.0 180 Ringing',
          ...headerValues(inv.msg, 'Via').map((v) => `Via: ${v}`),
          `From: ${header(inv.msg, 'From')}`,
          `To: ${header(inv.msg, 'To')};tag=uas1`,
          `Call-ID: ${callId}`,
          `CSeq: ${header(inv.msg, 'CSeq')}`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        inv.socket.write(ringing);
        const back = await pollUntil(
          async () => home.received.find((r) => r.msg.status === 180 && header(r.msg, 'call-id') === callId),
          5_000,
          10,
        );
        assert.ok(back, 'the 180 reached the caller at its sent-by port');
        assert.match(header(back.msg, 'Via') ?? '', new RegExp(`branch=${branch}`));
      } finally {
        await c.close();
        await home.close();
      }
    });
  });

  describe(`the edge between IPv6 callers and an IPv4 upstream (${mode.name})`, { timeout: 120_000 }, () => {
    let s: EdgeServer;
    let up: RawUpstream;
    let domain: string;

    before(async () => {
      up = await rawUpstream();
      s = await startEdgeServer({
        workers: mode.workers,
        bind: '::',
        env: { TRUNKGATE_UPSTREAM: up.uri, TRUNKGATE_SIP_ADVERTISE_IPV6: '::1' },
      });
      ({ domain } = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['::1/128']) }));
      await waitForTarget(s, `sip:${domain}`);
    }, HOOK_TIMEOUT);

    after(async () => {
      await s?.stop();
      await up?.close();
    }, HOOK_TIMEOUT);

    test('IPv6 caller, IPv4 upstream: each Record-Route names the edge in its side’s family; the callee’s BYE reaches the caller over IPv6', async () => {
      const c = await udpClient('::1', s.sipPort, '::1');
      try {
        const callId = `v6-${randomBytes(4).toString('hex')}@transport`;
        c.send({ method: 'INVITE', ruri: `sip:+1999@${domain}`, callId, fromTag: 'caller' });
        const inv = await pollUntil(
          async () => up.received.find((m) => m.method === 'INVITE' && header(m, 'call-id') === callId),
          5_000,
          10,
        );
        assert.ok(inv, 'the INVITE from ::1 reached the IPv4 upstream');
        const rr = routeUris(headerValues(inv, 'Record-Route'));
        assert.equal(rr.length, 2, headerValues(inv, 'Record-Route').join(' | '));
        assert.match(rr[0] ?? '', new RegExp(`^sip:127\\.0\\.0\\.1:${s.sipPort};transport=udp;`));
        assert.match(rr[1] ?? '', new RegExp(`^sip:\\[::1\\]:${s.sipPort};transport=udp;`));
        // The callee sends its BYE to the top route (IPv4) with the caller's IPv6 Contact as target.
        const bye = buildRequest({
          method: 'BYE',
          ruri: `sip:caller@${c.sentBy}`,
          callId,
          fromTag: 'uas1',
          toTag: 'caller',
          cseq: 1,
          headers: rr.map((u) => ['Route', `<${u}>`] as [string, string]),
          transport: 'UDP',
          sentBy: `127.0.0.1:${up.port}`,
        });
        const sock = dgram.createSocket('udp4');
        try {
          await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
          await new Promise<void>((r, j) => sock.send(bye, s.sipPort, '127.0.0.1', (e) => (e ? j(e) : r())));
        } finally {
          sock.close();
        }
        const got = await pollUntil(
          async () => c.received.find((m) => m.method === 'BYE' && header(m, 'call-id') === callId),
          5_000,
          10,
        );
        assert.ok(got, 'the BYE reached the caller at ::1');
        assert.deepEqual(headerValues(got, 'Route'), []);
      } finally {
        await c.close();
      }
    });
  });

  describe(`the edge's own answers and in-dialog credentials (${mode.name})`, { timeout: 120_000 }, () => {
    let s: EdgeServer;
    let up: RawUpstream;
    let c: SipClient;
    let domain: string;
    let user: string;

    before(async () => {
      up = await rawUpstream();
      s = await startEdgeServer({ workers: mode.workers, env: { TRUNKGATE_UPSTREAM: up.uri } });
      c = await udpClient(s.sipHost, s.sipPort);
      user = uniqueUser('dlg');
      ({ domain } = await createTrunk(s, { credential_uuid: await createCredential(s, user) }));
      await waitForTarget(s, `sip:${domain}`);
    }, HOOK_TIMEOUT);

    after(async () => {
      await c?.close();
      await s?.stop();
      await up?.close();
    }, HOOK_TIMEOUT);

    test('a locally generated response carries received and rport in the top Via (RFC 3581 §4)', async () => {
      for (const client of [c, await tcpClient(s.sipHost, s.sipPort)]) {
        const branch = newBranch();
        // A sent-by that is not where the request came from (a UA behind NAT).
        client.sendRaw(
          buildRequest({
            method: 'OPTIONS',
            ruri: 'sip:nobody@nowhere.invalid',
            branch,
            transport: client.transport,
            sentBy: '10.20.30.40:5099',
          }),
        );
        const r = await client.response(branch);
        assert.ok(r, `an answer over ${client.transport}`);
        assert.equal(r.status, 404);
        const port = client.sentBy.split(':').at(-1);
        assert.match(
          header(r, 'Via') ?? '',
          new RegExp(
            `^SIP/2\\.0/${client.transport} 10\\.20\\.30\\.40:5099;branch=${branch};rport=${port};received=127\\.0\\.0\\.1$|^SIP/2\\.0/${client.transport} 10\\.20\\.30\\.40:5099;branch=${branch};received=127\\.0\\.0\\.1;rport=${port}$`,
          ),
          header(r, 'Via'),
        );
        if (client !== c) await client.close();
      }
    });

    test('our realm’s Proxy-Authorization is removed from in-dialog requests; another realm’s passes', async () => {
      const callId = `pa-${randomBytes(4).toString('hex')}@transport`;
      const invite = { method: 'INVITE', ruri: `sip:+1888@${domain}`, callId, fromTag: 'caller' };
      const challenge = await c.request(invite);
      assert.equal(challenge.status, 407, challenge.raw);
      const authorization = authorizationFor(challenge, 'INVITE', invite.ruri, {
        username: user,
        password: PASSWORD,
      });
      const foreign =
        'Digest username="x", realm="carrier.example", nonce="abc", uri="sip:x@y", response="0123456789abcdef0123456789abcdef"';
      c.send({
        ...invite,
        cseq: 2,
        headers: [
          ['Proxy-Authorization', authorization],
          ['Proxy-Authorization', foreign],
        ],
      });
      const forwarded = await pollUntil(
        async () => up.received.find((m) => m.method === 'INVITE' && header(m, 'call-id') === callId),
        5_000,
        10,
      );
      assert.ok(forwarded, 'the authenticated INVITE was forwarded');
      // §22.3: ours is consumed, the other realm's passes.
      assert.deepEqual(headerValues(forwarded, 'Proxy-Authorization'), [foreign]);
      const rr = routeUris(headerValues(forwarded, 'Record-Route'));
      c.send({
        method: 'BYE',
        ruri: `sip:uas@127.0.0.1:${up.port}`,
        callId,
        fromTag: 'caller',
        toTag: 'uas1',
        cseq: 3,
        headers: [
          ...rr.map((u) => ['Route', `<${u}>`] as [string, string]),
          ['Proxy-Authorization', authorization],
          ['Proxy-Authorization', foreign],
        ],
      });
      const bye = await pollUntil(
        async () => up.received.find((m) => m.method === 'BYE' && header(m, 'call-id') === callId),
        5_000,
        10,
      );
      assert.ok(bye, 'the BYE was relayed');
      assert.deepEqual(headerValues(bye, 'Proxy-Authorization'), [foreign]);
    });
  });
}
