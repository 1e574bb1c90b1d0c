// Zentrunk trunks (issue 4 item 4), on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Api,
  api,
  createSubaccount,
  makeAcl,
  makeCredential,
  makeUri,
  rootApi,
} from '../helpers/acl-trunk-fixtures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const TRUNK = '/Zentrunk/Trunk/';
const MISSING = '00000000-0000-4000-8000-000000000000';

for (const dialect of DIALECTS) {
  describe(`trunks (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    let acl: string;
    let cred: string;
    let uri1: string;
    let uri2: string;
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
      acl = await makeAcl(root, ['203.0.113.0/24', '2001:db8::/32']);
      cred = await makeCredential(root);
      uri1 = await makeUri(root, 'sip:pbx1.example.com:5060');
      uri2 = await makeUri(root, 'sip:pbx2.example.com:5060;transport=tcp');
    });
    after(() => t.close());

    async function trunk(id: string) {
      const res = await root.get(`${TRUNK}${id}/`);
      assert.equal(res.status, 200, res.raw);
      return res.body;
    }

    test("seed 001's example: an outbound trunk with a credential", async () => {
      const res = await root.post(TRUNK, {
        name: 'outbound-trunk',
        trunk_direction: 'outbound',
        credential_uuid: cred,
      });
      assert.equal(res.status, 201, res.raw);
      assert.equal(res.body.message, 'Trunk created successfully.');
      const id = res.body.trunk_id as string;
      assert.match(id, /^[1-9][0-9]{17}$/);
      const got = await trunk(id);
      assert.deepEqual(got, {
        api_id: got.api_id,
        trunk_id: id,
        trunk_domain: `${id}.sip.test.local`,
        name: 'outbound-trunk',
        trunk_status: 'enabled',
        trunk_direction: 'outbound',
        secure: false,
        cps_limit: null,
        ipacl_uuid: null,
        credential_uuid: cred,
        primary_uri_uuid: null,
        fallback_uri_uuid: null,
        origination_uris: [],
        digest_algorithms: null,
      });
    });

    test('outbound with both an ACL and a credential; cps_limit; digest_algorithms', async () => {
      const id = (
        await root.create(TRUNK, {
          name: 'both',
          trunk_direction: 'outbound',
          ipacl_uuid: acl,
          credential_uuid: cred,
          secure: true,
          cps_limit: 2.5,
          trunk_status: 'disabled',
          digest_algorithms: ['sha-256', 'MD5'],
        })
      ).trunk_id;
      const got = await trunk(id);
      assert.equal(got.ipacl_uuid, acl);
      assert.equal(got.credential_uuid, cred);
      assert.equal(got.secure, true);
      assert.equal(got.cps_limit, 2.5);
      assert.equal(got.trunk_status, 'disabled');
      assert.deepEqual(got.digest_algorithms, ['SHA-256', 'MD5']);
    });

    test('inbound: primary and fallback origination URIs', async () => {
      const id = (
        await root.create(TRUNK, {
          trunk_direction: 'inbound',
          primary_uri_uuid: uri1,
          fallback_uri_uuid: uri2,
        })
      ).trunk_id;
      const got = await trunk(id);
      assert.equal(got.trunk_direction, 'inbound');
      assert.equal(got.primary_uri_uuid, uri1);
      assert.equal(got.fallback_uri_uuid, uri2);
      assert.equal(got.name, null);
    });

    test('shape rules: a 400 naming the field', async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ name: 'x' }, 'validation_failed', 'trunk_direction'],
        [{ trunk_direction: 'sideways', credential_uuid: cred }, 'validation_failed', 'trunk_direction'],
        [{ trunk_direction: 'outbound' }, 'field_required', 'ipacl_uuid'],
        [
          { trunk_direction: 'outbound', ipacl_uuid: '', credential_uuid: null },
          'field_required',
          'ipacl_uuid',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, primary_uri_uuid: uri1 },
          'field_not_allowed',
          'primary_uri_uuid',
        ],
        [{ trunk_direction: 'inbound' }, 'field_required', 'primary_uri_uuid'],
        [{ trunk_direction: 'inbound', fallback_uri_uuid: uri2 }, 'field_required', 'primary_uri_uuid'],
        [
          { trunk_direction: 'inbound', primary_uri_uuid: uri1, ipacl_uuid: acl },
          'field_not_allowed',
          'ipacl_uuid',
        ],
        [
          { trunk_direction: 'inbound', primary_uri_uuid: uri1, fallback_uri_uuid: uri1 },
          'conflicting_fields',
          'fallback_uri_uuid',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, cps_limit: 0 },
          'validation_failed',
          'cps_limit',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, cps_limit: -1 },
          'validation_failed',
          'cps_limit',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, cps_limit: 10001 },
          'validation_failed',
          'cps_limit',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, cps_limit: 'fast' },
          'validation_failed',
          'cps_limit',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, trunk_status: 'on' },
          'validation_failed',
          'trunk_status',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, digest_algorithms: ['SHA-1'] },
          'invalid_digest_algorithms',
          'digest_algorithms',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, digest_algorithms: [] },
          'invalid_digest_algorithms',
          'digest_algorithms',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, digest_algorithms: ['MD5', 'md5'] },
          'invalid_digest_algorithms',
          'digest_algorithms',
        ],
        [
          { trunk_direction: 'outbound', credential_uuid: cred, trunk_domain: 'x.example.com' },
          'unknown_field',
          'trunk_domain',
        ],
        [{ trunk_direction: 'outbound', credential_uuid: cred, name: '' }, 'invalid_name', 'name'],
      ];
      const before = (await root.get(TRUNK)).body.meta.total_count;
      for (const [body, code, field] of cases) {
        const res = await root.post(TRUNK, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.raw}`);
        assert.equal(res.body.code, code, JSON.stringify(body));
        assert.equal(res.body.field, field, JSON.stringify(body));
      }
      assert.equal((await root.get(TRUNK)).body.meta.total_count, before, 'nothing was created');
    });

    test('referenced ids must exist in the same account', async () => {
      const subA = await createSubaccount(root, 'trunk-a');
      const subB = await createSubaccount(root, 'trunk-b');
      const a = api(t, subA);
      const b = api(t, subB);
      const bAcl = await makeAcl(b);
      const bCred = await makeCredential(b);
      const bUri = await makeUri(b);
      const aAcl = await makeAcl(a);
      const cases: [Api, Record<string, unknown>, string][] = [
        [root, { trunk_direction: 'outbound', ipacl_uuid: MISSING }, 'ipacl_uuid'],
        [root, { trunk_direction: 'outbound', credential_uuid: acl }, 'credential_uuid'],
        [root, { trunk_direction: 'outbound', ipacl_uuid: cred }, 'ipacl_uuid'],
        [a, { trunk_direction: 'outbound', ipacl_uuid: bAcl }, 'ipacl_uuid'],
        [a, { trunk_direction: 'outbound', ipacl_uuid: aAcl, credential_uuid: bCred }, 'credential_uuid'],
        [a, { trunk_direction: 'inbound', primary_uri_uuid: bUri }, 'primary_uri_uuid'],
        [a, { trunk_direction: 'outbound', ipacl_uuid: acl }, 'ipacl_uuid'],
        [root, { trunk_direction: 'outbound', ipacl_uuid: aAcl }, 'ipacl_uuid'],
        [
          root,
          { trunk_direction: 'inbound', primary_uri_uuid: uri1, fallback_uri_uuid: bUri },
          'fallback_uri_uuid',
        ],
      ];
      for (const [who, body, field] of cases) {
        const res = await who.post(TRUNK, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.raw}`);
        assert.equal(res.body.code, 'invalid_reference');
        assert.equal(res.body.field, field);
        assert.match(res.body.error, new RegExp(`^${field} "`));
      }
      assert.equal((await a.get(TRUNK)).body.meta.total_count, 0);
      // The parent, acting on the subaccount's path, uses the subaccount's own objects.
      const asParent = api(t, { authId: t.root.authId, token: t.root.token }, subA.authId);
      assert.equal(
        (await asParent.post(TRUNK, { trunk_direction: 'outbound', ipacl_uuid: aAcl })).status,
        201,
      );
      assert.equal(
        (await asParent.post(TRUNK, { trunk_direction: 'outbound', ipacl_uuid: acl })).status,
        400,
      );
    });

    test('update: partial, null clears, a direction change swaps the fields', async () => {
      const id = (
        await root.create(TRUNK, {
          name: 'u',
          trunk_direction: 'outbound',
          ipacl_uuid: acl,
          credential_uuid: cred,
          cps_limit: 10,
        })
      ).trunk_id;
      const upd = await root.post(`${TRUNK}${id}/`, {
        name: 'u2',
        trunk_status: 'disabled',
        secure: true,
        cps_limit: null,
      });
      assert.equal(upd.status, 202, upd.raw);
      assert.equal(upd.body.message, 'Trunk updated successfully.');
      assert.equal(upd.body.trunk_id, id);
      let got = await trunk(id);
      assert.deepEqual(
        [got.name, got.trunk_status, got.secure, got.cps_limit, got.ipacl_uuid, got.credential_uuid],
        ['u2', 'disabled', true, null, acl, cred],
      );

      assert.equal((await root.post(`${TRUNK}${id}/`, { ipacl_uuid: null })).status, 202);
      got = await trunk(id);
      assert.equal(got.ipacl_uuid, null);
      assert.equal(got.credential_uuid, cred);
      const lastAuth = await root.post(`${TRUNK}${id}/`, { credential_uuid: '' });
      assert.equal(lastAuth.status, 400);
      assert.equal(lastAuth.body.code, 'field_required');

      const contradiction = await root.post(`${TRUNK}${id}/`, {
        trunk_direction: 'inbound',
        primary_uri_uuid: uri1,
        credential_uuid: cred,
      });
      assert.equal(contradiction.status, 400);
      assert.equal(contradiction.body.code, 'field_not_allowed');
      assert.equal(contradiction.body.field, 'credential_uuid');

      assert.equal(
        (await root.post(`${TRUNK}${id}/`, { trunk_direction: 'inbound', primary_uri_uuid: uri1 })).status,
        202,
      );
      got = await trunk(id);
      assert.deepEqual(
        [got.trunk_direction, got.ipacl_uuid, got.credential_uuid, got.primary_uri_uuid],
        ['inbound', null, null, uri1],
      );

      const foreign = await root.post(`${TRUNK}${id}/`, { fallback_uri_uuid: MISSING });
      assert.equal(foreign.status, 400);
      assert.equal(foreign.body.code, 'invalid_reference');
      assert.equal((await trunk(id)).fallback_uri_uuid, null, 'a refused update changes nothing');

      assert.equal((await root.post(`${TRUNK}${id}/`, { digest_algorithms: ['MD5'] })).status, 202);
      assert.deepEqual((await trunk(id)).digest_algorithms, ['MD5']);
      assert.equal((await root.post(`${TRUNK}${id}/`, { digest_algorithms: null })).status, 202);
      assert.equal((await trunk(id)).digest_algorithms, null);
      assert.equal((await root.post(`${TRUNK}${id}/`, { name: null })).status, 202);
      assert.equal((await trunk(id)).name, null);
      assert.equal((await root.post(`${TRUNK}${id}/`, {})).status, 400);
      assert.equal((await root.post(`${TRUNK}999999999999999999/`, { name: 'x' })).status, 404);
    });

    test('list: Plivo filters and pagination', async () => {
      const sub = api(t, await createSubaccount(root, 'trunk-list'));
      const sAcl = await makeAcl(sub);
      const sCred = await makeCredential(sub);
      const sUri = await makeUri(sub);
      const ids = {
        ipOnly: (await sub.create(TRUNK, { trunk_direction: 'outbound', ipacl_uuid: sAcl })).trunk_id,
        credOff: (
          await sub.create(TRUNK, {
            trunk_direction: 'outbound',
            credential_uuid: sCred,
            trunk_status: 'disabled',
          })
        ).trunk_id,
        inboundSecure: (
          await sub.create(TRUNK, { trunk_direction: 'inbound', primary_uri_uuid: sUri, secure: true })
        ).trunk_id,
      };
      const q = async (query: string) => {
        const res = await sub.get(`${TRUNK}?${query}`);
        assert.equal(res.status, 200, res.raw);
        return (res.body.objects as { trunk_id: string }[]).map((o) => o.trunk_id).sort();
      };
      assert.deepEqual(await q('trunk_direction=outbound'), [ids.ipOnly, ids.credOff].sort());
      assert.deepEqual(await q('trunk_status=disabled'), [ids.credOff]);
      assert.deepEqual(await q('secure=true'), [ids.inboundSecure]);
      assert.deepEqual(await q(`ipacl_uuid=${sAcl}`), [ids.ipOnly]);
      assert.deepEqual(await q(`credential_uuid=${sCred}`), [ids.credOff]);
      assert.deepEqual(await q(`primary_uri_uuid=${sUri}`), [ids.inboundSecure]);
      assert.deepEqual(await q(`fallback_uri_uuid=${sUri}`), []);
      const page = await sub.get(`${TRUNK}?limit=2&offset=0&trunk_direction=outbound`);
      assert.equal(page.body.meta.total_count, 2);
      const all = await sub.get(`${TRUNK}?limit=2`);
      assert.equal(all.body.meta.total_count, 3);
      assert.match(String(all.body.meta.next), /Zentrunk\/Trunk\/\?limit=2&offset=2$/);
      const bad = await sub.get(`${TRUNK}?trunk_direction=both`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'trunk_direction');
    });

    test("delete; another account's trunk is a 404", async () => {
      const a = api(t, await createSubaccount(root, 'trunk-del'));
      const id = (await a.create(TRUNK, { trunk_direction: 'outbound', ipacl_uuid: await makeAcl(a) }))
        .trunk_id;
      for (const res of [
        await root.get(`${TRUNK}${id}/`),
        await root.post(`${TRUNK}${id}/`, { name: 'x' }),
        await root.delete(`${TRUNK}${id}/`),
      ]) {
        assert.equal(res.status, 404);
        assert.equal(res.body.code, 'not_found');
      }
      const v = await t.services.policy.version();
      assert.equal((await a.delete(`${TRUNK}${id}/`)).status, 204);
      assert.ok((await t.services.policy.version()) > v);
      assert.equal((await a.get(`${TRUNK}${id}/`)).status, 404);
      assert.equal((await a.delete(`${TRUNK}${id}/`)).status, 404);
    });
  });
}
