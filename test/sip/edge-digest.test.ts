// Digest authentication at the real edge (issue 7 item 4, item 5 retransmissions), driven by the
// small test UAC for the algorithms sipp cannot speak: REGISTER and INVITE with SHA-512-256, SHA-256
// and MD5 over UDP and TCP, wrong password vs unknown user, replayed credentials, expired nonces,
// retransmitted REGISTERs. Runs against one edge thread and against two.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { computeResponse, parseChallenges, type UacAlgorithm } from '../helpers/digest-uac.ts';
import {
  ANSWER_WAIT_MS,
  answerChallenge,
  authorizationFor,
  createApplication,
  createCredential,
  createTrunk,
  type EdgeServer,
  HOOK_TIMEOUT,
  header,
  headerValues,
  modeSkip,
  outcomeCounts,
  PASSWORD,
  pollUntil,
  type RawUpstream,
  type RequestSpec,
  ROOT_AUTH_ID,
  rawUpstream,
  type SipClient,
  type SipMsg,
  STATE_MODES,
  sendAuthenticated,
  startEdgeServer,
  tcpClient,
  udpClient,
  uniqueUser,
  waitForTarget,
} from '../helpers/sip.ts';

const ALGORITHMS: readonly UacAlgorithm[] = ['SHA-512-256', 'SHA-256', 'MD5'];
const NONCE_TTL_SECONDS = 5;

function registerSpec(user: string, domain: string, contactPort = 5070): RequestSpec {
  return {
    method: 'REGISTER',
    ruri: `sip:${domain}`,
    from: `<sip:${user}@${domain}>`,
    to: `<sip:${user}@${domain}>`,
    contact: `<sip:${user}@127.0.0.1:${contactPort}>`,
    headers: [['Expires', '300']],
  };
}

function inviteSpec(user: string, domain: string, callee = '+15551230000'): RequestSpec {
  return {
    method: 'INVITE',
    ruri: `sip:${callee}@${domain}`,
    from: `<sip:${user}@${domain}>`,
    to: `<sip:${callee}@${domain}>`,
    contact: `<sip:${user}@127.0.0.1:5070>`,
  };
}

function algorithmsOffered(msg: SipMsg, headerName: string): string[] {
  return parseChallenges(headerValues(msg, headerName)).map((c) => c.algorithm);
}

/** A response with what legitimately differs per request (branch, nonce) blanked out. */
function shapeOf(msg: SipMsg): Array<[string, string]> {
  return msg.headers.map(([n, v]) => [
    n,
    v.replace(/branch=[^;,\s]+/g, 'branch=*').replace(/nonce="[^"]*"/g, 'nonce="*"'),
  ]);
}

async function delta(s: EdgeServer, run: () => Promise<void>): Promise<Record<string, number>> {
  const before = outcomeCounts(await s.metrics());
  await run();
  const afterCounts = outcomeCounts(await s.metrics());
  return Object.fromEntries(
    Object.keys(afterCounts).map((k) => [k, (afterCounts[k] ?? 0) - (before[k] ?? 0)]),
  );
}

/** The upstream's INVITEs with this Call-ID. */
function forwardedInvites(up: RawUpstream, callId: string): SipMsg[] {
  return up.received.filter((m) => m.method === 'INVITE' && header(m, 'call-id') === callId);
}

