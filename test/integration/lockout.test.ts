// Brute-force lockout (issue 5 item 5): repeated failed authentication from one address blocks that
// address with 429 + Retry-After, identically whether or not the auth id exists; counted per /64
// for IPv6, per forwarded client behind trusted proxies, and across nodes through Redis.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';
import { startExtraNode } from '../helpers/extra-node.ts';
import { SHARED_REDIS_URL } from '../helpers/redis-server.ts';
import { type Credentials, type RemoteResponse, remoteClient } from '../helpers/remote-client.ts';

const WRONG = 'WrongToken000000000000000000000000000000';
const UNKNOWN_ID = 'MAUNKNOWNACCOUNT0000';

/** The parts of a response that could tell one failure from another. */
function shape(res: RemoteResponse) {
  return {
    status: res.status,
    code: res.body.code,
    error: res.body.error,
    challenge: res.headers['www-authenticate'],
    retryAfter: res.headers['retry-after'],
  };
}

for (const dialect of DIALECTS) {
  describe(`brute-force lockout (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, {
        TRUNKGATE_AUTH_MAX_FAILURES: '10',
        TRUNKGATE_AUTH_FAILURE_WINDOW: '60',
        TRUNKGATE_AUTH_BAN_SECONDS: '2',
        TRUNKGATE_TRUSTED_PROXIES: '10.0.0.0/8',
      });
    });
    after(() => t.close());

    const rootPath = () => `/v1/Account/${t.root.authId}/`;
    const rootCreds = (): Credentials => ({ authId: t.root.authId, token: t.root.token });

    test('10 failures from one address block it for the ban time with 429, even with the right token', async () => {
      const from = '8.8.8.1';
      for (let i = 0; i < 10; i++) {
        const who =
          i % 2 === 0 ? { authId: t.root.authId, token: WRONG } : { authId: UNKNOWN_ID, token: WRONG };
        const res = await remoteClient(t.app, who, from).get(
          i % 2 === 0 ? rootPath() : `/v1/Account/${UNKNOWN_ID}/`,
        );
        assert.equal(res.status, 401, `failure ${i + 1}`);
      }
      const blocked = await remoteClient(t.app, rootCreds(), from).get(rootPath());
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.code, 'too_many_auth_failures');
      assert.equal(blocked.headers['retry-after'], '2');
      assert.match(blocked.body.error, /wait 2 s/);
      // Bearer and no-credential requests from the address are blocked too; other addresses are not.
      assert.equal((await remoteClient(t.app, { bearer: 'tgk_x' }, from).get(rootPath())).status, 429);
      assert.equal((await remoteClient(t.app, rootCreds(), '8.8.8.2').get(rootPath())).status, 200);
      // The block ends.
      await new Promise((r) => setTimeout(r, 2100));
      assert.equal((await remoteClient(t.app, rootCreds(), from).get(rootPath())).status, 200);
    });

    test('nothing tells whether the auth id exists: failures and the block look the same', async () => {
      const known = remoteClient(t.app, { authId: t.root.authId, token: WRONG }, '8.8.4.1');
      const unknown = remoteClient(t.app, { authId: UNKNOWN_ID, token: WRONG }, '8.8.4.2');
      for (let i = 0; i < 9; i++) {
        assert.deepEqual(
          shape(await known.get(rootPath())),
          shape(await unknown.get(`/v1/Account/${UNKNOWN_ID}/`)),
        );
      }
      const lastKnown = await known.get(rootPath());
      const lastUnknown = await unknown.get(`/v1/Account/${UNKNOWN_ID}/`);
      assert.equal(lastKnown.status, 401);
      assert.deepEqual(shape(lastKnown), shape(lastUnknown));
      const blockedKnown = await known.get(rootPath());
      const blockedUnknown = await unknown.get(`/v1/Account/${UNKNOWN_ID}/`);
      assert.equal(blockedKnown.status, 429);
      assert.deepEqual(shape(blockedKnown), shape(blockedUnknown));
    });

    test('requests without credentials guess nothing and are not counted', async () => {
      const none = remoteClient(t.app, null, '8.8.5.1');
      for (let i = 0; i < 15; i++) assert.equal((await none.get(rootPath())).status, 401);
      assert.equal((await remoteClient(t.app, rootCreds(), '8.8.5.1').get(rootPath())).status, 200);
    });

    test('unknown, revoked and malformed Bearer tokens count', async () => {
      const from = '8.8.6.1';
      for (let i = 0; i < 10; i++) {
        const authorization = i < 5 ? `Bearer tgk_${'A'.repeat(40)}` : 'Bearer !!';
        assert.equal((await remoteClient(t.app, { authorization }, from).get(rootPath())).status, 401);
      }
      assert.equal((await remoteClient(t.app, rootCreds(), from).get(rootPath())).status, 429);
    });

    test('IPv6 is counted per /64', async () => {
      for (let i = 1; i <= 10; i++) {
        const res = await remoteClient(
          t.app,
          { authId: t.root.authId, token: WRONG },
          `2606:4700:1:2::${i.toString(16)}`,
        ).get(rootPath());
        assert.equal(res.status, 401);
      }
      assert.equal(
        (await remoteClient(t.app, rootCreds(), '2606:4700:1:2:ffff::1').get(rootPath())).status,
        429,
      );
      assert.equal((await remoteClient(t.app, rootCreds(), '2606:4700:1:3::1').get(rootPath())).status, 200);
    });

    test('behind a trusted proxy the forwarded client is counted, not the proxy', async () => {
      const proxied = (client: string, creds: Credentials) =>
        remoteClient(t.app, creds, '10.0.0.7', { 'x-forwarded-for': client });
      for (let i = 0; i < 10; i++) {
        assert.equal(
          (await proxied('9.9.9.1', { authId: t.root.authId, token: WRONG }).get(rootPath())).status,
          401,
        );
      }
      assert.equal((await proxied('9.9.9.1', rootCreds()).get(rootPath())).status, 429);
      assert.equal(
        (await proxied('9.9.9.2', rootCreds()).get(rootPath())).status,
        200,
        'other clients of the proxy are fine',
      );
    });
  });

  describe(`brute-force lockout across nodes through Redis (${dialect})`, () => {
    let t: TestApp;
    let env: Record<string, string>;
    before(async () => {
      env = { REDIS_URL: SHARED_REDIS_URL, TRUNKGATE_REDIS_PREFIX: `tgtest:${randomUUID().slice(0, 8)}:` };
      t = await buildTestApp(dialect, env);
    });
    after(() => t.close());

    test('failures on two nodes add up; the block holds on both', async () => {
      const node2 = await startExtraNode(t.db, env);
      try {
        const from = '8.8.7.1';
        const path = `/v1/Account/${t.root.authId}/`;
        const wrong = { authId: t.root.authId, token: WRONG };
        for (let i = 0; i < 5; i++) {
          assert.equal((await remoteClient(t.app, wrong, from).get(path)).status, 401);
          assert.equal((await remoteClient(node2.app, wrong, from).get(path)).status, 401);
        }
        const right = { authId: t.root.authId, token: t.root.token };
        for (const app of [t.app, node2.app]) {
          const res = await remoteClient(app, right, from).get(path);
          assert.equal(res.status, 429);
          assert.ok(Number(res.headers['retry-after']) > 50, String(res.headers['retry-after']));
        }
      } finally {
        await node2.close();
      }
    });
  });
}
