// Inbound trunks' origination list (origination_uris with priority/weight beside Plivo's
// primary/fallback), URI health and tls_verify, loopback URIs, on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Api, api, createSubaccount, makeUri, rootApi } from '../helpers/acl-trunk-fixtures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const TRUNK = '/Zentrunk/Trunk/';
const URI = '/Zentrunk/URI/';

for (const dialect of DIALECTS) {
  describe(`trunk origination lists and URI health (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
    });
    after(() => t.close());

    test('both forms written and read consistently; 202 on update; Plivo fields keep the rest', async () => {
      const [a, b, p, f] = [
        await makeUri(root),
        await makeUri(root),
        await makeUri(root),
        await makeUri(root),
      ];
      const id = (
        await root.create(TRUNK, {
          trunk_direction: 'inbound',
          origination_uris: [
            { uri_uuid: f, priority: 20 },
            { uri_uuid: a, priority: 5, weight: 3 },
            { uri_uuid: b, priority: 5, weight: 1 },
            { uri_uuid: p, priority: 10 },
          ],
        })
      ).trunk_id;
      let got = (await root.get(`${TRUNK}${id}/`)).body;
      assert.equal(got.primary_uri_uuid, p);
      assert.equal(got.fallback_uri_uuid, f);
      assert.deepEqual(got.origination_uris, [
        { uri_uuid: a, priority: 5, weight: 3 },
        { uri_uuid: b, priority: 5, weight: 1 },
        { uri_uuid: p, priority: 10, weight: 10 },
        { uri_uuid: f, priority: 20, weight: 10 },
      ]);
      const upd = await root.post(`${TRUNK}${id}/`, { primary_uri_uuid: f, fallback_uri_uuid: null });
      assert.equal(upd.status, 202, upd.raw);
      got = (await root.get(`${TRUNK}${id}/`)).body;
      assert.equal(got.primary_uri_uuid, f);
      assert.equal(got.fallback_uri_uuid, null);
      assert.deepEqual(
        got.origination_uris.map((r: { uri_uuid: string }) => r.uri_uuid),
        [a, b, f],
      );
      const listed = (await root.get(`${TRUNK}?primary_uri_uuid=${f}`)).body.objects;
      assert.deepEqual(listed[0].origination_uris, got.origination_uris);

      const plivo = (
        await root.create(TRUNK, { trunk_direction: 'inbound', primary_uri_uuid: a, fallback_uri_uuid: b })
      ).trunk_id;
      assert.deepEqual((await root.get(`${TRUNK}${plivo}/`)).body.origination_uris, [
        { uri_uuid: a, priority: 10, weight: 10 },
        { uri_uuid: b, priority: 20, weight: 10 },
      ]);
    });

    test('validation: foreign ids, ranges, duplicates, the maximum, outbound', async () => {
      const mine = await makeUri(root);
      const other = await createSubaccount(root, 'other-account');
      const theirs = await makeUri(api(t, other));
      const cases: [unknown, number, string, string | undefined][] = [
        [[{ uri_uuid: theirs, priority: 1 }], 400, 'invalid_reference', 'origination_uris[0].uri_uuid'],
        [[{ uri_uuid: mine, priority: 1, weight: 0 }], 400, 'validation_failed', undefined],
        [[{ uri_uuid: mine, priority: 1, weight: 65536 }], 400, 'validation_failed', undefined],
        [[{ uri_uuid: mine, priority: 65536 }], 400, 'validation_failed', undefined],
        [
          [
            { uri_uuid: mine, priority: 1 },
            { uri_uuid: mine, priority: 2 },
          ],
          400,
          'conflicting_fields',
          'origination_uris',
        ],
        [
          Array.from({ length: 11 }, (_, i) => ({ uri_uuid: `${mine}-${i}`, priority: i })),
          400,
          'validation_failed',
          undefined,
        ],
      ];
      for (const [list, status, code, field] of cases) {
        const r = await root.post(TRUNK, { trunk_direction: 'inbound', origination_uris: list });
        assert.equal(r.status, status, r.raw);
        assert.equal(r.body.code, code, r.raw);
        if (field !== undefined) assert.equal(r.body.field, field, r.raw);
      }
      const out = await root.post(TRUNK, {
        trunk_direction: 'outbound',
        ipacl_uuid: null,
        credential_uuid: null,
        origination_uris: [{ uri_uuid: mine, priority: 1 }],
      });
      assert.equal(out.status, 400);
    });

    test('a URI anywhere in a list is in use (409); the deleting of a subaccount still cascades', async () => {
      const p = await makeUri(root);
      const extra = await makeUri(root);
      const id = (
        await root.create(TRUNK, {
          name: 'listed',
          trunk_direction: 'inbound',
          origination_uris: [
            { uri_uuid: p, priority: 10 },
            { uri_uuid: extra, priority: 40 },
          ],
        })
      ).trunk_id;
      const del = await root.delete(`${URI}${extra}/`);
      assert.equal(del.status, 409, del.raw);
      assert.match(del.raw, new RegExp(id));
      assert.equal(
        (await root.post(`${TRUNK}${id}/`, { origination_uris: [{ uri_uuid: p, priority: 10 }] })).status,
        202,
      );
      assert.equal((await root.delete(`${URI}${extra}/`)).status, 204);

      const sub = await createSubaccount(root, 'going');
      const s = api(t, sub);
      const [u1, u2] = [await makeUri(s), await makeUri(s)];
      await s.create(TRUNK, {
        trunk_direction: 'inbound',
        origination_uris: [
          { uri_uuid: u1, priority: 1 },
          { uri_uuid: u2, priority: 2 },
        ],
      });
      assert.equal((await root.delete(`/Subaccount/${sub.authId}/`)).status, 204);
    });

    test('health: unknown, down after three failed probes, up after one answer; tls_verify', async () => {
      const id = (await root.create(URI, { uri: 'sip:pbx.example.com;transport=tls', tls_verify: false }))
        .uri_uuid;
      let got = (await root.get(`${URI}${id}/`)).body;
      assert.equal(got.tls_verify, false);
      assert.deepEqual(got.health, { status: 'unknown', last_checked: null, last_error: null });
      const at = (n: number) => `2026-12-06T06:00:0${n}.000Z`;
      for (let n = 1; n <= 3; n++)
        await t.services.originationUris.recordProbe(id, { kind: 'timeout' }, at(n));
      got = (await root.get(`${URI}${id}/`)).body;
      assert.deepEqual(got.health, {
        status: 'down',
        last_checked: at(3),
        last_error: 'no response to OPTIONS',
      });
      const listed = (await root.get(URI)).body.objects.find((u: { uri_uuid: string }) => u.uri_uuid === id);
      assert.equal(listed.health.status, 'down');
      await t.services.originationUris.recordProbe(id, { kind: 'answered', status: 200 }, at(4));
      got = (await root.get(`${URI}${id}/`)).body;
      assert.deepEqual(got.health, { status: 'up', last_checked: at(4), last_error: null });
      assert.equal((await root.post(`${URI}${id}/`, { tls_verify: true })).status, 202);
      assert.equal((await root.get(`${URI}${id}/`)).body.tls_verify, true);
      const other = api(t, await createSubaccount(root, 'nosy'));
      assert.equal((await other.get(`${URI}${id}/`)).status, 404);
      assert.equal(
        await t.services.originationUris.recordProbe('no-such-uri', { kind: 'timeout' }, at(5)),
        undefined,
      );
    });

    test('loopback URIs are refused by default with a clear 400', async () => {
      const r = await root.post(URI, { uri: '127.0.0.1:5080' });
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'invalid_uri');
      assert.match(r.body.error, /loopback/);
    });
  });

  describe(`loopback allowed by TRUNKGATE_ALLOW_LOOPBACK_URIS (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { TRUNKGATE_ALLOW_LOOPBACK_URIS: 'true' });
    });
    after(() => t.close());

    test('origination URIs on this machine are accepted', async () => {
      const root = rootApi(t);
      const id = (await root.create(URI, { uri: '127.0.0.1:5080' })).uri_uuid;
      assert.equal((await root.get(`${URI}${id}/`)).body.uri, 'sip:127.0.0.1:5080');
    });
  });
}
