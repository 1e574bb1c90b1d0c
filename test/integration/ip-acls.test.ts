// IP access control lists, SIP Auth and Zentrunk shapes over one store (issue 4 items 1–3), on
// every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Api, api, createSubaccount, rootApi, UUID_RE } from '../helpers/acl-trunk-fixtures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const SIP = '/SipAuth/IPAccessControlList/';
const ZT = '/Zentrunk/IPAccessControlList/';

for (const dialect of DIALECTS) {
  describe(`IP ACLs (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
    });
    after(() => t.close());

    async function entriesOf(a: Api, id: string) {
      const res = await a.get(`${SIP}${id}/`);
      assert.equal(res.status, 200, res.raw);
      return res.body.entries as {
        entry_id: string;
        ip: string;
        cidr_prefix: number;
        description: string | null;
      }[];
    }

    test('SIP Auth shape: create with entries → retrieve → list → rename → delete', async () => {
      const created = await root.post(SIP, {
        name: 'office',
        entries: [
          { ip: '203.0.113.0', cidr_prefix: 24, description: 'HQ' },
          { ip: '198.51.100.7' },
          { ip: '2001:DB8:0::', cidr_prefix: 48, description: 'v6 block' },
        ],
      });
      assert.equal(created.status, 201, created.raw);
      assert.equal(created.body.message, 'IP ACL created successfully.');
      const id = created.body.ip_acl_uuid as string;
      assert.match(id, UUID_RE);
      assert.equal(created.body.uri, `/v1/Account/${root.authId}/SipAuth/IPAccessControlList/${id}/`);
      assert.deepEqual(
        created.body.entries.map((e: Record<string, unknown>) => [e.ip, e.cidr_prefix, e.description]),
        [
          ['203.0.113.0', 24, 'HQ'],
          ['198.51.100.7', 32, null],
          ['2001:db8::', 48, 'v6 block'],
        ],
      );

      const got = await root.get(`${SIP}${id}/`);
      assert.equal(got.status, 200);
      assert.deepEqual(Object.keys(got.body).sort(), [
        'api_id',
        'created_at',
        'entries',
        'ip_acl_uuid',
        'name',
        'updated_at',
        'uri',
      ]);
      assert.deepEqual(Object.keys(got.body.entries[0]).sort(), [
        'cidr_prefix',
        'description',
        'entry_id',
        'ip',
      ]);

      const list = await root.get(SIP);
      assert.equal(list.status, 200);
      assert.equal(list.body.meta.total_count, 1);
      assert.equal(list.body.objects[0].entries.length, 3);

      const renamed = await root.post(`${SIP}${id}/`, { name: 'office-2' });
      assert.equal(renamed.status, 202, renamed.raw);
      assert.equal(renamed.body.name, 'office-2');
      assert.equal(renamed.body.entries.length, 3);

      assert.equal((await root.delete(`${SIP}${id}/`)).status, 204);
      assert.equal((await root.get(`${SIP}${id}/`)).status, 404);
      // Entries went with it.
      const { n } = await t.services.store.db
        .selectFrom('ip_acl_entries')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('ip_acl_uuid', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(n), 0);
    });

    test('entries: add (201 with the entry) and remove (204)', async () => {
      const id = (await root.create(SIP, { name: 'entries' })).ip_acl_uuid;
      const added = await root.post(`${SIP}${id}/Entry/`, {
        ip: '10.1.2.0',
        cidr_prefix: 24,
        description: 'branch',
      });
      assert.equal(added.status, 201, added.raw);
      assert.deepEqual(Object.keys(added.body).sort(), [
        'api_id',
        'cidr_prefix',
        'description',
        'entry_id',
        'ip',
        'message',
      ]);
      assert.equal(added.body.ip, '10.1.2.0');
      assert.equal(added.body.cidr_prefix, 24);
      assert.equal(added.body.description, 'branch');
      const form = await t.app.inject({
        method: 'POST',
        url: `${root.base}${SIP}${id}/Entry/`,
        headers: {
          authorization: `Basic ${Buffer.from(`${t.root.authId}:${t.root.token}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: 'ip=2001:db8:1::&cidr_prefix=64',
      });
      assert.equal(form.statusCode, 201, form.body);
      assert.equal(JSON.parse(form.body).cidr_prefix, 64);
      assert.deepEqual(
        (await entriesOf(root, id)).map((e) => `${e.ip}/${e.cidr_prefix}`),
        ['10.1.2.0/24', '2001:db8:1::/64'],
      );

      assert.equal((await root.delete(`${SIP}${id}/Entry/${added.body.entry_id}/`)).status, 204);
      assert.equal((await entriesOf(root, id)).length, 1);
      const again = await root.delete(`${SIP}${id}/Entry/${added.body.entry_id}/`);
      assert.equal(again.status, 404);
      assert.equal(again.body.code, 'not_found');
      assert.equal(
        (await root.post(`${SIP}00000000-0000-0000-0000-000000000000/Entry/`, { ip: '10.0.0.1' })).status,
        404,
      );
    });

    test('an IPv6 ACL round-trips in canonical form on both shapes', async () => {
      const id = (
        await root.create(SIP, {
          name: 'v6',
          entries: [
            { ip: '2001:0DB8:0000:0000:0000:0000:0000:0001' },
            { ip: 'FE80::', cidr_prefix: 10 },
            { ip: '::ffff:192.0.2.1' },
            { ip: '2001:db8:0:1:0:0:0:0', cidr_prefix: 64 },
          ],
        })
      ).ip_acl_uuid;
      assert.deepEqual(
        (await entriesOf(root, id)).map((e) => `${e.ip}/${e.cidr_prefix}`),
        ['2001:db8::1/128', 'fe80::/10', '192.0.2.1/32', '2001:db8:0:1::/64'],
      );
      const zt = await root.get(`${ZT}${id}/`);
      assert.deepEqual(zt.body.ip_addresses, [
        '2001:db8::1/128',
        'fe80::/10',
        '192.0.2.1/32',
        '2001:db8:0:1::/64',
      ]);
    });

    test('bad addresses are a 400 with a stable code, never a silent reinterpretation', async () => {
      const id = (await root.create(SIP, { name: 'bad-input' })).ip_acl_uuid;
      const cases: [Record<string, unknown>, string, string, RegExp?][] = [
        [{ ip: '10.1.2.3', cidr_prefix: 24 }, 'host_bits_set', 'cidr_prefix', /use 10\.1\.2\.0\/24/],
        [{ ip: '2001:db8::1', cidr_prefix: 32 }, 'host_bits_set', 'cidr_prefix', /use 2001:db8::\/32/],
        [{ ip: '10.0.0.0', cidr_prefix: 33 }, 'invalid_cidr_prefix', 'cidr_prefix'],
        [{ ip: '2001:db8::', cidr_prefix: 129 }, 'invalid_cidr_prefix', 'cidr_prefix'],
        [{ ip: '10.0.0.0', cidr_prefix: false }, 'invalid_cidr_prefix', 'cidr_prefix'],
        [{ ip: '10.0.0.0', cidr_prefix: '' }, 'invalid_cidr_prefix', 'cidr_prefix'],
        [{ ip: 'fe80::1%eth0' }, 'invalid_ip', 'ip', /zone/],
        [{ ip: '192.0.2.1:5060' }, 'invalid_ip', 'ip'],
        [{ ip: '[2001:db8::1]' }, 'invalid_ip', 'ip'],
        [{ ip: 'pbx.example.com' }, 'invalid_ip', 'ip'],
        [{ ip: '010.1.1.1' }, 'invalid_ip', 'ip'],
        [{ ip: '10.0.0.0/8' }, 'invalid_ip', 'ip', /cidr_prefix/],
        [{ ip: '' }, 'invalid_ip', 'ip'],
        [{ ip: '10.0.0.1', description: 'x'.repeat(256) }, 'invalid_description', 'description'],
        [{ ip: '10.0.0.1', port: 5060 }, 'unknown_field', 'port'],
        [{ cidr_prefix: 8 }, 'validation_failed', 'ip'],
      ];
      for (const [body, code, field, message] of cases) {
        const res = await root.post(`${SIP}${id}/Entry/`, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.raw}`);
        assert.equal(res.body.code, code, JSON.stringify(body));
        assert.equal(res.body.field, field, JSON.stringify(body));
        if (message) assert.match(res.body.error, message);
      }
      // `10.0.0.0` with cidr_prefix null is the single host 10.0.0.0/32 — accepted.
      assert.equal(
        (await root.post(`${SIP}${id}/Entry/`, { ip: '10.0.0.0', cidr_prefix: null })).status,
        201,
      );
      assert.equal((await entriesOf(root, id)).length, 1);
    });

    test('a create whose 7th entry is bad creates nothing and says which entry and why', async () => {
      const before = (await root.get(SIP)).body.meta.total_count;
      const entries = [
        ...Array.from({ length: 6 }, (_, i) => ({ ip: `192.0.2.${i}` })),
        { ip: '10.1.2.3', cidr_prefix: 24 },
      ];
      const res = await root.post(SIP, { name: 'all-or-nothing', entries });
      assert.equal(res.status, 400, res.raw);
      assert.equal(res.body.code, 'host_bits_set');
      assert.equal(res.body.field, 'entries.6.cidr_prefix');
      assert.match(res.body.error, /entries\[6\] \(item 7\).*use 10\.1\.2\.0\/24/);
      assert.equal((await root.get(SIP)).body.meta.total_count, before);
      // A schema-level problem in an entry is named by position too.
      const schema = await root.post(SIP, {
        name: 'x',
        entries: [{ ip: '10.0.0.1' }, { ip: 5 as unknown as string, zone: 'eth0' }],
      });
      assert.equal(schema.status, 400);
      assert.equal((await root.get(SIP)).body.meta.total_count, before);
    });

    test('the same network twice is a 409, whatever its spelling', async () => {
      const dupCreate = await root.post(SIP, {
        name: 'dups',
        entries: [
          { ip: '10.0.0.0', cidr_prefix: 8 },
          { ip: '::ffff:10.0.0.0', cidr_prefix: 104 },
        ],
      });
      assert.equal(dupCreate.status, 409, dupCreate.raw);
      assert.equal(dupCreate.body.code, 'duplicate_entry');
      assert.equal(dupCreate.body.field, 'entries.1');

      const id = (
        await root.create(SIP, { name: 'dup-add', entries: [{ ip: '2001:db8::', cidr_prefix: 32 }] })
      ).ip_acl_uuid;
      const dupAdd = await root.post(`${SIP}${id}/Entry/`, { ip: '2001:0db8:0:0::', cidr_prefix: 32 });
      assert.equal(dupAdd.status, 409, dupAdd.raw);
      assert.equal(dupAdd.body.code, 'duplicate_entry');
      assert.match(dupAdd.body.error, /2001:db8::\/32 is already in this IP ACL/);
      // The same network in another ACL is fine.
      const other = (await root.create(SIP, { name: 'dup-other' })).ip_acl_uuid;
      assert.equal(
        (await root.post(`${SIP}${other}/Entry/`, { ip: '2001:db8::', cidr_prefix: 32 })).status,
        201,
      );

      const zt = await root.post(ZT, { ip_addresses: ['192.0.2.1', '192.0.2.1/32'] });
      assert.equal(zt.status, 409);
      assert.equal(zt.body.field, 'ip_addresses.1');
    });

    test('50 entries per ACL: the 51st is a 400 naming the limit; parallel adds never overshoot', async () => {
      const full = Array.from({ length: 50 }, (_, i) => ({ ip: `10.0.${i}.0`, cidr_prefix: 24 }));
      const tooMany = await root.post(SIP, {
        name: 'too-many',
        entries: [...full, { ip: '10.1.0.0', cidr_prefix: 24 }],
      });
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body.code, 'acl_entry_limit');
      assert.match(tooMany.body.error, /at most 50/);

      const id = (await root.create(SIP, { name: 'full', entries: full })).ip_acl_uuid;
      const over = await root.post(`${SIP}${id}/Entry/`, { ip: '10.1.0.0', cidr_prefix: 24 });
      assert.equal(over.status, 400, over.raw);
      assert.equal(over.body.code, 'acl_entry_limit');
      assert.match(over.body.error, /already has 50 entries and may hold at most 50/);

      const almost = (await root.create(SIP, { name: 'almost', entries: full.slice(0, 45) })).ip_acl_uuid;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          root.post(`${SIP}${almost}/Entry/`, { ip: `172.16.${i}.0`, cidr_prefix: 24 }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses.filter((s) => s === 201).length, 5, statuses.join(','));
      assert.ok(
        results
          .filter((r) => r.status !== 201)
          .every((r) => r.status === 400 && r.body.code === 'acl_entry_limit'),
      );
      assert.equal((await entriesOf(root, almost)).length, 50);
    });

    test('100 ACLs per account, also under parallel creates', async () => {
      const sub = api(t, await createSubaccount(root, 'quota'));
      await Promise.all(
        Array.from({ length: 95 }, (_, i) => sub.create(ZT, { name: `q${i}`, ip_addresses: [] })),
      );
      const racing = await Promise.all(
        Array.from({ length: 10 }, (_, i) => sub.post(SIP, { name: `race${i}` })),
      );
      assert.equal(racing.filter((r) => r.status === 201).length, 5);
      const refused = racing.find((r) => r.status !== 201)!;
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'quota_exceeded');
      assert.match(refused.body.error, /100 IP ACLs/);
      assert.equal((await sub.get(SIP)).body.meta.total_count, 100);
    });

    test('name: 1–120 characters, required on the SIP Auth shape', async () => {
      for (const name of ['', ' ', 'x'.repeat(121), 'a\nb']) {
        const res = await root.post(SIP, { name });
        assert.equal(res.status, 400, name);
        assert.equal(res.body.code, 'invalid_name');
        assert.equal(res.body.field, 'name');
      }
      const missing = await root.post(SIP, { entries: [] });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.field, 'name');
      assert.equal((await root.post(SIP, { name: 'x'.repeat(120) })).status, 201);
    });

    test('Zentrunk shape: create (422 without ip_addresses) → retrieve → list → replace → delete', async () => {
      const missing = await root.post(ZT, { name: 'no-addresses' });
      assert.equal(missing.status, 422);
      assert.equal(missing.body.code, 'missing_required_parameters');
      assert.equal(missing.body.field, 'ip_addresses');

      const created = await root.post(ZT, {
        name: 'production-servers',
        ip_addresses: ['192.168.0.1', '192.168.0.2', '10.0.0.0/8', '2001:DB8::/32'],
      });
      assert.equal(created.status, 201, created.raw);
      assert.equal(created.body.message, 'IP access control list created successfully.');
      const id = created.body.ipacl_uuid as string;
      const got = await root.get(`${ZT}${id}/`);
      assert.deepEqual(got.body, {
        api_id: got.body.api_id,
        ipacl_uuid: id,
        name: 'production-servers',
        ip_addresses: ['192.168.0.1/32', '192.168.0.2/32', '10.0.0.0/8', '2001:db8::/32'],
      });
      const before = await entriesOf(root, id);

      const replaced = await root.post(`${ZT}${id}/`, {
        ip_addresses: ['10.0.0.0/8', '192.168.0.2', '198.51.100.0/24'],
      });
      assert.equal(replaced.status, 202, replaced.raw);
      assert.equal(replaced.body.message, 'IP access control list updated successfully.');
      assert.equal(replaced.body.ipacl_uuid, id);
      const after = await entriesOf(root, id);
      assert.deepEqual(
        after.map((e) => `${e.ip}/${e.cidr_prefix}`),
        ['10.0.0.0/8', '192.168.0.2/32', '198.51.100.0/24'],
      );
      // Networks that stayed keep their entry ids.
      const idOf = (list: typeof before, ip: string) => list.find((e) => e.ip === ip)?.entry_id;
      assert.equal(idOf(after, '10.0.0.0'), idOf(before, '10.0.0.0'));
      assert.equal(idOf(after, '192.168.0.2'), idOf(before, '192.168.0.2'));

      const badReplace = await root.post(`${ZT}${id}/`, { ip_addresses: ['10.0.0.0/8', '10.1.2.3/24'] });
      assert.equal(badReplace.status, 400);
      assert.equal(badReplace.body.code, 'host_bits_set');
      assert.equal(badReplace.body.field, 'ip_addresses.1');
      assert.equal((await entriesOf(root, id)).length, 3, 'a refused replace changes nothing');

      const renamed = await root.post(`${ZT}${id}/`, { name: 'renamed' });
      assert.equal(renamed.status, 202);
      assert.equal((await root.get(`${ZT}${id}/`)).body.name, 'renamed');
      assert.equal((await root.post(`${ZT}${id}/`, {})).status, 400);

      const list = await root.get(`${ZT}?limit=1&offset=0`);
      assert.equal(list.status, 200);
      assert.equal(list.body.objects.length, 1);
      assert.equal(list.body.meta.limit, 1);
      assert.match(
        String(list.body.meta.next),
        /^v1\/Account\/.+\/Zentrunk\/IPAccessControlList\/\?limit=1&offset=1$/,
      );
      assert.deepEqual(Object.keys(list.body.objects[0]).sort(), ['ip_addresses', 'ipacl_uuid', 'name']);

      assert.equal((await root.delete(`${ZT}${id}/`)).status, 204);
      assert.equal((await root.get(`${ZT}${id}/`)).status, 404);
      assert.equal((await root.delete(`${ZT}${id}/`)).status, 404);
    });

    test('an ACL made on one path is visible on the other', async () => {
      const z = (await root.create(ZT, { name: 'shared', ip_addresses: ['203.0.113.0/24'] })).ipacl_uuid;
      const s = await root.get(`${SIP}${z}/`);
      assert.equal(s.status, 200);
      assert.equal(s.body.name, 'shared');
      assert.deepEqual(
        s.body.entries.map((e: { ip: string }) => e.ip),
        ['203.0.113.0'],
      );
      const entry = await root.post(`${SIP}${z}/Entry/`, { ip: '2001:db8::', cidr_prefix: 48 });
      assert.equal(entry.status, 201);
      assert.deepEqual((await root.get(`${ZT}${z}/`)).body.ip_addresses, ['203.0.113.0/24', '2001:db8::/48']);
      const sip = (await root.create(SIP, { name: 'from-sipauth' })).ip_acl_uuid;
      assert.equal((await root.get(`${ZT}${sip}/`)).body.name, 'from-sipauth');
    });

    test('pagination: Plivo meta, out-of-range limit is a 400', async () => {
      const res = await root.get(`${SIP}?limit=2&offset=1`);
      assert.equal(res.status, 200);
      assert.equal(res.body.meta.limit, 2);
      assert.equal(res.body.meta.offset, 1);
      assert.match(String(res.body.meta.previous), /SipAuth\/IPAccessControlList\/\?limit=2&offset=0$/);
      for (const q of ['limit=0', 'limit=21', 'offset=-1', 'limit=abc']) {
        const bad = await root.get(`${SIP}?${q}`);
        assert.equal(bad.status, 400, q);
        assert.equal(bad.body.code, 'invalid_pagination');
      }
    });

    test("another account's ACL is a 404 on every path; a parent may act on its subaccount's", async () => {
      const subA = await createSubaccount(root, 'acl-a');
      const subB = await createSubaccount(root, 'acl-b');
      const a = api(t, subA);
      const b = api(t, subB);
      const aAcl = (await a.create(SIP, { name: 'mine', entries: [{ ip: '192.0.2.1' }] })).ip_acl_uuid;
      const entryId = (await a.get(`${SIP}${aAcl}/`)).body.entries[0].entry_id;
      const rootAcl = (await root.create(SIP, { name: 'parent' })).ip_acl_uuid;
      // The sibling sees nothing of A's, and A sees nothing of its parent's.
      for (const [who, id] of [
        [b, aAcl],
        [a, rootAcl],
      ] as const) {
        for (const res of [
          await who.get(`${SIP}${id}/`),
          await who.get(`${ZT}${id}/`),
          await who.post(`${SIP}${id}/`, { name: 'stolen' }),
          await who.post(`${ZT}${id}/`, { ip_addresses: [] }),
          await who.post(`${SIP}${id}/Entry/`, { ip: '198.51.100.1' }),
          await who.delete(`${SIP}${id}/Entry/${entryId}/`),
          await who.delete(`${SIP}${id}/`),
          await who.delete(`${ZT}${id}/`),
        ]) {
          assert.equal(res.status, 404, res.raw);
          assert.equal(res.body.code, 'not_found');
        }
      }
      assert.equal((await b.get(SIP)).body.meta.total_count, 0);
      assert.equal((await a.get(`${SIP}${aAcl}/`)).body.entries.length, 1, 'untouched');
      // The parent acts on the subaccount's ACL through the subaccount's path.
      const asParent = api(t, { authId: t.root.authId, token: t.root.token }, subA.authId);
      assert.equal((await asParent.get(`${SIP}${aAcl}/`)).status, 200);
      assert.equal((await asParent.post(`${SIP}${aAcl}/Entry/`, { ip: '198.51.100.1' })).status, 201);
      // …but not through its own path.
      assert.equal((await root.get(`${SIP}${aAcl}/`)).status, 404);
    });

    test('every write the SIP edge must see moves change_version', async () => {
      const v0 = await t.services.policy.version();
      const id = (await root.create(SIP, { name: 'versioned' })).ip_acl_uuid;
      const v1 = await t.services.policy.version();
      assert.ok(v1 > v0);
      const entry = (await root.create(`${SIP}${id}/Entry/`, { ip: '192.0.2.9' })).entry_id;
      const v2 = await t.services.policy.version();
      assert.ok(v2 > v1);
      assert.equal((await root.delete(`${SIP}${id}/Entry/${entry}/`)).status, 204);
      const v3 = await t.services.policy.version();
      assert.ok(v3 > v2);
      assert.equal((await root.post(`${ZT}${id}/`, { ip_addresses: ['192.0.2.0/24'] })).status, 202);
      const v4 = await t.services.policy.version();
      assert.ok(v4 > v3);
      assert.equal((await root.delete(`${SIP}${id}/`)).status, 204);
      assert.ok((await t.services.policy.version()) > v4);
      // A refused write moves nothing.
      const v5 = await t.services.policy.version();
      await root.post(SIP, { name: 'x', entries: [{ ip: 'nope' }] });
      assert.equal(await t.services.policy.version(), v5);
    });
  });
}
