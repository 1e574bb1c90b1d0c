// Origination URIs (Zentrunk URI, issue 4 item 3), on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Api, api, createSubaccount, rootApi, UUID_RE } from '../helpers/acl-trunk-fixtures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const URI = '/Zentrunk/URI/';

for (const dialect of DIALECTS) {
  describe(`origination URIs (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
    });
    after(() => t.close());

    test('create → retrieve → list → update → delete', async () => {
      const created = await root.post(URI, { name: 'primary-pbx', uri: 'sip.example.com:5060' });
      assert.equal(created.status, 201, created.raw);
      assert.equal(created.body.message, 'Origination URI created successfully.');
      const id = created.body.uri_uuid as string;
      assert.match(id, UUID_RE);

      const got = await root.get(`${URI}${id}/`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, {
        api_id: got.body.api_id,
        uri_uuid: id,
        name: 'primary-pbx',
        uri: 'sip:sip.example.com:5060',
        tls_verify: true,
        health: { status: 'unknown', last_checked: null, last_error: null },
      });

      const list = await root.get(URI);
      assert.equal(list.status, 200);
      assert.equal(list.body.meta.total_count, 1);
      assert.deepEqual(Object.keys(list.body.objects[0]).sort(), [
        'health',
        'name',
        'tls_verify',
        'uri',
        'uri_uuid',
      ]);

      const upd = await root.post(`${URI}${id}/`, {
        uri: 'SIP:PBX2.example.com;transport=TLS',
        name: 'moved',
      });
      assert.equal(upd.status, 202, upd.raw);
      assert.equal(upd.body.message, 'Origination URI updated successfully.');
      assert.equal(upd.body.uri_uuid, id);
      const after = (await root.get(`${URI}${id}/`)).body;
      assert.equal(after.uri, 'sip:pbx2.example.com;transport=tls');
      assert.equal(after.name, 'moved');
      const row = await t.services.originationUris.find(t.root.authId, id);
      assert.equal(row?.host, 'pbx2.example.com');
      assert.equal(row?.transport, 'tls');
      assert.equal(row?.port, null);

      assert.equal((await root.post(`${URI}${id}/`, {})).status, 400);
      assert.equal((await root.delete(`${URI}${id}/`)).status, 204);
      assert.equal((await root.get(`${URI}${id}/`)).status, 404);
      assert.equal((await root.post(`${URI}${id}/`, { name: 'gone' })).status, 404);
    });

    test('IP hosts are canonical; IPv6 in brackets', async () => {
      for (const [input, canonical] of [
        ['[2001:DB8:0::10]:5060', 'sip:[2001:db8::10]:5060'],
        ['sips:203.0.113.10:5061', 'sips:203.0.113.10:5061'],
        ['sip:trunk@[::ffff:198.51.100.2]', 'sip:trunk@198.51.100.2'],
      ]) {
        const id = (await root.create(URI, { uri: input })).uri_uuid;
        const got = (await root.get(`${URI}${id}/`)).body;
        assert.equal(got.uri, canonical, input);
        assert.equal(got.name, null);
      }
    });

    test('a missing uri is a 422; a bad one a 400 invalid_uri naming the field', async () => {
      const missing = await root.post(URI, { name: 'nowhere' });
      assert.equal(missing.status, 422);
      assert.equal(missing.body.code, 'missing_required_parameters');
      assert.equal(missing.body.field, 'uri');
      for (const uri of [
        '',
        'http://pbx.example.com',
        '2001:db8::1',
        'pbx.example.com:70000',
        'pbx.example.com;transport=sctp',
        'sip:user:pw@pbx.example.com',
        '127.0.0.1:5060',
        'localhost',
        '010.0.0.1',
        'pbx .example.com',
      ]) {
        const res = await root.post(URI, { uri });
        assert.equal(res.status, 400, `${uri} → ${res.raw}`);
        assert.equal(res.body.code, 'invalid_uri', uri);
        assert.equal(res.body.field, 'uri');
      }
      const badName = await root.post(URI, { uri: 'pbx.example.com', name: '' });
      assert.equal(badName.body.code, 'invalid_name');
      const extra = await root.post(URI, { uri: 'pbx.example.com', authentication_needed: true });
      assert.equal(extra.status, 400);
      assert.equal(extra.body.code, 'unknown_field');
    });

    test("another account's URI is a 404", async () => {
      const a = api(t, await createSubaccount(root, 'uri-a'));
      const b = api(t, await createSubaccount(root, 'uri-b'));
      const id = (await a.create(URI, { uri: 'pbx.example.com' })).uri_uuid;
      for (const res of [
        await b.get(`${URI}${id}/`),
        await b.post(`${URI}${id}/`, { name: 'x' }),
        await b.delete(`${URI}${id}/`),
      ]) {
        assert.equal(res.status, 404);
        assert.equal(res.body.code, 'not_found');
      }
      assert.equal((await root.get(`${URI}${id}/`)).status, 404);
      assert.equal((await a.get(`${URI}${id}/`)).body.name, null);
    });
  });
}
