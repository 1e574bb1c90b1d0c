// Verified credentials are cached per node (src/store/verified-credential-cache.ts), and a change
// still takes effect: at once through the node that made it, within the poll interval on another
// node sharing the database. Both nodes here are real apps on one real database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { basic, buildTestApp, ROOT_AUTH_ID, ROOT_AUTH_TOKEN, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const REFRESH_MS = 100;

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  auth: string,
  body?: unknown,
) {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return {
    status: res.statusCode,
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
    body: (res.body === '' ? {} : JSON.parse(res.body)) as Record<string, any>,
  };
}

/** Repeats `probe` until it answers `want` (a deadline only guards against a hang). */
async function eventually(probe: () => Promise<number>, want: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  let got = await probe();
  while (got !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    got = await probe();
  }
  return got;
}

for (const dialect of DIALECTS) {
  describe(`verified-credential cache (${dialect})`, () => {
    let a: TestApp;
    let bStore: Store;
    let bServices: Services;
    let b: FastifyInstance;
    const root = basic(ROOT_AUTH_ID, ROOT_AUTH_TOKEN);
    const base = `/v1/Account/${ROOT_AUTH_ID}`;
    before(async () => {
      const env = { TRUNKGATE_ALLOWLIST_REFRESH_MS: String(REFRESH_MS) };
      a = await buildTestApp(dialect, env);
      // A second node on the same database.
      const config = loadConfig({
        TRUNKGATE_DB: a.db.sqlitePath,
        ...(a.db.databaseUrl ? { DATABASE_URL: a.db.databaseUrl } : {}),
        TRUNKGATE_LOG_LEVEL: 'silent',
        ...env,
      });
      bStore = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
      bServices = createServices(config, bStore);
      b = await buildApp({ services: bServices });
      await b.ready();
    });
    after(async () => {
      await b.close();
      await bStore.close();
      await a.close();
    });

    test('a verified credential is served from the cache', async () => {
      const before = a.services.credentialCache.hits;
      for (let i = 0; i < 3; i++) assert.equal((await call(a.app, 'GET', `${base}/`, root)).status, 200);
      assert.ok(a.services.credentialCache.hits >= before + 2);
    });

    test('this node: disabling a subaccount locks it out at once', async () => {
      const sub = await call(a.app, 'POST', `${base}/Subaccount/`, root, { name: 'cached', enabled: true });
      assert.equal(sub.status, 201);
      const subAuth = basic(sub.body['auth_id'], sub.body['auth_token']);
      const subPath = `/v1/Account/${sub.body['auth_id']}/`;
      assert.equal((await call(a.app, 'GET', subPath, subAuth)).status, 200);
      assert.equal((await call(a.app, 'GET', subPath, subAuth)).status, 200);
      const off = await call(a.app, 'POST', `${base}/Subaccount/${sub.body['auth_id']}/`, root, {
        enabled: false,
      });
      assert.equal(off.status, 202);
      assert.equal((await call(a.app, 'GET', subPath, subAuth)).status, 401);
    });

    test('this node: a revoked API key is refused at once', async () => {
      const key = await call(a.app, 'POST', `${base}/ApiKey/`, root, { name: 'cached' });
      assert.equal(key.status, 201);
      const bearer = `Bearer ${key.body['token']}`;
      assert.equal((await call(a.app, 'GET', '/api/v1/sip-credentials/', bearer)).status, 200);
      assert.equal((await call(a.app, 'GET', '/api/v1/sip-credentials/', bearer)).status, 200);
      const revoked = await call(a.app, 'DELETE', `${base}/ApiKey/${key.body['key_id']}/`, root);
      assert.ok(revoked.status < 300, JSON.stringify(revoked.body));
      const after = await call(a.app, 'GET', '/api/v1/sip-credentials/', bearer);
      assert.equal(after.status, 401);
      assert.equal(after.body['code'], 'api_key_revoked');
    });

    test('another node: revocation, disabling and token rotation apply within the poll interval', async () => {
      // Node b verifies and caches a key, a subaccount and the root token …
      const key = await call(a.app, 'POST', `${base}/ApiKey/`, root, { name: 'remote' });
      const bearer = `Bearer ${key.body['token']}`;
      const sub = await call(a.app, 'POST', `${base}/Subaccount/`, root, { name: 'remote', enabled: true });
      const subAuth = basic(sub.body['auth_id'], sub.body['auth_token']);
      const subPath = `/v1/Account/${sub.body['auth_id']}/`;
      const hitsBefore = bServices.credentialCache.hits;
      for (let i = 0; i < 2; i++) {
        assert.equal((await call(b, 'GET', '/api/v1/sip-credentials/', bearer)).status, 200);
        assert.equal((await call(b, 'GET', subPath, subAuth)).status, 200);
        assert.equal((await call(b, 'GET', `${base}/`, root)).status, 200);
      }
      assert.ok(bServices.credentialCache.hits >= hitsBefore + 3);
      // … then node a changes all three.
      assert.equal(
        (await call(a.app, 'DELETE', `${base}/ApiKey/${key.body['key_id']}/`, root)).status < 300,
        true,
      );
      await call(a.app, 'POST', `${base}/Subaccount/${sub.body['auth_id']}/`, root, { enabled: false });
      const newToken = 'RotatedTokenForTests00000000000000000000';
      await a.services.accounts.setToken(ROOT_AUTH_ID, newToken);

      assert.equal(
        await eventually(async () => (await call(b, 'GET', '/api/v1/sip-credentials/', bearer)).status, 401),
        401,
      );
      assert.equal(await eventually(async () => (await call(b, 'GET', subPath, subAuth)).status, 401), 401);
      assert.equal(await eventually(async () => (await call(b, 'GET', `${base}/`, root)).status, 401), 401);
      assert.equal((await call(b, 'GET', `${base}/`, basic(ROOT_AUTH_ID, newToken))).status, 200);
      await a.services.accounts.setToken(ROOT_AUTH_ID, ROOT_AUTH_TOKEN);
    });
  });
}
