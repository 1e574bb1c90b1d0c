// "In use means 409" (issue 4 item 6): a credential, IP ACL or origination URI that a trunk or
// application uses cannot be deleted; the 409 lists the users. Deleting a subaccount still takes
// everything with it. On every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isForeignKeyViolation } from '../../src/store/constraint-errors.ts';
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

const ANSWER = 'https://example.com/answer';

for (const dialect of DIALECTS) {
  describe(`in use means 409 (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
    });
    after(() => t.close());

    test('a credential used by a trunk and an application: 409 on both credential paths, listing them', async () => {
      const acl = await makeAcl(root);
      const cred = await makeCredential(root);
      const trunk = (
        await root.create('/Zentrunk/Trunk/', {
          name: 'pbx-trunk',
          trunk_direction: 'outbound',
          credential_uuid: cred,
        })
      ).trunk_id;
      const app = (
        await root.create('/Application/', {
          app_name: 'ivr',
          answer_url: ANSWER,
          sip_auth_type: 'ip_acl_and_credential',
          ip_acl_uuid: acl,
          credential_uuid: cred,
        })
      ).app_id;
      for (const path of [`/SipAuth/Credential/${cred}/`, `/Zentrunk/Credential/${cred}/`]) {
        const res = await root.delete(path);
        assert.equal(res.status, 409, res.raw);
        assert.equal(res.body.code, 'in_use');
        assert.deepEqual(res.body.trunks, [{ trunk_id: trunk, name: 'pbx-trunk' }]);
        assert.deepEqual(res.body.applications, [{ app_id: app, app_name: 'ivr' }]);
        assert.match(
          res.body.error,
          new RegExp(`credential ${cred} is used by trunk ${trunk}, application ${app}`),
        );
      }
      assert.equal((await root.get(`/SipAuth/Credential/${cred}/`)).status, 200, 'still there');

      // Detach, then delete.
      assert.equal((await root.post(`/Application/${app}/`, { sip_auth_type: 'ip_acl' })).status, 202);
      const stillTrunk = await root.delete(`/Zentrunk/Credential/${cred}/`);
      assert.equal(stillTrunk.status, 409);
      assert.deepEqual(stillTrunk.body.applications, []);
      assert.equal((await root.delete(`/Zentrunk/Trunk/${trunk}/`)).status, 204);
      assert.equal((await root.delete(`/SipAuth/Credential/${cred}/`)).status, 204);
    });

    test('an IP ACL used by trunks and an application: 409 on both ACL paths; entries untouched', async () => {
      const acl = await makeAcl(root, ['198.51.100.0/24']);
      const t1 = (
        await root.create('/Zentrunk/Trunk/', { name: 'a', trunk_direction: 'outbound', ipacl_uuid: acl })
      ).trunk_id;
      const t2 = (
        await root.create('/Zentrunk/Trunk/', { name: null, trunk_direction: 'outbound', ipacl_uuid: acl })
      ).trunk_id;
      const app = (
        await root.create('/Application/', {
          app_name: 'acl-app',
          answer_url: ANSWER,
          sip_auth_type: 'ip_acl',
          ip_acl_uuid: acl,
        })
      ).app_id;
      for (const path of [`/SipAuth/IPAccessControlList/${acl}/`, `/Zentrunk/IPAccessControlList/${acl}/`]) {
        const res = await root.delete(path);
        assert.equal(res.status, 409, res.raw);
        assert.equal(res.body.code, 'in_use');
        assert.deepEqual(
          new Set(res.body.trunks.map((x: { trunk_id: string }) => x.trunk_id)),
          new Set([t1, t2]),
        );
        assert.deepEqual(res.body.applications, [{ app_id: app, app_name: 'acl-app' }]);
      }
      assert.deepEqual((await root.get(`/Zentrunk/IPAccessControlList/${acl}/`)).body.ip_addresses, [
        '198.51.100.0/24',
      ]);
      // Entries of a used ACL can still change (an empty ACL simply admits no address).
      const entry = (await root.get(`/SipAuth/IPAccessControlList/${acl}/`)).body.entries[0].entry_id;
      assert.equal((await root.delete(`/SipAuth/IPAccessControlList/${acl}/Entry/${entry}/`)).status, 204);

      await root.delete(`/Zentrunk/Trunk/${t1}/`);
      await root.delete(`/Zentrunk/Trunk/${t2}/`);
      await root.delete(`/Application/${app}/`);
      assert.equal((await root.delete(`/SipAuth/IPAccessControlList/${acl}/`)).status, 204);
    });

    test('an origination URI used as primary or fallback: 409 listing the trunks', async () => {
      const primary = await makeUri(root, 'sip:pbx1.example.com');
      const fallback = await makeUri(root, 'sip:pbx2.example.com');
      const t1 = (
        await root.create('/Zentrunk/Trunk/', {
          name: 'in1',
          trunk_direction: 'inbound',
          primary_uri_uuid: primary,
          fallback_uri_uuid: fallback,
        })
      ).trunk_id;
      const t2 = (
        await root.create('/Zentrunk/Trunk/', {
          name: 'in2',
          trunk_direction: 'inbound',
          primary_uri_uuid: fallback,
        })
      ).trunk_id;
      const p = await root.delete(`/Zentrunk/URI/${primary}/`);
      assert.equal(p.status, 409);
      assert.deepEqual(p.body.trunks, [{ trunk_id: t1, name: 'in1' }]);
      assert.deepEqual(p.body.applications, []);
      const f = await root.delete(`/Zentrunk/URI/${fallback}/`);
      assert.equal(f.status, 409);
      assert.deepEqual(
        new Set(f.body.trunks.map((x: { trunk_id: string }) => x.trunk_id)),
        new Set([t1, t2]),
      );
      assert.equal((await root.post(`/Zentrunk/Trunk/${t1}/`, { fallback_uri_uuid: null })).status, 202);
      assert.equal((await root.delete(`/Zentrunk/URI/${fallback}/`)).status, 409, 'still the primary of in2');
      await root.delete(`/Zentrunk/Trunk/${t2}/`);
      assert.equal((await root.delete(`/Zentrunk/URI/${fallback}/`)).status, 204);
    });

    test('the foreign keys refuse a dangling reference even if the API check is bypassed', async () => {
      const acl = await makeAcl(root);
      await root.create('/Zentrunk/Trunk/', { trunk_direction: 'outbound', ipacl_uuid: acl });
      await assert.rejects(
        t.services.store.db.deleteFrom('ip_acls').where('ip_acl_uuid', '=', acl).execute(),
        (err) => isForeignKeyViolation(err),
      );
      const other = api(t, await createSubaccount(root, 'fk-other'));
      const foreignAcl = await makeAcl(other);
      // A trunk row pointing at another account's ACL cannot be stored (composite key).
      const trunk = (await root.create('/Zentrunk/Trunk/', { trunk_direction: 'outbound', ipacl_uuid: acl }))
        .trunk_id;
      await assert.rejects(
        t.services.store.db
          .updateTable('trunks')
          .set({ ip_acl_uuid: foreignAcl })
          .where('trunk_id', '=', trunk)
          .execute(),
        (err) => isForeignKeyViolation(err),
      );
    });

    test('a trunk created while its ACL is deleted: one of them wins, never a dangling reference', async () => {
      for (let i = 0; i < 8; i++) {
        const acl = await makeAcl(root);
        const [created, deleted] = await Promise.all([
          root.post('/Zentrunk/Trunk/', { trunk_direction: 'outbound', ipacl_uuid: acl }),
          root.delete(`/Zentrunk/IPAccessControlList/${acl}/`),
        ]);
        if (created.status === 201) {
          assert.equal(deleted.status, 409, deleted.raw);
          assert.deepEqual(
            deleted.body.trunks.map((x: { trunk_id: string }) => x.trunk_id),
            [created.body.trunk_id],
          );
          await root.delete(`/Zentrunk/Trunk/${created.body.trunk_id}/`);
        } else {
          assert.equal(created.status, 400, created.raw);
          assert.equal(created.body.code, 'invalid_reference');
          assert.equal(deleted.status, 204);
        }
      }
      const dangling = await t.services.store.db
        .selectFrom('trunks')
        .leftJoin('ip_acls', 'ip_acls.ip_acl_uuid', 'trunks.ip_acl_uuid')
        .select('trunks.trunk_id')
        .where('trunks.ip_acl_uuid', 'is not', null)
        .where('ip_acls.ip_acl_uuid', 'is', null)
        .execute();
      assert.deepEqual(dangling, []);
    });

    test('deleting a subaccount still takes everything with it', async () => {
      const subCaller = await createSubaccount(root, 'doomed');
      const sub = api(t, subCaller);
      const acl = await makeAcl(sub, ['192.0.2.0/24', '2001:db8::/32']);
      const cred = await makeCredential(sub);
      const uri = await makeUri(sub);
      await sub.create('/Zentrunk/Trunk/', {
        trunk_direction: 'outbound',
        ipacl_uuid: acl,
        credential_uuid: cred,
      });
      await sub.create('/Zentrunk/Trunk/', { trunk_direction: 'inbound', primary_uri_uuid: uri });
      await sub.create('/Application/', {
        app_name: 'a',
        answer_url: ANSWER,
        sip_auth_type: 'credential',
        credential_uuid: cred,
      });

      assert.equal((await root.delete(`/Subaccount/${subCaller.authId}/`)).status, 204);
      const db = t.services.store.db;
      const count = async (
        table: 'trunks' | 'applications' | 'ip_acls' | 'origination_uris' | 'credentials',
      ) =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<string | number>().as('n'))
              .where('account_auth_id', '=', subCaller.authId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      for (const table of ['trunks', 'applications', 'ip_acls', 'origination_uris', 'credentials'] as const) {
        assert.equal(await count(table), 0, table);
      }
      const entries = await db
        .selectFrom('ip_acl_entries')
        .select('entry_id')
        .where('ip_acl_uuid', '=', acl)
        .execute();
      assert.deepEqual(entries, []);
    });
  });
}