test('the test UAC reproduces RFC 7616 §3.9.1 before the edge is judged with it', () => {
  const v = {
    username: 'Mufasa',
    password: 'Circle of Life',
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    nc: 1,
    method: 'GET',
    uri: '/dir/index.html',
  };
  assert.equal(computeResponse({ ...v, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(
    computeResponse({ ...v, algorithm: 'SHA-256' }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
});

for (const mode of STATE_MODES) {
  describe(`digest authentication at the edge (${mode.name})`, {
    ...modeSkip(mode),
    timeout: 180_000,
  }, () => {
    let s: EdgeServer;
    let up: RawUpstream;
    let user: string;
    let credentialUuid: string;
    let domain: string;
    let trunkId: string;
    const clients: SipClient[] = [];

    async function client(transport: 'UDP' | 'TCP' = 'UDP', local = '127.0.0.1'): Promise<SipClient> {
      const c =
        transport === 'UDP'
          ? await udpClient(s.sipHost, s.sipPort, local)
          : await tcpClient(s.sipHost, s.sipPort, local);
      clients.push(c);
      return c;
    }

    /** Waits (bounded) until the upstream has the INVITE with this Call-ID; returns every copy. */
    async function forwardedTo(callId: string): Promise<SipMsg[]> {
      await pollUntil(async () => forwardedInvites(up, callId)[0], ANSWER_WAIT_MS, 10);
      return forwardedInvites(up, callId);
    }

    before(async () => {
      up = await rawUpstream();
      s = await startEdgeServer({
        workers: mode.workers,
        redis: mode.redis === true,
        env: {
          TRUNKGATE_UPSTREAM: up.uri,
          TRUNKGATE_SIP_NONCE_TTL: String(NONCE_TTL_SECONDS),
          // Failed digests here are deliberate; the ban has its own test (edge-access.test.ts).
          TRUNKGATE_AUTH_MAX_FAILURES: '100000',
          TRUNKGATE_LOG_LEVEL: 'info',
        },
      });
      user = uniqueUser('alice');
      credentialUuid = await createCredential(s, user);
      ({ trunkId, domain } = await createTrunk(s, { credential_uuid: credentialUuid }));
      await waitForTarget(s, `sip:${domain}`);
    }, HOOK_TIMEOUT);

    after(async () => {
      for (const c of clients) await c.close();
      await s?.stop();
      await up?.close();
    }, HOOK_TIMEOUT);

    for (const transport of ['UDP', 'TCP'] as const) {
      for (const algorithm of ALGORITHMS) {
        test(`REGISTER over ${transport} with ${algorithm}: 401 offers every algorithm, the answer gets 200 with the binding`, async () => {
          const c = await client(transport);
          const d = await delta(s, async () => {
            const a = await sendAuthenticated(c, registerSpec(user, domain, 6000), {
              username: user,
              password: PASSWORD,
              algorithm,
            });
            assert.equal(a.challenge.status, 401);
            // RFC 8760 §2.4: one challenge per algorithm, most preferred first.
            assert.deepEqual(algorithmsOffered(a.challenge, 'WWW-Authenticate'), [
              'SHA-512-256',
              'SHA-256',
              'MD5',
            ]);
            for (const ch of parseChallenges(headerValues(a.challenge, 'WWW-Authenticate'))) {
              assert.deepEqual(ch.qop, ['auth']);
              assert.equal(ch.realm, 'sip.test.local');
              assert.equal(ch.stale, false);
            }
            assert.equal(headerValues(a.challenge, 'Proxy-Authenticate').length, 0);
            assert.equal(a.final.status, 200, a.final.raw);
            const contacts = headerValues(a.final, 'Contact');
            assert.ok(
              contacts.some((v) => v.startsWith(`<sip:${user}@127.0.0.1:6000>`) && /;expires=\d+/.test(v)),
              a.final.raw,
            );
          });
          assert.equal(d['challenged'], 1);
          assert.ok((d['registered'] ?? 0) >= 1);
          assert.equal(d['bad_digest'], 0);
        });

        test(`INVITE over ${transport} with ${algorithm}: 407, then forwarded upstream with the identity headers`, async () => {
          const c = await client(transport);
          const spec = inviteSpec(user, domain);
          const callId = `${algorithm}-${transport}-${Date.now()}@uac.invalid`;
          const first = await c.request({ ...spec, callId });
          assert.equal(first.status, 407, first.raw);
          assert.deepEqual(algorithmsOffered(first, 'Proxy-Authenticate'), ['SHA-512-256', 'SHA-256', 'MD5']);
          assert.equal(headerValues(first, 'WWW-Authenticate').length, 0);
          const authorization = authorizationFor(first, 'INVITE', spec.ruri, {
            username: user,
            password: PASSWORD,
            algorithm,
          });
          c.send({ ...spec, callId, cseq: 2, headers: [['Proxy-Authorization', authorization]] });
          const fwd = await forwardedTo(callId);
          assert.equal(fwd.length, 1, `the upstream got the INVITE ${callId} once`);
          const m = fwd[0]!;
          assert.deepEqual(headerValues(m, 'X-Trunkgate-Account'), [ROOT_AUTH_ID]);
          assert.deepEqual(headerValues(m, 'X-Trunkgate-Trunk'), [trunkId]);
          assert.deepEqual(headerValues(m, 'X-Trunkgate-Auth'), ['digest']);
          assert.deepEqual(headerValues(m, 'X-Trunkgate-Credential'), [credentialUuid]);
          // Our credentials are consumed (RFC 3261 §22.3), never passed upstream.
          assert.deepEqual(headerValues(m, 'Proxy-Authorization'), []);
          assert.equal(headerValues(m, 'Via').length, 2);
          assert.match(header(m, 'Via') ?? '', /^SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK/);
          assert.equal(header(m, 'Max-Forwards'), '69');
          assert.match(header(m, 'Record-Route') ?? '', /^<sip:127\.0\.0\.1:\d+;transport=udp;lr;tg=/);
        });
      }
    }

    test('an application (sip:{app_id}@{sip_domain}) with sip_auth_type credential is authenticated the same way', async () => {
      const appUser = uniqueUser('app');
      const cred = await createCredential(s, appUser);
      const app = await createApplication(s, { sip_auth_type: 'credential', credential_uuid: cred });
      assert.equal(app.sipUri, `sip:${app.appId}@sip.test.local`);
      await waitForTarget(s, app.sipUri);
      const c = await client();
      const callId = `app-${Date.now()}@uac.invalid`;
      const spec: RequestSpec = {
        method: 'INVITE',
        ruri: app.sipUri,
        from: `<sip:${appUser}@sip.test.local>`,
        to: `<${app.sipUri}>`,
      };
      const first = await c.request({ ...spec, callId });
      assert.equal(first.status, 407);
      const authorization = authorizationFor(first, 'INVITE', app.sipUri, {
        username: appUser,
        password: PASSWORD,
      });
      c.send({ ...spec, callId, cseq: 2, headers: [['Proxy-Authorization', authorization]] });
      const fwd = await forwardedTo(callId);
      assert.equal(fwd.length, 1, `the upstream got the INVITE ${callId} once`);
      assert.deepEqual(headerValues(fwd[0]!, 'X-Trunkgate-Application'), [app.appId]);
      assert.deepEqual(headerValues(fwd[0]!, 'X-Trunkgate-Trunk'), []);
      assert.deepEqual(headerValues(fwd[0]!, 'X-Trunkgate-Auth'), ['digest']);
      assert.deepEqual(headerValues(fwd[0]!, 'X-Trunkgate-Credential'), [cred]);
    });

    test("a trunk's digest_algorithms restrict the challenge, and an algorithm not offered is refused", async () => {
      const u = uniqueUser('sha256only');
      const cred = await createCredential(s, u);
      const t = await createTrunk(s, { credential_uuid: cred, digest_algorithms: ['SHA-256'] });
      await waitForTarget(s, `sip:${t.domain}`);
      const c = await client();
      const first = await c.request(registerSpec(u, t.domain));
      assert.equal(first.status, 401);
      assert.deepEqual(algorithmsOffered(first, 'WWW-Authenticate'), ['SHA-256']);
      // Answer the SHA-256 challenge's nonce with MD5: never offered, so not accepted.
      const ch = parseChallenges(headerValues(first, 'WWW-Authenticate'))[0]!;
      const md5 = `Digest realm="${ch.realm}", nonce="${ch.nonce}", algorithm=MD5`;
      const refused = await answerChallenge(
        c,
        { ...registerSpec(u, t.domain), cseq: 2 },
        { ...first, headers: [['WWW-Authenticate', md5]] },
        {
          username: u,
          password: PASSWORD,
        },
      );
      assert.equal(refused.final.status, 401, refused.final.raw);
      const ok = await answerChallenge(c, { ...registerSpec(u, t.domain), cseq: 3 }, first, {
        username: u,
        password: PASSWORD,
      });
      assert.equal(ok.final.status, 200, ok.final.raw);
    });

    for (const [method, status, challengeHeader] of [
      ['REGISTER', 401, 'WWW-Authenticate'],
      ['INVITE', 407, 'Proxy-Authenticate'],
    ] as const) {
      test(`${method}: a wrong password and an unknown username get the same answer (status, headers; only the nonce differs)`, async () => {
        const c = await client('UDP', '127.0.0.11');
        const spec = method === 'REGISTER' ? registerSpec(user, domain) : inviteSpec(user, domain);
        const callId = `probe-${method}-${Date.now()}@uac.invalid`;
        const first = await c.request({ ...spec, callId, fromTag: 'ft1', cseq: 1 });
        assert.equal(first.status, status);
        const answers: SipMsg[] = [];
        const d = await delta(s, async () => {
          for (const username of [user, uniqueUser('nobody')]) {
            const password = username === user ? `${PASSWORD}wrong` : PASSWORD;
            const a = await answerChallenge(c, { ...spec, callId, fromTag: 'ft1', cseq: 2 }, first, {
              username,
              password,
            });
            answers.push(a.final);
          }
        });
        const [wrongPassword, unknownUser] = answers as [SipMsg, SipMsg];
        assert.equal(wrongPassword.status, status, wrongPassword.raw);
        assert.equal(wrongPassword.startLine, unknownUser.startLine);
        assert.deepEqual(shapeOf(wrongPassword), shapeOf(unknownUser));
        // A fresh challenge each time (never stale: the digest was not right).
        for (const m of answers) {
          const chs = parseChallenges(headerValues(m, challengeHeader));
          assert.equal(chs.length, 3);
          assert.ok(chs.every((ch) => !ch.stale));
        }
        // One metric for both, so a caller watching counters cannot tell them apart either.
        assert.equal(d['bad_digest'], 2);
        assert.equal(d['admitted'], 0);
        assert.equal(d['registered'], 0);
        assert.doesNotMatch(await s.metrics(), /unknown_user|outcome="unknown/);
      });
    }

    test('a replayed Authorization (same nonce, same nc, new transaction) is refused; the next nc is accepted', async () => {
      const c = await client();
      const spec = registerSpec(user, domain);
      const a = await sendAuthenticated(c, spec, {
        username: user,
        password: PASSWORD,
        algorithm: 'SHA-256',
        nc: 1,
      });
      assert.equal(a.final.status, 200);
      const callId = header(a.challenge, 'Call-ID')!;
      const fromTag = /tag=([^;\s]+)/.exec(header(a.challenge, 'From') ?? '')?.[1] ?? '';
      const d = await delta(s, async () => {
        const replay = await c.request({
          ...spec,
          callId,
          fromTag,
          cseq: 3,
          headers: [...(spec.headers ?? []), ['Authorization', a.authorization]],
        });
        assert.equal(replay.status, 401, replay.raw);
        assert.ok(parseChallenges(headerValues(replay, 'WWW-Authenticate')).every((ch) => !ch.stale));
      });
      assert.equal(d['replay'], 1);
      assert.equal(d['registered'], 0);
      // nc=2 on the same nonce is a new, legitimate use (RFC 7616 §3.4).
      const again = await answerChallenge(c, { ...spec, callId, fromTag, cseq: 4 }, a.challenge, {
        username: user,
        password: PASSWORD,
        algorithm: 'SHA-256',
        nc: 2,
      });
      assert.equal(again.final.status, 200, again.final.raw);
    });

    test('a replayed Proxy-Authorization on INVITE is challenged again and not forwarded twice', async () => {
      const c = await client();
      const spec = inviteSpec(user, domain);
      const callId = `replay-${Date.now()}@uac.invalid`;
      const first = await c.request({ ...spec, callId });
      assert.equal(first.status, 407);
      const authorization = authorizationFor(first, 'INVITE', spec.ruri, {
        username: user,
        password: PASSWORD,
      });
      c.send({ ...spec, callId, cseq: 2, headers: [['Proxy-Authorization', authorization]] });
      assert.equal((await forwardedTo(callId)).length, 1);
      const replay = await c.request({
        ...spec,
        callId,
        cseq: 3,
        headers: [['Proxy-Authorization', authorization]],
      });
      assert.equal(replay.status, 407, replay.raw);
      assert.equal(forwardedInvites(up, callId).length, 1);
    });

    test('a retransmitted REGISTER (same branch, same nc) gets 200 again, not a replay refusal', async () => {
      const c = await client();
      const a = await sendAuthenticated(c, registerSpec(user, domain), {
        username: user,
        password: PASSWORD,
        algorithm: 'SHA-512-256',
      });
      assert.equal(a.final.status, 200);
      const d = await delta(s, async () => {
        // Several copies: with two threads they land on either one.
        for (let i = 0; i < 6; i++) {
          c.sendRaw(a.sent);
          const again = await c.response(a.branch);
          assert.ok(again !== undefined, `no answer to retransmission ${i + 1}`);
          assert.equal(again.status, 200, again.raw);
          assert.equal(header(again, 'CSeq'), header(a.final, 'CSeq'));
        }
      });
      assert.equal(d['replay'], 0);
      assert.equal(d['bad_digest'], 0);
      assert.equal(d['retransmission'], 6);
    });

    test('an expired nonce: stale=true only when the digest was right, and the fresh nonce works', async () => {
      const c = await client();
      const spec = registerSpec(user, domain);
      const first = await c.request({ ...spec, callId: 'stale@uac.invalid', fromTag: 'st', cseq: 1 });
      assert.equal(first.status, 401);
      const oldNonce = parseChallenges(headerValues(first, 'WWW-Authenticate'))[0]!.nonce;
      // Let the nonce expire (TRUNKGATE_SIP_NONCE_TTL); nothing is measured, only waited for.
      await new Promise((r) => setTimeout(r, (NONCE_TTL_SECONDS + 1.5) * 1000));
      const d = await delta(s, async () => {
        const wrong = await answerChallenge(
          c,
          { ...spec, callId: 'stale@uac.invalid', fromTag: 'st', cseq: 2 },
          first,
          {
            username: user,
            password: `${PASSWORD}x`,
            algorithm: 'SHA-256',
          },
        );
        assert.equal(wrong.final.status, 401);
        assert.ok(
          parseChallenges(headerValues(wrong.final, 'WWW-Authenticate')).every((ch) => !ch.stale),
          `a wrong digest on an expired nonce must not be told stale:\n${wrong.final.raw}`,
        );
        const right = await answerChallenge(
          c,
          { ...spec, callId: 'stale@uac.invalid', fromTag: 'st', cseq: 3 },
          first,
          {
            username: user,
            password: PASSWORD,
            algorithm: 'SHA-256',
          },
        );
        assert.equal(right.final.status, 401, right.final.raw);
        const chs = parseChallenges(headerValues(right.final, 'WWW-Authenticate'));
        assert.equal(chs.length, 3);
        assert.ok(
          chs.every((ch) => ch.stale),
          right.final.raw,
        );
        assert.ok(chs.every((ch) => ch.nonce !== oldNonce));
        const retry = await answerChallenge(
          c,
          { ...spec, callId: 'stale@uac.invalid', fromTag: 'st', cseq: 4 },
          right.final,
          {
            username: user,
            password: PASSWORD,
            algorithm: 'SHA-256',
          },
        );
        assert.equal(retry.final.status, 200, retry.final.raw);
      });
      assert.equal(d['stale'], 1);
      assert.equal(d['bad_digest'], 1);
    });

    test('refusals are logged with source and reason, and no password or digest reaches the log', async () => {
      const out = s.process.stdout();
      const refusals = out
        .split('\n')
        .filter((l) => l.includes('"sip request refused"'))
        .map((l) => JSON.parse(l) as { sip?: { outcome?: string; source?: string; reason?: string } });
      const bad = refusals.filter((r) => r.sip?.outcome === 'bad_digest');
      assert.ok(bad.length >= 2, 'bad digests are logged');
      assert.ok(
        bad.every((r) => /^127\.0\.0\.\d+:\d+$/.test(r.sip?.source ?? '') && (r.sip?.reason ?? '') !== ''),
      );
      assert.ok(refusals.some((r) => r.sip?.outcome === 'replay'));
      assert.ok(!out.includes(PASSWORD), 'the password never appears in the log');
      assert.ok(!/response="[0-9a-f]{32,}"/.test(out), 'no digest response in the log');
      assert.ok(!/Digest /.test(out), 'no Authorization header in the log');
    });
  });
}
