// The typed client (sdk/client.ts) against a real trunkgate on a real port: Basic and API-key
// sign-in, typed bodies in and out, and the API's error body passed through as the API words it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTrunkgateClient, isApiErrorBody } from '../../sdk/client.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

describe('sdk client', () => {
  let t: TestApp;
  let baseUrl: string;
  before(async () => {
    t = await buildTestApp('sqlite');
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => t.close());

  test('Basic: reads the account, creates and lists a credential', async () => {
    const api = createTrunkgateClient({ baseUrl, authId: t.root.authId, authToken: t.root.token });
    const path = { auth_id: t.root.authId };
    const account = await api.GET('/v1/Account/{auth_id}', { params: { path } });
    assert.equal(account.response.status, 200);
    assert.equal(account.data?.auth_id, t.root.authId);

    const created = await api.POST('/v1/Account/{auth_id}/Zentrunk/Credential/', {
      params: { path },
      body: { name: 'sdk', username: 'sdk-user', password: 'Correct4HorseBattery' },
    });
    assert.equal(created.response.status, 201);
    const list = await api.GET('/v1/Account/{auth_id}/Zentrunk/Credential/', { params: { path } });
    assert.deepEqual(
      list.data?.objects.map((c) => c.username),
      ['sdk-user'],
    );
  });

  test('errors arrive as the API words them, with field', async () => {
    const api = createTrunkgateClient({ baseUrl, authId: t.root.authId, authToken: t.root.token });
    const res = await api.POST('/v1/Account/{auth_id}/SipAuth/IPAccessControlList/', {
      params: { path: { auth_id: t.root.authId } },
      body: { name: 'bad', entries: [{ ip: '10.1.2.3', cidr_prefix: 24 }] },
    });
    assert.equal(res.response.status, 400);
    assert.ok(isApiErrorBody(res.error));
    assert.equal(res.error.code, 'host_bits_set');
    assert.match(res.error.error, /10\.1\.2\.0\/24/);
    assert.equal(res.error.field, 'entries.0.cidr_prefix');
  });

  test('an API key works as Bearer, on both route families', async () => {
    const basic = createTrunkgateClient({ baseUrl, authId: t.root.authId, authToken: t.root.token });
    const key = await basic.POST('/v1/Account/{auth_id}/ApiKey/', {
      params: { path: { auth_id: t.root.authId } },
      body: { name: 'sdk-key' },
    });
    assert.equal(key.response.status, 201);
    const token = key.data?.token ?? '';
    const api = createTrunkgateClient({ baseUrl, apiKey: token, authId: t.root.authId });
    const account = await api.GET('/v1/Account/{auth_id}', { params: { path: { auth_id: t.root.authId } } });
    assert.equal(account.data?.auth_id, t.root.authId);
    const providers = await api.GET('/api/v1/sip-credentials');
    assert.equal(providers.response.status, 200);
    assert.equal(providers.data?.total, 0);

    const wrong = createTrunkgateClient({ baseUrl, authId: t.root.authId, authToken: 'x'.repeat(40) });
    const denied = await wrong.GET('/v1/Account/{auth_id}', { params: { path: { auth_id: t.root.authId } } });
    assert.equal(denied.response.status, 401);
    assert.ok(isApiErrorBody(denied.error));
    assert.equal(denied.error.code, 'unauthenticated');
  });
});
