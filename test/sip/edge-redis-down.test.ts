// Digest never waits on Redis: nonces are node-local (src/state/nonce-table.ts). With REDIS_URL set
// to a redis-server of this test's own and two edge threads, REGISTERs with digest keep succeeding
// after that server is stopped; GET /health reports the edge degraded (bans per node), never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type OwnRedis, ownRedis } from '../helpers/redis-server.ts';
import {
  createCredential,
  createTrunk,
  type EdgeServer,
  HOOK_TIMEOUT,
  PASSWORD,
  pollUntil,
  sendAuthenticated,
  startEdgeServer,
  tcpClient,
  udpClient,
  uniqueUser,
  waitForTarget,
} from '../helpers/sip.ts';

describe('digest with Redis stopped (two edge threads)', { timeout: 240_000 }, () => {
  let redis: OwnRedis;
  let s: EdgeServer;
  let user: string;
  let domain: string;

  before(async () => {
    redis = await ownRedis(); // started
    s = await startEdgeServer({ workers: 2, env: { REDIS_URL: redis.url } });
    user = uniqueUser('redisdown');
    const credentialUuid = await createCredential(s, user);
    ({ domain } = await createTrunk(s, { credential_uuid: credentialUuid }));
    await waitForTarget(s, `sip:${domain}`);
  }, HOOK_TIMEOUT);

  after(async () => {
    await s?.stop();
    await redis?.stop();
  }, HOOK_TIMEOUT);

  const register = (cseq: number) => ({
    method: 'REGISTER' as const,
    ruri: `sip:${domain}`,
    to: `<sip:${user}@${domain}>`,
    from: `<sip:${user}@${domain}>`,
    cseq,
  });

  test('REGISTER with digest succeeds before and after Redis stops; /health says degraded', async () => {
    const health = async () => (await s.api('GET', '/health')).body['sip_edge'] as { degraded: boolean };
    assert.equal((await health()).degraded, false);
    const udp = await udpClient(s.sipHost, s.sipPort);
    const tcp = await tcpClient(s.sipHost, s.sipPort);
    try {
      const first = await sendAuthenticated(udp, register(1), { username: user, password: PASSWORD });
      assert.equal(first.final.status, 200, first.final.raw);

      await redis.stop();
      const degraded = await pollUntil(
        async () => ((await health()).degraded ? true : undefined),
        10_000,
        100,
      );
      assert.ok(degraded, 'the edge reports Redis as lost');

      for (let i = 0; i < 10; i++) {
        const c = i % 2 === 0 ? udp : tcp;
        const r = await sendAuthenticated(c, register(10 + 2 * i), { username: user, password: PASSWORD });
        assert.equal(r.final.status, 200, `REGISTER ${i} with Redis down: ${r.final.raw}`);
      }
      const h = await s.api('GET', '/health');
      assert.equal(h.status, 200);
    } finally {
      await udp.close();
      await tcp.close();
    }
  });
});
