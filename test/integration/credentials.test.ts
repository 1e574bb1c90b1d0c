import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, client, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const GOOD_PASSWORD = 'Str0ngPassword';

for (const dialect of DIALECTS) {
  describe(`SIP credentials (${dialect})`, () => {
    let t: TestApp;
    let api: ReturnType<typeof client>;
    let base: string;
    before(async () => {
      t = await buildTestApp(dialect);
      api = client(t.app, { authId: t.root.authId, token: t.root.token });
      base = `/v1/Account/${t.root.authId}`;
    });
    after(() => t.close());

    test('SipAuth create → retrieve → list → update password → delete', async () => {
      const created = await api.post(`${base}/SipAuth/Credential/`, { username: 'alice.1', password: GOOD_PASSWORD });
      assert.equal(created.status, 201);
      assert.equal(created.body.message, 'Credential created successfully.');
      assert.equal(created.body.username, 'alice.1');
      assert.equal(created.body.realm, 'sip.test.local');
      assert.match(created.body.api_id, /^[0-9a-f-]{36}$/);
      const id = created.body.credential_uuid as string;
      assert.equal(created.body.uri, `/v1/Account/${t.root.authId}/SipAuth/Credential/${id}/`);

      const got = await api.get(`${base}/SipAuth/Credential/${id}/`);
      assert.equal(got.status, 200);
      assert.deepEqual(Object.keys(got.body).sort(), ['api_id', 'created_at', 'credential_uuid', 'realm', 'updated_at', 'uri', 'username']);

      const list = await api.get(`${base}/SipAuth/Credential/`);
      assert.equal(list.status, 200);
      assert.equal(list.body.meta.total_count, 1);

      const upd = await api.post(`${base}/SipAuth/Credential/${id}/`, { password: 'An0therPassword' });
      assert.equal(upd.status, 202);
      const renamed = await api.post(`${base}/SipAuth/Credential/${id}/`, { username: 'bob', password: 'An0therPassword' });
      assert.equal(renamed.status, 400);
      assert.equal(renamed.body.code, 'username_immutable');

      const del = await api.delete(`${base}/SipAuth/Credential/${id}/`);
      assert.equal(del.status, 204);
      assert.equal((await api.get(`${base}/SipAuth/Credential/${id}/`)).status, 404);
    });

    test('a credential made on one path is visible on the other', async () => {
      const z = await api.post(`${base}/Zentrunk/Credential/`, { name: 'prod', username: 'shared-user', password: GOOD_PASSWORD });
      assert.equal(z.status, 201);
      const s = await api.get(`${base}/SipAuth/Credential/${z.body.credential_uuid}/`);
      assert.equal(s.status, 200);
      assert.equal(s.body.username, 'shared-user');
      const dup = await api.post(`${base}/SipAuth/Credential/`, { username: 'shared-user', password: GOOD_PASSWORD });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.code, 'duplicate_username');
      await api.delete(`${base}/Zentrunk/Credential/${z.body.credential_uuid}/`);
    });

    test('no response ever carries a password or a hash', async () => {
      const c = await api.post(`${base}/Zentrunk/Credential/`, { username: 'nohash', password: GOOD_PASSWORD });
      const bodies = [
        c.raw,
        (await api.get(`${base}/Zentrunk/Credential/`)).raw,
        (await api.get(`${base}/SipAuth/Credential/`)).raw,
        (await api.get(`${base}/SipAuth/Credential/${c.body.credential_uuid}/`)).raw,
      ];
      for (const b of bodies) {
        assert.ok(!b.includes(GOOD_PASSWORD));
        assert.ok(!/ha1|[0-9a-f]{32}/.test(b.replace(/[0-9a-f-]{36}/g, '')), `hash-like value in ${b}`);
      }
      await api.delete(`${base}/Zentrunk/Credential/${c.body.credential_uuid}/`);
    });
  });
}
