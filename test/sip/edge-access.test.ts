// Who may call (issue 7 items 3, 4 and 6) at the real edge: IP ACLs against the packet's real source
// for IPv4 and IPv6 callers (the edge listens dual-stack on `::`, so IPv4 callers arrive as
// IPv4-mapped IPv6 and must be normalised), `ip_acl_and_credential` needing both, the per-trunk CPS
// limit (503 + Retry-After), and the brute-force ban and its release. The CPS and ban state must
// hold across cluster workers, so everything runs in-process and with two workers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  ANSWER_WAIT_MS,
  authorizationFor,
  createAcl,
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
  redisKeys,
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

const BAN_SECONDS = 5;

function invite(domain: string): RequestSpec {
  return {
    method: 'INVITE',
    ruri: `sip:+15557654321@${domain}`,
    to: `<sip:+15557654321@${domain}>`,
    callId: `${randomBytes(8).toString('hex')}@acl.invalid`,
  };
}

async function counts(s: EdgeServer): Promise<Record<string, number>> {
  return outcomeCounts(await s.metrics());
}

function moved(before: Record<string, number>, now: Record<string, number>, outcome: string): number {
  return (now[outcome] ?? 0) - (before[outcome] ?? 0);
}

for (const mode of STATE_MODES) {
  describe(`access control at the edge (${mode.name})`, { ...modeSkip(mode), timeout: 180_000 }, () => {
    let s: EdgeServer;
    let up: RawUpstream;
    const clients: SipClient[] = [];

    async function from(local: string, transport: 'UDP' | 'TCP' = 'UDP'): Promise<SipClient> {
      const host = local.includes(':') ? '::1' : '127.0.0.1';
      const c =
        transport === 'UDP'
          ? await udpClient(host, s.sipPort, local)
          : await tcpClient(host, s.sipPort, local);
      clients.push(c);
      return c;
    }

    /** Sends an INVITE and reports what happened: the edge's final answer, or the copy upstream got. */
    async function tryInvite(
      c: SipClient,
      spec: RequestSpec,
    ): Promise<{ forwarded: SipMsg | undefined; answer: SipMsg | undefined }> {
      const branch = `z9hG4bK-a${randomBytes(6).toString('hex')}`;
      c.send({ ...spec, branch });
      const outcome = await pollUntil(
        async () => {
          const forwarded = up.received.find(
            (m) => m.method === 'INVITE' && header(m, 'call-id') === spec.callId,
          );
          if (forwarded !== undefined) return { forwarded, answer: undefined };
          const answer = await c.response(branch, 0);
          return answer === undefined ? undefined : { forwarded: undefined, answer };
        },
        ANSWER_WAIT_MS,
        10,
      );
      if (outcome === undefined) throw new Error(`INVITE ${spec.ruri}: neither answered nor forwarded`);
      return outcome;
    }

    before(async () => {
      up = await rawUpstream();
      s = await startEdgeServer({
        workers: mode.workers,
        redis: mode.redis === true,
        bind: '::',
        env: { TRUNKGATE_UPSTREAM: up.uri, TRUNKGATE_AUTH_BAN_SECONDS: String(BAN_SECONDS) },
      });
    }, HOOK_TIMEOUT);

    after(async () => {
      for (const c of clients) await c.close();
      await s?.stop();
      await up?.close();
    }, HOOK_TIMEOUT);

    test('IPv4 ACL: the listed source is admitted (X-Trunkgate-Auth: ip), another is refused 403', async () => {
      const acl = await createAcl(s, ['127.0.0.2/32', '127.0.1.0/24']);
      const t = await createTrunk(s, { ipacl_uuid: acl });
      await waitForTarget(s, `sip:${t.domain}`);
      const before = await counts(s);
      for (const source of ['127.0.0.2', '127.0.1.77']) {
        const r = await tryInvite(await from(source), invite(t.domain));
        assert.ok(
          r.forwarded,
          `an INVITE from ${source} (in the ACL) is forwarded; got ${r.answer?.startLine}`,
        );
        assert.deepEqual(headerValues(r.forwarded, 'X-Trunkgate-Auth'), ['ip']);
        assert.deepEqual(headerValues(r.forwarded, 'X-Trunkgate-Trunk'), [t.trunkId]);
        assert.deepEqual(headerValues(r.forwarded, 'X-Trunkgate-Account'), [ROOT_AUTH_ID]);
        assert.deepEqual(headerValues(r.forwarded, 'X-Trunkgate-Credential'), []);
        // The caller's source as the edge saw it, normalised from ::ffff:a.b.c.d.
        assert.match(
          headerValues(r.forwarded, 'Via')[1] ?? '',
          new RegExp(`;received=${source.replace(/\./g, '\\.')};`),
        );
      }
      for (const source of ['127.0.0.3', '127.0.2.1']) {
        const r = await tryInvite(await from(source), invite(t.domain));
        assert.equal(r.forwarded, undefined, `an INVITE from ${source} is not forwarded`);
        assert.equal(r.answer?.status, 403, r.answer?.raw);
      }
      const now = await counts(s);
      assert.equal(moved(before, now, 'acl_refused'), 2);
      assert.equal(moved(before, now, 'admitted'), 2);
    });

    test('IPv6 ACL: ::1 is admitted by ::1/128 and refused by 2001:db8::/32 and by an IPv4-only ACL', async () => {
      const allow = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['::1/128']) });
      const deny = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['2001:db8::/32']) });
      const v4only = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['127.0.0.0/8']) });
      for (const t of [allow, deny, v4only]) await waitForTarget(s, `sip:${t.domain}`);
      const before = await counts(s);
      for (const transport of ['UDP', 'TCP'] as const) {
        const c = await from('::1', transport);
        const ok = await tryInvite(c, invite(allow.domain));
        assert.ok(ok.forwarded, `INVITE from ::1 over ${transport}: ${ok.answer?.raw}`);
        assert.deepEqual(headerValues(ok.forwarded, 'X-Trunkgate-Auth'), ['ip']);
        assert.match(headerValues(ok.forwarded, 'Via')[1] ?? '', /;received=::1;/);
        for (const t of [deny, v4only]) {
          const r = await tryInvite(c, invite(t.domain));
          assert.equal(r.forwarded, undefined);
          assert.equal(r.answer?.status, 403, r.answer?.raw);
        }
      }
      // And the IPv4 caller the ::1 trunk does not list.
      const r = await tryInvite(await from('127.0.0.1'), invite(allow.domain));
      assert.equal(r.answer?.status, 403);
      const now = await counts(s);
      assert.equal(moved(before, now, 'acl_refused'), 5);
      assert.equal(moved(before, now, 'admitted'), 2);
    });

    test('ip_acl_and_credential: the listed source still needs the digest, the right digest from elsewhere is refused', async () => {
      const user = uniqueUser('both');
      const cred = await createCredential(s, user);
      const acl = await createAcl(s, ['127.0.0.4/32']);
      const app = await createApplication(s, {
        sip_auth_type: 'ip_acl_and_credential',
        ip_acl_uuid: acl,
        credential_uuid: cred,
      });
      // A trunk with both set means the same (DESIGN.md "Trunks").
      const trunk = await createTrunk(s, { ipacl_uuid: acl, credential_uuid: cred });
      await waitForTarget(s, app.sipUri);
      await waitForTarget(s, `sip:${trunk.domain}`);
      for (const ruri of [app.sipUri, `sip:${trunk.domain}`]) {
        const listed = await from('127.0.0.4');
        const other = await from('127.0.0.5');
        const spec: RequestSpec = {
          method: 'INVITE',
          ruri,
          to: `<${ruri}>`,
          callId: `${randomBytes(6).toString('hex')}@both`,
        };
        // Listed source, no credentials: challenged, not admitted.
        const challenge = await listed.request(spec);
        assert.equal(challenge.status, 407, challenge.raw);
        const authorization = authorizationFor(challenge, 'INVITE', ruri, {
          username: user,
          password: PASSWORD,
        });
        // Right credentials from an unlisted source: 403 before any digest is looked at.
        const fromElsewhere = await tryInvite(other, {
          ...spec,
          cseq: 2,
          headers: [['Proxy-Authorization', authorization]],
        });
        assert.equal(fromElsewhere.forwarded, undefined);
        assert.equal(fromElsewhere.answer?.status, 403);
        // Listed source with a wrong password: challenged again.
        const wrong = authorizationFor(challenge, 'INVITE', ruri, {
          username: user,
          password: `${PASSWORD}x`,
        });
        const bad = await tryInvite(listed, { ...spec, cseq: 3, headers: [['Proxy-Authorization', wrong]] });
        assert.equal(bad.forwarded, undefined);
        assert.equal(bad.answer?.status, 407);
        // Both: admitted, and upstream is told both were checked.
        const ok = await tryInvite(listed, {
          ...spec,
          cseq: 4,
          headers: [['Proxy-Authorization', authorization]],
        });
        assert.ok(ok.forwarded, ok.answer?.raw);
        assert.deepEqual(headerValues(ok.forwarded, 'X-Trunkgate-Auth'), ['ip+digest']);
        assert.deepEqual(headerValues(ok.forwarded, 'X-Trunkgate-Credential'), [cred]);
        assert.deepEqual(
          headerValues(ok.forwarded, ruri === app.sipUri ? 'X-Trunkgate-Application' : 'X-Trunkgate-Trunk'),
          [ruri === app.sipUri ? app.appId : trunk.trunkId],
        );
      }
    });

    test('CPS limit 5: 20 new INVITEs within one second → exactly 5 forwarded, 15 × 503 with Retry-After', async () => {
      const t = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['127.0.0.6/32']), cps_limit: 5 });
      await waitForTarget(s, `sip:${t.domain}`);
      const c = await from('127.0.0.6');
      const before = await counts(s);
      const callIds: string[] = [];
      const branches: string[] = [];
      // Paced over half a second: a token bucket refilling at 5/s would let 2 more through.
      for (let i = 0; i < 20; i++) {
        const spec = invite(t.domain);
        callIds.push(spec.callId!);
        const branch = `z9hG4bK-cps${i}-${randomBytes(4).toString('hex')}`;
        branches.push(branch);
        c.send({ ...spec, branch });
        await new Promise((r) => setTimeout(r, 25));
      }
      const forwardedOf = () =>
        up.received.filter((m) => m.method === 'INVITE' && callIds.includes(header(m, 'call-id') ?? ''));
      const refusals = () =>
        c.received.filter(
          (m) => m.status === 503 && branches.some((b) => (header(m, 'via') ?? '').includes(b)),
        );
      // Every INVITE is accounted for: forwarded upstream or answered 503.
      const settled = await pollUntil(
        async () => (forwardedOf().length + refusals().length >= 20 ? refusals() : undefined),
        10_000,
      );
      assert.ok(settled, `only ${forwardedOf().length} forwarded and ${refusals().length} refused`);
      assert.equal(forwardedOf().length, 5);
      assert.equal(settled.length, 15);
      for (const m of settled) {
        assert.match(header(m, 'Retry-After') ?? '', /^[1-9]\d*$/, m.raw);
      }
      const other = c.received.filter(
        (m) =>
          m.status !== undefined &&
          m.status !== 503 &&
          branches.some((b) => (header(m, 'via') ?? '').includes(b)),
      );
      assert.deepEqual(other, []);
      const now = await counts(s);
      assert.equal(moved(before, now, 'cps_refused'), 15);
      assert.equal(moved(before, now, 'admitted'), 5);
    });

    test('ban: 10 failed digests from one address → its packets are dropped; released after TRUNKGATE_AUTH_BAN_SECONDS', async () => {
      const user = uniqueUser('banme');
      const t = await createTrunk(s, { credential_uuid: await createCredential(s, user) });
      await waitForTarget(s, `sip:${t.domain}`);
      const attacker = await from('127.0.0.9');
      const bystander = await from('127.0.0.10');
      const register: RequestSpec = {
        method: 'REGISTER',
        ruri: `sip:${t.domain}`,
        to: `<sip:${user}@${t.domain}>`,
        from: `<sip:${user}@${t.domain}>`,
        contact: `<sip:${user}@127.0.0.9:5070>`,
      };
      // A probe that is never an authentication failure: an unknown domain is a plain 404.
      const probe = async (c: SipClient, waitMs: number) => {
        const branch = `z9hG4bK-probe${randomBytes(6).toString('hex')}`;
        c.send({ method: 'OPTIONS', ruri: 'sip:nobody.invalid', branch });
        return c.response(branch, waitMs);
      };
      const before = await counts(s);
      let challenge = await attacker.request(register);
      assert.equal(challenge.status, 401);
      for (let i = 1; i <= 10; i++) {
        const wrong = authorizationFor(challenge, 'REGISTER', register.ruri, {
          username: user,
          password: `Wrong${i}Passw0rd`,
        });
        const r = await attacker.request({ ...register, cseq: i + 1, headers: [['Authorization', wrong]] });
        assert.equal(r.status, 401, `failure ${i} is answered: ${r.raw}`);
        challenge = r;
        if (i === 9) {
          const p = await probe(attacker, 5_000);
          assert.equal(p?.status, 404, 'nine failures do not ban');
        }
      }
      // The tenth failure bans the address: its packets are now dropped (in cluster mode the ban
      // reaches the other worker through the primary, so wait for it, boundedly).
      const dropped = await pollUntil(
        async () => ((await probe(attacker, 500)) === undefined ? true : undefined),
        4_000,
        0,
      );
      assert.ok(dropped, 'the address is banned after ten failures');
      const right = authorizationFor(challenge, 'REGISTER', register.ruri, {
        username: user,
        password: PASSWORD,
      });
      const branch = `z9hG4bK-banned${randomBytes(6).toString('hex')}`;
      attacker.send({ ...register, cseq: 20, branch, headers: [['Authorization', right]] });
      assert.equal(
        await attacker.response(branch, 500),
        undefined,
        'even the right password is dropped while banned',
      );
      // Other addresses are unaffected.
      assert.equal((await probe(bystander, 5_000))?.status, 404);
      const mid = await counts(s);
      assert.equal(moved(before, mid, 'bad_digest'), 10);
      // The ban itself is one log line, whichever worker saw the tenth failure: source and reason,
      // no credential.
      const banLines = await pollUntil(
        async () => {
          const lines = s.process
            .stdout()
            .split('\n')
            .filter((l) => l.includes('"sip source banned"'));
          return lines.length > 0 ? lines : undefined;
        },
        4_000,
        20,
      );
      assert.equal(banLines?.length, 1, s.process.stdout().slice(-2000));
      const ban = JSON.parse(banLines?.[0] ?? '{}') as { sip?: Record<string, unknown> };
      assert.equal(ban.sip?.['source'], '127.0.0.9');
      assert.match(String(ban.sip?.['reason']), /failed digest/);
      assert.ok(!banLines?.[0]?.includes(user) && !banLines?.[0]?.includes('Passw0rd'), banLines?.[0]);
      assert.ok(moved(before, mid, 'banned') >= 2);
      // Released after the ban time: answered again, and the right password is accepted.
      const released = await pollUntil(
        async () => await probe(attacker, 300),
        (BAN_SECONDS + 10) * 1000,
        100,
      );
      assert.equal(released?.status, 404, 'the ban is lifted');
      const ok = await sendAuthenticated(
        attacker,
        { ...register, cseq: 30 },
        { username: user, password: PASSWORD },
      );
      assert.equal(ok.final.status, 200, ok.final.raw);
      if (s.redisPrefix !== undefined) {
        // Shared through Redis, under this deployment's TRUNKGATE_REDIS_PREFIX (several
        // deployments may share one Redis).
        const keys = await redisKeys(s.redisPrefix);
        assert.ok(
          keys.some((k) => k.startsWith(`${s.redisPrefix}sip:`) && k.includes('127.0.0.9')),
          `the failures of 127.0.0.9 are in Redis under ${s.redisPrefix}: ${keys.join(', ')}`,
        );
      }
    });
  });
}
