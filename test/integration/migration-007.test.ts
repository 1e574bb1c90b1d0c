// Migration 007 on a database that already holds inbound trunks: their primary and fallback
// become list entries at priorities 10 and 20. Run down then up again, on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Migrator } from 'kysely';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { type Api, makeUri, rootApi } from '../helpers/acl-trunk-fixtures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

for (const dialect of DIALECTS) {
  describe(`migration 007 backfills origination lists (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
    });
    after(() => t.close());

    test('primary/fallback of existing trunks become entries at 10 and 20', async () => {
      const [p, f] = [await makeUri(root), await makeUri(root)];
      const id = (
        await root.create('/Zentrunk/Trunk/', {
          trunk_direction: 'inbound',
          primary_uri_uuid: p,
          fallback_uri_uuid: f,
        })
      ).trunk_id;
      const db = t.services.store.db;
      const migrator = new Migrator({ db, provider: migrationProvider });
      const down = await migrator.migrateDown();
      assert.equal(down.error, undefined);
      assert.equal(down.results?.[0]?.migrationName, '007-origination-routing');
      assert.deepEqual((await migrateToLatest(t.services.store)).applied, ['007-origination-routing']);
      assert.deepEqual((await root.get(`/Zentrunk/Trunk/${id}/`)).body.origination_uris, [
        { uri_uuid: p, priority: 10, weight: 10 },
        { uri_uuid: f, priority: 20, weight: 10 },
      ]);
    });
  });
}
