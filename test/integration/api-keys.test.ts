// API keys (issue 5 item 4) on every database: lifecycle, the token shown once and stored only as
// a SHA-256 hash, Bearer on every path Basic works on, revoke and expiry taking effect at once,
// and bearerAuthHook for route families outside /v1/Account/{auth_id}/.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { bearerAuthHook } from '../../src/api/plugins/account-auth.ts';
import { registerErrorHandling } from '../../src/api/plugins/error-handler.ts';
import '../../src/api/request-context.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';
import { remoteClient } from '../helpers/remote-client.ts';

const HERE = '8.8.8.8';
const TOKEN_RE = /^tgk_[A-Za-z0-9_-]{40}$/;

interface Account {
  authId: string;
  token: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function newAccount(t: TestApp): Promise<Account> {
  const created = await t.services.accounts.createTopLevel('keys');
  return { authId: created.row.auth_id, token: created.authToken };
}

async function createKey(
  t: TestApp,
  owner: Account,
  path: Account = owner,
  body: Record<string, unknown> = {},
) {
  const res = await remoteClient(t.app, owner, HERE).post(`/v1/Account/${path.authId}/ApiKey/`, {
    name: 'ci',
    ...body,
  });
  assert.equal(res.status, 201, res.raw);
  return res.body as { key_id: string; token: string; prefix: string };
}

for (const dialect of DIALECTS) {
  describe(`API keys (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { TRUNKGATE_QUOTA_API_KEYS: '3' });
    });
    after(() => t.close());

    test('create shows the token once; list and get never; only the SHA-256 is stored', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, HERE);
      const base = `/v1/Account/${a.authId}/ApiKey/`;
      const created = await api.post(base, { name: 'deploy bot' });
      assert.equal(created.status, 201);
      const { token, key_id, prefix } = created.body;
      assert.match(token, TOKEN_RE);
      assert.equal(prefix, token.slice(0, 12));
      assert.equal(created.body.name, 'deploy bot');
      assert.equal(created.body.status, 'active');
      assert.equal(created.body.expires_at, null);
      assert.equal(created.body.last_used_at, null);
      assert.match(created.body.message, /not shown again/);

      const got = await api.get(`${base}${key_id}/`);
      assert.equal(got.status, 200);
      assert.deepEqual(Object.keys(got.body).sort(), [
        'api_id',
        'created_at',
        'expires_at',
        'key_id',
        'last_used_at',
        'name',
        'prefix',
        'revoked_at',
        'status',
      ]);
      const list = await api.get(base);
      assert.equal(list.body.meta.total_count, 1);
      for (const raw of [got.raw, list.raw]) {
        assert.ok(!raw.includes(token), 'token in a later response');
        assert.ok(!raw.includes(sha256(token)), 'hash in a response');
      }

      const row = await t.services.store.db
        .selectFrom('api_keys')
        .selectAll()
        .where('key_id', '=', key_id)
        .executeTakeFirstOrThrow();
      assert.equal(row.token_hash, sha256(token));
      assert.ok(!Object.values(row).includes(token), 'the token itself is stored');
    });

    test('Bearer works wherever Basic does, for the key’s account and its subaccounts', async () => {
      const a = await newAccount(t);
      const sub = await t.services.accounts.createSubaccount(a.authId, 'sub', true);
      const key = await createKey(t, a);
      const bearer = remoteClient(t.app, { bearer: key.token }, HERE);
      for (const path of [
        `/v1/Account/${a.authId}/`,
        `/v1/Account/${a.authId}/Subaccount/`,
        `/v1/Account/${a.authId}/IPWhitelist/`,
        `/v1/Account/${a.authId}/ApiKey/`,
        `/v1/Account/${a.authId}/Zentrunk/Credential/`,
        `/v1/Account/${sub.row.auth_id}/`,
        `/v1/Account/${sub.row.auth_id}/SipAuth/Credential/`,
      ]) {
        assert.equal((await bearer.get(path)).status, 200, path);
      }
      const made = await bearer.post(`/v1/Account/${a.authId}/Zentrunk/Credential/`, {
        username: 'via-key',
        password: 'Str0ngPassword',
      });
      assert.equal(made.status, 201, made.raw);

      // A subaccount's key acts as the subaccount: its parent is out of reach (404, as with Basic).
      const subKey = await createKey(t, a, { authId: sub.row.auth_id, token: '' });
      const asSub = remoteClient(t.app, { bearer: subKey.token }, HERE);
      assert.equal((await asSub.get(`/v1/Account/${sub.row.auth_id}/`)).status, 200);
      assert.equal((await asSub.get(`/v1/Account/${a.authId}/`)).status, 404);
      // Another account's key reaches nothing of this one.
      const other = await createKey(t, await newAccount(t));
      assert.equal(
        (await remoteClient(t.app, { bearer: other.token }, HERE).get(`/v1/Account/${a.authId}/`)).status,
        404,
      );
    });

    test('last_used_at is recorded', async () => {
      const a = await newAccount(t);
      const key = await createKey(t, a);
      assert.equal(
        (await remoteClient(t.app, { bearer: key.token }, HERE).get(`/v1/Account/${a.authId}/`)).status,
        200,
      );
      const got = await remoteClient(t.app, a, HERE).get(`/v1/Account/${a.authId}/ApiKey/${key.key_id}/`);
      assert.ok(got.body.last_used_at !== null);
      assert.ok(Date.now() - Date.parse(got.body.last_used_at) < 60_000);
    });

    test('revoke: 204, then the key is 401 at once and listed as revoked', async () => {
      const a = await newAccount(t);
      const key = await createKey(t, a);
      const owner = remoteClient(t.app, a, HERE);
      const bearer = remoteClient(t.app, { bearer: key.token }, HERE);
      assert.equal((await bearer.get(`/v1/Account/${a.authId}/`)).status, 200);
      const path = `/v1/Account/${a.authId}/ApiKey/${key.key_id}/`;
      assert.equal((await owner.delete(path)).status, 204);
      const refused = await bearer.get(`/v1/Account/${a.authId}/`);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.code, 'api_key_revoked');
      assert.match(
        String(refused.headers['www-authenticate']),
        /Bearer realm="trunkgate", error="invalid_token"/,
      );
      const got = await owner.get(path);
      assert.equal(got.body.status, 'revoked');
      assert.ok(got.body.revoked_at !== null);
      assert.equal((await owner.delete(path)).status, 204, 'revoking again changes nothing');
      assert.equal((await owner.get(path)).body.revoked_at, got.body.revoked_at);
      assert.equal(
        (await owner.delete(`/v1/Account/${a.authId}/ApiKey/00000000-0000-4000-8000-000000000000/`)).status,
        404,
      );
    });

    test('another account cannot see or revoke a key (404)', async () => {
      const a = await newAccount(t);
      const b = await newAccount(t);
      const key = await createKey(t, a);
      const asB = remoteClient(t.app, b, HERE);
      assert.equal((await asB.get(`/v1/Account/${b.authId}/ApiKey/${key.key_id}/`)).status, 404);
      assert.equal((await asB.delete(`/v1/Account/${b.authId}/ApiKey/${key.key_id}/`)).status, 404);
      assert.equal((await asB.delete(`/v1/Account/${a.authId}/ApiKey/${key.key_id}/`)).status, 404);
      assert.equal(
        (await remoteClient(t.app, { bearer: key.token }, HERE).get(`/v1/Account/${a.authId}/`)).status,
        200,
      );
    });

    test('expiry: must be a future date-time with a zone; an expired key is 401 at once', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, HERE);
      const base = `/v1/Account/${a.authId}/ApiKey/`;
      for (const expires_at of [
        '2020-01-01T00:00:00Z',
        'tomorrow',
        '2031-01-01',
        '2031-01-01T00:00:00',
        '2031-02-30T00:00:00Z',
      ]) {
        const res = await api.post(base, { name: 'x', expires_at });
        assert.equal(res.status, 400, expires_at);
        assert.equal(res.body.code, 'invalid_expires_at', expires_at);
        assert.equal(res.body.field, 'expires_at');
      }
      const offset = await api.post(base, { name: 'tz', expires_at: '2031-01-01T02:00:00+02:00' });
      assert.equal(offset.body.expires_at, '2031-01-01T00:00:00.000Z');
      assert.equal(offset.body.status, 'active');

      const soon = new Date(Date.now() + 1500).toISOString();
      const key = await createKey(t, a, a, { expires_at: soon });
      const bearer = remoteClient(t.app, { bearer: key.token }, HERE);
      assert.equal((await bearer.get(`/v1/Account/${a.authId}/`)).status, 200);
      await new Promise((r) => setTimeout(r, Date.parse(soon) - Date.now() + 50));
      const expired = await bearer.get(`/v1/Account/${a.authId}/`);
      assert.equal(expired.status, 401);
      assert.equal(expired.body.code, 'api_key_expired');
      assert.match(expired.body.error, new RegExp(soon.replace(/[.]/g, '\\.')));
      assert.equal((await api.get(`${base}${key.key_id}/`)).body.status, 'expired');
    });

    test('unknown and malformed tokens are 401; disabled accounts’ keys stop working', async () => {
      const a = await newAccount(t);
      for (const authorization of [
        'Bearer tgk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        'Bearer not-one-of-ours',
        'Bearer ',
        'Bearer a b',
      ]) {
        const res = await remoteClient(t.app, { authorization }, '9.9.9.1').get(`/v1/Account/${a.authId}/`);
        assert.equal(res.status, 401, authorization);
        assert.equal(res.body.code, 'unauthenticated');
        assert.match(
          String(res.headers['www-authenticate']),
          /Basic realm="trunkgate".*Bearer realm="trunkgate"/,
        );
      }
      const sub = await t.services.accounts.createSubaccount(a.authId, 'sub', true);
      const key = await createKey(t, a, { authId: sub.row.auth_id, token: '' });
      const asSub = remoteClient(t.app, { bearer: key.token }, HERE);
      assert.equal((await asSub.get(`/v1/Account/${sub.row.auth_id}/`)).status, 200);
      await t.services.accounts.updateSubaccount(sub.row.auth_id, { enabled: false });
      assert.equal((await asSub.get(`/v1/Account/${sub.row.auth_id}/`)).status, 401);
      await t.services.accounts.updateSubaccount(sub.row.auth_id, { enabled: true });
      assert.equal((await asSub.get(`/v1/Account/${sub.row.auth_id}/`)).status, 200);
      // Deleting the subaccount deletes its keys.
      await t.services.accounts.deleteSubaccount(sub.row.auth_id);
      assert.equal((await asSub.get(`/v1/Account/${sub.row.auth_id}/`)).status, 401);
    });

    test('validation and the quota of active keys', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, HERE);
      const base = `/v1/Account/${a.authId}/ApiKey/`;
      assert.equal((await api.post(base, { name: '' })).body.code, 'invalid_name');
      assert.equal((await api.post(base, {})).body.code, 'validation_failed');
      assert.equal((await api.post(base, { name: 'x', scope: 'all' })).body.code, 'unknown_field');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await createKey(t, a)).key_id);
      const over = await api.post(base, { name: 'fourth' });
      assert.equal(over.status, 400);
      assert.equal(over.body.code, 'quota_exceeded');
      assert.match(over.body.error, /3 active API keys/);
      assert.equal((await api.delete(`${base}${ids[0]}/`)).status, 204);
      assert.equal((await api.post(base, { name: 'fourth' })).status, 201);
      assert.equal((await api.get(base)).body.meta.total_count, 4, 'revoked keys stay listed');
    });

    describe('bearerAuthHook (for route families outside /v1/Account/{auth_id}/)', () => {
      let probe: FastifyInstance;
      before(async () => {
        probe = Fastify();
        registerErrorHandling(probe);
        probe.decorateRequest('caller', null as never);
        probe.decorateRequest('account', null as never);
        probe.decorateRequest('authMethod', 'basic');
        probe.get('/api/v1/probe', { onRequest: bearerAuthHook(t.services) }, async (request) => ({
          caller: request.caller.auth_id,
          account: request.account.auth_id,
          method: request.authMethod,
        }));
        await probe.ready();
      });
      after(() => probe.close());

      test('a key sets caller and account to its account; Basic and bad keys are 401', async () => {
        const a = await newAccount(t);
        const key = await createKey(t, a);
        const ok = await remoteClient(probe, { bearer: key.token }, HERE).get('/api/v1/probe');
        assert.equal(ok.status, 200);
        assert.deepEqual(ok.body, { caller: a.authId, account: a.authId, method: 'bearer' });
        const basicAuth = await remoteClient(probe, a, HERE).get('/api/v1/probe');
        assert.equal(basicAuth.status, 401);
        assert.equal(basicAuth.headers['www-authenticate'], 'Bearer realm="trunkgate"');
        assert.equal((await remoteClient(probe, null, HERE).get('/api/v1/probe')).status, 401);
        await remoteClient(t.app, a, HERE).delete(`/v1/Account/${a.authId}/ApiKey/${key.key_id}/`);
        assert.equal(
          (await remoteClient(probe, { bearer: key.token }, HERE).get('/api/v1/probe')).body.code,
          'api_key_revoked',
        );
      });

      test('the key’s account tree’s allowlist applies the same way', async () => {
        const a = await newAccount(t);
        const sub = await t.services.accounts.createSubaccount(a.authId, 'sub', true);
        const key = await createKey(t, a, { authId: sub.row.auth_id, token: '' });
        const added = await remoteClient(t.app, a, HERE).post(`/v1/Account/${a.authId}/IPWhitelist/`, {
          cidr: '8.8.8.0/24',
        });
        assert.equal(added.status, 201);
        const inside = await remoteClient(probe, { bearer: key.token }, HERE).get('/api/v1/probe');
        assert.equal(inside.status, 200);
        assert.equal(inside.body.account, sub.row.auth_id);
        const outside = await remoteClient(probe, { bearer: key.token }, '1.1.1.1').get('/api/v1/probe');
        assert.equal(outside.status, 403);
        assert.equal(outside.body.code, 'ip_not_allowlisted');
      });
    });
  });
}
