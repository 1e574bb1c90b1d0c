// Applications (issue 4 item 5), on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Api,
  api,
  createSubaccount,
  makeAcl,
  makeCredential,
  rootApi,
} from '../helpers/acl-trunk-fixtures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const APP = '/Application/';
const ANSWER = 'https://example.com/answer';

for (const dialect of DIALECTS) {
  describe(`applications (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    let acl: string;
    let cred: string;
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
      acl = await makeAcl(root);
      cred = await makeCredential(root);
    });
    after(() => t.close());

    async function get(a: Api, id: string) {
      const res = await a.get(`${APP}${id}/`);
      assert.equal(res.status, 200, res.raw);
      return res.body;
    }

    test('create (Plivo shape) → retrieve → list → update → delete', async () => {
      const res = await root.post(APP, { app_name: 'ivr', answer_url: ANSWER });
      assert.equal(res.status, 201, res.raw);
      assert.deepEqual(Object.keys(res.body).sort(), ['api_id', 'app_id', 'message']);
      assert.equal(res.body.message, 'created');
      const id = res.body.app_id as string;
      assert.match(id, /^[1-9][0-9]{17}$/);

      const got = await get(root, id);
      assert.deepEqual(got, {
        api_id: got.api_id,
        app_id: id,
        app_name: 'ivr',
        answer_url: ANSWER,
        answer_method: 'POST',
        hangup_url: null,
        hangup_method: 'POST',
        fallback_answer_url: null,
        fallback_method: 'POST',
        enabled: true,
        sip_auth_type: 'none',
        ip_acl_uuid: null,
        credential_uuid: null,
        sip_uri: `sip:${id}@sip.test.local`,
        digest_algorithms: null,
        sub_account: null,
        resource_uri: `/v1/Account/${t.root.authId}/Application/${id}/`,
        created_at: got.created_at,
        updated_at: got.updated_at,
      });

      const list = await root.get(APP);
      assert.equal(list.status, 200);
      assert.ok(list.body.objects.some((o: { app_id: string }) => o.app_id === id));

      const upd = await root.post(`${APP}${id}/`, {
        app_name: 'ivr-2',
        answer_method: 'GET',
        hangup_url: 'https://example.com/hangup',
        enabled: false,
      });
      assert.equal(upd.status, 202, upd.raw);
      assert.deepEqual(Object.keys(upd.body).sort(), ['api_id', 'message']);
      assert.equal(upd.body.message, 'changed');
      const after = await get(root, id);
      assert.deepEqual(
        [after.app_name, after.answer_method, after.hangup_url, after.enabled, after.answer_url],
        ['ivr-2', 'GET', 'https://example.com/hangup', false, ANSWER],
      );
      assert.equal((await root.post(`${APP}${id}/`, { hangup_url: '' })).status, 202);
      assert.equal((await get(root, id)).hangup_url, null);

      assert.equal((await root.delete(`${APP}${id}/`)).status, 204);
      assert.equal((await root.get(`${APP}${id}/`)).status, 404);
      assert.equal((await root.delete(`${APP}${id}/`)).status, 404);
    });

    test('each sip_auth_type with exactly the references it needs', async () => {
      const bodies = {
        ip_acl: { ip_acl_uuid: acl },
        credential: { credential_uuid: cred },
        ip_acl_and_credential: {
          ip_acl_uuid: acl,
          credential_uuid: cred,
          digest_algorithms: ['SHA-512-256', 'SHA-256'],
        },
      };
      for (const [type, refs] of Object.entries(bodies)) {
        const id = (
          await root.create(APP, { app_name: type, answer_url: ANSWER, sip_auth_type: type, ...refs })
        ).app_id;
        const got = await get(root, id);
        assert.equal(got.sip_auth_type, type);
        assert.equal(got.ip_acl_uuid, 'ip_acl_uuid' in refs ? acl : null);
        assert.equal(got.credential_uuid, 'credential_uuid' in refs ? cred : null);
      }
      const cases: [Record<string, unknown>, string, string][] = [
        [{ sip_auth_type: 'ip_acl' }, 'field_required', 'ip_acl_uuid'],
        [{ sip_auth_type: 'credential' }, 'field_required', 'credential_uuid'],
        [
          { sip_auth_type: 'credential', credential_uuid: cred, ip_acl_uuid: acl },
          'field_not_allowed',
          'ip_acl_uuid',
        ],
        [{ sip_auth_type: 'ip_acl_and_credential', ip_acl_uuid: acl }, 'field_required', 'credential_uuid'],
        [{ credential_uuid: cred }, 'field_not_allowed', 'credential_uuid'],
        [{ sip_auth_type: 'digest' }, 'validation_failed', 'sip_auth_type'],
        [{ sip_auth_type: 'ip_acl', ip_acl_uuid: cred }, 'invalid_reference', 'ip_acl_uuid'],
        [{ sip_auth_type: 'credential', credential_uuid: acl }, 'invalid_reference', 'credential_uuid'],
        [{ answer_url: 'example.com/answer' }, 'invalid_url', 'answer_url'],
        [{ hangup_url: 'ftp://example.com/' }, 'invalid_url', 'hangup_url'],
        [{ fallback_answer_url: 'nope' }, 'invalid_url', 'fallback_answer_url'],
        [{ answer_method: 'PUT' }, 'validation_failed', 'answer_method'],
        [{ app_name: '' }, 'invalid_name', 'app_name'],
        [{ app_name: 'x'.repeat(121) }, 'invalid_name', 'app_name'],
        [{ digest_algorithms: ['SHA-1'] }, 'invalid_digest_algorithms', 'digest_algorithms'],
        [{ sip_uri: 'sip:x@y' }, 'unknown_field', 'sip_uri'],
      ];
      for (const [extra, code, field] of cases) {
        const res = await root.post(APP, { app_name: 'bad', answer_url: ANSWER, ...extra });
        assert.equal(res.status, 400, `${JSON.stringify(extra)} → ${res.raw}`);
        assert.equal(res.body.code, code, JSON.stringify(extra));
        assert.equal(res.body.field, field, JSON.stringify(extra));
      }
      for (const missing of [{ answer_url: ANSWER }, { app_name: 'x' }]) {
        const res = await root.post(APP, missing);
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'validation_failed');
      }
    });

    test('update: a sip_auth_type change clears references the new type does not use', async () => {
      const id = (
        await root.create(APP, {
          app_name: 'switch',
          answer_url: ANSWER,
          sip_auth_type: 'ip_acl_and_credential',
          ip_acl_uuid: acl,
          credential_uuid: cred,
        })
      ).app_id;
      assert.equal((await root.post(`${APP}${id}/`, { sip_auth_type: 'credential' })).status, 202);
      let got = await get(root, id);
      assert.deepEqual([got.sip_auth_type, got.ip_acl_uuid, got.credential_uuid], ['credential', null, cred]);
      const sent = await root.post(`${APP}${id}/`, { sip_auth_type: 'none', credential_uuid: cred });
      assert.equal(sent.status, 400);
      assert.equal(sent.body.code, 'field_not_allowed');
      const needs = await root.post(`${APP}${id}/`, { sip_auth_type: 'ip_acl' });
      assert.equal(needs.status, 400);
      assert.equal(needs.body.code, 'field_required');
      assert.equal(needs.body.field, 'ip_acl_uuid');
      assert.equal(
        (await root.post(`${APP}${id}/`, { sip_auth_type: 'ip_acl', ip_acl_uuid: acl })).status,
        202,
      );
      got = await get(root, id);
      assert.deepEqual([got.sip_auth_type, got.ip_acl_uuid, got.credential_uuid], ['ip_acl', acl, null]);
      assert.equal((await root.post(`${APP}${id}/`, {})).status, 400);
    });

    test('cross-account references are refused; another account’s application is a 404', async () => {
      const subA = await createSubaccount(root, 'app-a');
      const subB = await createSubaccount(root, 'app-b');
      const a = api(t, subA);
      const b = api(t, subB);
      const bAcl = await makeAcl(b);
      const bCred = await makeCredential(b);
      for (const body of [
        { sip_auth_type: 'ip_acl', ip_acl_uuid: bAcl },
        { sip_auth_type: 'credential', credential_uuid: bCred },
        { sip_auth_type: 'ip_acl', ip_acl_uuid: acl },
        { sip_auth_type: 'credential', credential_uuid: cred },
      ]) {
        const res = await a.post(APP, { app_name: 'x', answer_url: ANSWER, ...body });
        assert.equal(res.status, 400, res.raw);
        assert.equal(res.body.code, 'invalid_reference');
      }
      const aId = (await a.create(APP, { app_name: 'mine', answer_url: ANSWER })).app_id;
      assert.equal((await get(a, aId)).sub_account, subA.authId);
      const moved = await a.post(`${APP}${aId}/`, { sip_auth_type: 'ip_acl', ip_acl_uuid: bAcl });
      assert.equal(moved.status, 400);
      assert.equal(moved.body.code, 'invalid_reference');
      assert.equal((await get(a, aId)).sip_auth_type, 'none', 'a refused update changes nothing');
      for (const res of [
        await b.get(`${APP}${aId}/`),
        await b.post(`${APP}${aId}/`, { app_name: 'x' }),
        await b.delete(`${APP}${aId}/`),
        await root.get(`${APP}${aId}/`),
      ]) {
        assert.equal(res.status, 404);
        assert.equal(res.body.code, 'not_found');
      }
      const asParent = api(t, { authId: t.root.authId, token: t.root.token }, subA.authId);
      assert.equal((await asParent.get(`${APP}${aId}/`)).status, 200);
    });

    test('pagination meta', async () => {
      const sub = api(t, await createSubaccount(root, 'app-pages'));
      for (let i = 0; i < 3; i++) await sub.create(APP, { app_name: `p${i}`, answer_url: ANSWER });
      const page = await sub.get(`${APP}?limit=2&offset=2`);
      assert.equal(page.status, 200);
      assert.equal(page.body.objects.length, 1);
      assert.deepEqual(page.body.meta, {
        limit: 2,
        offset: 2,
        total_count: 3,
        previous: `v1/Account/${sub.authId}/Application/?limit=2&offset=0`,
        next: null,
      });
    });
  });
}
