// API IP allowlist (issue 5 items 1–3, seed 003) on every database: the validation table through
// the API, enforcement for accounts and subaccounts, self-lockout, multi-node freshness and the
// CLI break-glass run as a real process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS, type TestDatabase } from '../helpers/database.ts';
import { startExtraNode } from '../helpers/extra-node.ts';
import { remoteClient } from '../helpers/remote-client.ts';

const OFFICE = '8.8.8.8';
const OFFICE_V6 = '2606:4700::1111';
const OUTSIDE = '1.1.1.1';
const OUTSIDE_V6 = '2001:4860::8888';
const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Account {
  authId: string;
  token: string;
}

async function newAccount(t: TestApp, name = 'acct'): Promise<Account> {
  const created = await t.services.accounts.createTopLevel(name);
  return { authId: created.row.auth_id, token: created.authToken };
}

async function newSubaccount(t: TestApp, parent: Account): Promise<Account> {
  const created = await t.services.accounts.createSubaccount(parent.authId, 'sub', true);
  return { authId: created.row.auth_id, token: created.authToken };
}

function runCli(db: TestDatabase, args: string[]) {
  const res = spawnSync(process.execPath, [join(ROOT_DIR, 'bin', 'trunkgate.mjs'), ...args], {
    cwd: ROOT_DIR,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '',
      TRUNKGATE_FROM_SOURCE: '1',
      TRUNKGATE_DB: db.sqlitePath,
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
      TRUNKGATE_LOG_LEVEL: 'silent',
    },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const dialect of DIALECTS) {
  describe(`API IP allowlist (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { TRUNKGATE_ALLOWLIST_REFRESH_MS: '100' });
    });
    after(() => t.close());

    const base = (a: Account) => `/v1/Account/${a.authId}/IPWhitelist/`;

    test('empty list: everything is allowed and the list shows the caller’s address', async () => {
      const a = await newAccount(t);
      const res = await remoteClient(t.app, a, OUTSIDE).get(base(a));
      assert.equal(res.status, 200);
      assert.equal(res.body.meta.total_count, 0);
      assert.deepEqual(res.body.objects, []);
      assert.equal(res.body.client_address, OUTSIDE);
      assert.equal((await remoteClient(t.app, a, OUTSIDE_V6).get(base(a))).body.client_address, OUTSIDE_V6);
    });

    test('add (one and a comma-separated list), list, get, edit, delete', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, OFFICE);
      const one = await api.post(base(a), { cidr: '8.8.8.0/24' });
      assert.equal(one.status, 201, one.raw);
      assert.equal(one.body.message, '1 IP whitelist entry added');
      assert.equal(one.body.entries.length, 1);
      const first = one.body.entries[0];
      assert.deepEqual(Object.keys(first).sort(), ['cidr', 'created_at', 'entry_id', 'updated_at']);
      assert.equal(first.cidr, '8.8.8.0/24');

      const many = await api.post(base(a), { cidr: '9.9.9.9/32, 2606:4700:0:0::/32,1.0.0.0/24' });
      assert.equal(many.status, 201, many.raw);
      assert.deepEqual(
        many.body.entries.map((e: { cidr: string }) => e.cidr),
        ['9.9.9.9/32', '2606:4700::/32', '1.0.0.0/24'],
      );

      const list = await api.get(base(a));
      assert.equal(list.status, 200);
      assert.equal(list.body.meta.total_count, 4);
      assert.equal(list.body.objects.length, 4);
      const page = await api.get(`${base(a)}?limit=2&offset=2`);
      assert.equal(page.body.objects.length, 2);
      assert.equal(page.body.meta.previous, `v1/Account/${a.authId}/IPWhitelist/?limit=2&offset=0`);

      const got = await api.get(`${base(a)}${first.entry_id}/`);
      assert.equal(got.status, 200);
      assert.equal(got.body.cidr, '8.8.8.0/24');

      const edited = await api.post(`${base(a)}${first.entry_id}/`, { cidr: '8.8.0.0/16' });
      assert.equal(edited.status, 202, edited.raw);
      assert.equal(edited.body.cidr, '8.8.0.0/16');
      assert.equal(edited.body.entry_id, first.entry_id);

      const nine = many.body.entries[0].entry_id;
      assert.equal((await api.delete(`${base(a)}${nine}/`)).status, 204);
      assert.equal((await api.get(`${base(a)}${nine}/`)).status, 404);
      assert.equal((await api.delete(`${base(a)}${nine}/`)).status, 404);
      assert.equal((await api.get(base(a))).body.meta.total_count, 3);
    });

    test('every validation row of seed 003, IPv4 and IPv6, with its own code', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, OFFICE);
      assert.equal((await api.post(base(a), { cidr: '8.8.8.0/24, 2606:4700:10::/48' })).status, 201);

      const cases: [cidr: string, status: number, code: string, message: RegExp][] = [
        // Invalid format
        ['8.8.4.4', 400, 'cidr_required', /8\.8\.4\.4\/32/],
        ['2606:4700:20::1', 400, 'cidr_required', /2606:4700:20::1\/128/],
        ['8.8.4/24', 400, 'invalid_ip', /./],
        ['2606:4700:::/48', 400, 'invalid_ip', /./],
        ['8.8.4.0/40', 400, 'invalid_cidr_prefix', /0.32/],
        ['2606:4700:20::/200', 400, 'invalid_cidr_prefix', /0.128/],
        ['8.8.4.1/24', 400, 'host_bits_set', /8\.8\.4\.0\/24/],
        ['2606:4700:20::1/48', 400, 'host_bits_set', /2606:4700:20::\/48/],
        // Duplicate entry
        ['8.8.8.0/24', 409, 'allowlist_duplicate', /already in the allowlist/],
        ['2606:4700:10:0::/48', 409, 'allowlist_duplicate', /already in the allowlist/],
        // Subset already exists
        ['8.8.8.128/25', 409, 'allowlist_subset', /already covered by 8\.8\.8\.0\/24/],
        ['2606:4700:10:1::/64', 409, 'allowlist_subset', /already covered by 2606:4700:10::\/48/],
        // Superset conflict
        ['8.8.0.0/16', 409, 'allowlist_superset', /remove 8\.8\.8\.0\/24 .* first/],
        ['2606:4700::/32', 409, 'allowlist_superset', /remove 2606:4700:10::\/48 .* first/],
        // Private or special ranges
        ['127.0.0.1/32', 400, 'allowlist_special_range', /Loopback/],
        ['10.0.0.0/8', 400, 'allowlist_special_range', /Private-Use/],
        ['100.64.0.0/10', 400, 'allowlist_special_range', /Shared Address Space/],
        ['169.254.0.0/16', 400, 'allowlist_special_range', /Link Local/],
        ['192.0.2.0/24', 400, 'allowlist_special_range', /Documentation/],
        ['224.0.0.0/4', 400, 'allowlist_special_range', /Multicast/],
        ['240.0.0.0/4', 400, 'allowlist_special_range', /Reserved/],
        ['::1/128', 400, 'allowlist_special_range', /Loopback/],
        ['fd00::/8', 400, 'allowlist_special_range', /Unique-Local/],
        ['fe80::/10', 400, 'allowlist_special_range', /Link-Local/],
        ['2001:db8::/32', 400, 'allowlist_special_range', /Documentation/],
        ['ff00::/8', 400, 'allowlist_special_range', /Multicast/],
      ];
      for (const [cidr, status, code, message] of cases) {
        const res = await api.post(base(a), { cidr });
        assert.equal(res.status, status, `${cidr}: ${res.raw}`);
        assert.equal(res.body.code, code, cidr);
        assert.equal(res.body.field, 'cidr', cidr);
        assert.match(res.body.error, message, cidr);
        assert.match(res.body.api_id, /^[0-9a-f-]{36}$/);
      }
      const sup = await api.post(base(a), { cidr: '8.8.0.0/16' });
      assert.equal(sup.body.covers[0].cidr, '8.8.8.0/24');
      const special = await api.post(base(a), { cidr: '10.0.0.0/8' });
      assert.deepEqual(special.body.special_range, {
        cidr: '10.0.0.0/8',
        name: 'Private-Use',
        reference: 'RFC 1918',
      });
      assert.match(special.body.error, /TRUNKGATE_ALLOW_PRIVATE_API_CIDRS=true/);

      // Nothing of the refused requests was written.
      assert.equal((await api.get(base(a))).body.meta.total_count, 2);
    });

    test('limit: 50 entries (IPv4 and IPv6 count alike); the 51st is refused; a failed batch adds nothing', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, OFFICE);
      const v4 = Array.from({ length: 25 }, (_, i) => `9.9.${i}.0/24`);
      const v6 = Array.from({ length: 24 }, (_, i) => `2606:4700:${(i + 1).toString(16)}::/48`);
      const added = await api.post(base(a), { cidr: ['8.8.8.8/32', ...v4, ...v6].join(', ') });
      assert.equal(added.status, 201, added.raw);
      assert.equal(added.body.entries.length, 50);

      for (const cidr of ['9.9.200.0/24', '2606:4700:ff::/48']) {
        const over = await api.post(base(a), { cidr });
        assert.equal(over.status, 400, over.raw);
        assert.equal(over.body.code, 'allowlist_limit_reached');
        assert.equal(over.body.limit, 50);
        assert.match(over.body.error, /50/);
      }
      // Remove one, and a two-entry batch is still too many: all or nothing.
      const victim = added.body.entries.find((e: { cidr: string }) => e.cidr === '9.9.0.0/24').entry_id;
      await api.delete(`${base(a)}${victim}/`);
      const batch = await api.post(base(a), { cidr: '9.9.201.0/24, 9.9.202.0/24' });
      assert.equal(batch.status, 400, batch.raw);
      assert.equal(batch.body.code, 'allowlist_limit_reached');
      assert.equal((await api.get(base(a))).body.meta.total_count, 49);
      assert.equal((await api.post(base(a), { cidr: '9.9.201.0/24' })).status, 201);
    });

    test('an edit is validated against the other entries', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, OFFICE);
      const added = await api.post(base(a), {
        cidr: '8.8.8.0/24, 9.9.9.0/24, 2606:4700:10::/48, 2606:4700:20::/48',
      });
      const [office, nine, v6] = added.body.entries.map((e: { entry_id: string }) => e.entry_id);
      const edit = (id: string, cidr: string) => api.post(`${base(a)}${id}/`, { cidr });
      assert.equal((await edit(nine, '8.8.8.0/24')).body.code, 'allowlist_duplicate');
      assert.equal((await edit(nine, '8.8.8.8/32')).body.code, 'allowlist_subset');
      const wide = await edit(nine, '8.0.0.0/8');
      assert.equal(wide.body.code, 'allowlist_superset', wide.raw);
      assert.equal((await edit(v6, '2606:4700::/32')).body.code, 'allowlist_superset');
      assert.equal((await edit(v6, '2606:4700:20:1::/64')).body.code, 'allowlist_subset');
      assert.equal((await edit(v6, 'fc00::/7')).body.code, 'allowlist_special_range');
      assert.equal((await edit(v6, '2606:4700:10::1')).body.code, 'cidr_required');
      const many = await edit(v6, '1.1.1.0/24, 1.0.0.0/24');
      assert.equal(many.status, 400);
      assert.match(many.body.error, /one CIDR/);
      const unknownField = await api.post(`${base(a)}${v6}/`, { cidr: '1.1.1.0/24', note: 'x' });
      assert.equal(unknownField.body.code, 'unknown_field');
      // Its own range may be narrowed or widened.
      assert.equal((await edit(v6, '2606:4700:10::/44')).status, 202);
      assert.equal((await edit(office, '8.8.8.0/28')).status, 202);
      assert.equal((await edit(office, '8.8.0.0/16')).status, 202);
      assert.equal((await edit('00000000-0000-4000-8000-000000000000', '1.1.1.0/24')).status, 404);
    });

    test('from outside the list every request of the account and of its subaccounts is 403, whatever credentials', async () => {
      const a = await newAccount(t);
      const sub = await newSubaccount(t, a);
      const inside = remoteClient(t.app, a, OFFICE);
      assert.equal((await inside.post(base(a), { cidr: '8.8.8.0/24, 2606:4700::/32' })).status, 201);
      const key = await inside.post(`/v1/Account/${a.authId}/ApiKey/`, { name: 'ci' });
      assert.equal(key.status, 201);

      const paths = [
        `/v1/Account/${a.authId}/`,
        `/v1/Account/${a.authId}/IPWhitelist/`,
        `/v1/Account/${a.authId}/Subaccount/`,
        `/v1/Account/${a.authId}/Zentrunk/Credential/`,
        `/v1/Account/${sub.authId}/`,
        `/v1/Account/${sub.authId}/SipAuth/Credential/`,
      ];
      const outsiders = [
        remoteClient(t.app, a, OUTSIDE),
        remoteClient(t.app, a, OUTSIDE_V6),
        remoteClient(t.app, sub, OUTSIDE),
        remoteClient(t.app, { bearer: key.body.token }, OUTSIDE),
        remoteClient(t.app, { authId: a.authId, token: 'WrongToken000000000000000000000000000000' }, OUTSIDE),
        remoteClient(t.app, null, OUTSIDE),
        // A spoofed X-Forwarded-For from an untrusted peer changes nothing.
        remoteClient(t.app, a, OUTSIDE, { 'x-forwarded-for': OFFICE }),
      ];
      for (const c of outsiders) {
        for (const path of paths) {
          const res = await c.get(path);
          assert.equal(res.status, 403, `${path}: ${res.raw}`);
          assert.equal(res.body.code, 'ip_not_allowlisted');
          assert.match(res.body.error, /allowlist/);
        }
        const write = await c.post(`/v1/Account/${a.authId}/Subaccount/`, { name: 'nope' });
        assert.equal(write.status, 403);
      }
      // Nothing was written by the refused requests.
      assert.equal((await inside.get(`/v1/Account/${a.authId}/Subaccount/`)).body.meta.total_count, 1);

      // From inside: the parent (IPv4, IPv6, IPv4-mapped), its API key and the subaccount get in.
      for (const c of [
        inside,
        remoteClient(t.app, a, OFFICE_V6),
        remoteClient(t.app, a, `::ffff:${OFFICE}`),
        remoteClient(t.app, { bearer: key.body.token }, OFFICE),
      ]) {
        for (const path of paths) assert.equal((await c.get(path)).status, 200, path);
      }
      const subInside = remoteClient(t.app, sub, OFFICE);
      for (const path of paths.slice(4)) assert.equal((await subInside.get(path)).status, 200, path);
    });

    test('another account’s list does not apply, and its entries are 404', async () => {
      const a = await newAccount(t);
      const b = await newAccount(t);
      const entry = await remoteClient(t.app, a, OFFICE).post(base(a), { cidr: '8.8.8.0/24' });
      const id = entry.body.entries[0].entry_id;
      const asB = remoteClient(t.app, b, OUTSIDE);
      assert.equal((await asB.get(`/v1/Account/${b.authId}/`)).status, 200);
      assert.equal((await asB.get(`${base(b)}${id}/`)).status, 404);
      assert.equal((await asB.post(`${base(b)}${id}/`, { cidr: '9.9.9.0/24' })).status, 404);
      assert.equal((await asB.delete(`${base(b)}${id}/`)).status, 404);
      // B naming A's path from outside A's list: the allowlist answers first.
      assert.equal((await asB.get(base(a))).status, 403);
      // From inside A's list, B still cannot reach A: 404, never revealing it.
      assert.equal((await remoteClient(t.app, b, OFFICE).get(base(a))).status, 404);
      assert.equal((await remoteClient(t.app, a, OFFICE).get(`${base(a)}${id}/`)).body.cidr, '8.8.8.0/24');
    });

    test('a caller’s own list applies even when the path names an account it cannot reach', async () => {
      const a = await newAccount(t);
      const b = await newAccount(t);
      await remoteClient(t.app, a, OFFICE).post(base(a), { cidr: '8.8.8.0/24' });
      // A's credentials from outside A's list, aimed at B (no list): refused by A's list.
      const res = await remoteClient(t.app, a, OUTSIDE).get(`/v1/Account/${b.authId}/`);
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'ip_not_allowlisted');
    });

    test('subaccounts read the parent’s list but cannot change it', async () => {
      const a = await newAccount(t);
      const sub = await newSubaccount(t, a);
      const added = await remoteClient(t.app, a, OFFICE).post(base(a), { cidr: '8.8.8.0/24' });
      const id = added.body.entries[0].entry_id;
      for (const c of [remoteClient(t.app, sub, OFFICE), remoteClient(t.app, a, OFFICE)]) {
        const list = await c.get(base(sub));
        assert.equal(list.status, 200);
        assert.deepEqual(
          list.body.objects.map((e: { cidr: string }) => e.cidr),
          ['8.8.8.0/24'],
        );
        assert.equal((await c.get(`${base(sub)}${id}/`)).status, 200);
        for (const res of [
          await c.post(base(sub), { cidr: '9.9.9.0/24' }),
          await c.post(`${base(sub)}${id}/`, { cidr: '8.8.0.0/16' }),
          await c.delete(`${base(sub)}${id}/`),
        ]) {
          assert.equal(res.status, 403, res.raw);
          assert.equal(res.body.code, 'allowlist_managed_by_parent');
          assert.match(res.body.error, new RegExp(`/v1/Account/${a.authId}/IPWhitelist/`));
        }
      }
      assert.equal((await remoteClient(t.app, a, OFFICE).get(base(a))).body.meta.total_count, 1);
    });

    test('self-lockout: refused with 409 unless confirm is true; then the caller is out', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, OUTSIDE);
      const refused = await api.post(base(a), { cidr: '8.8.8.0/24' });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'allowlist_lockout');
      assert.equal(refused.body.client_address, OUTSIDE);
      assert.equal(refused.body.field, 'confirm');
      assert.match(refused.body.error, /1\.1\.1\.1.*confirm: true/);
      assert.equal((await api.get(base(a))).body.meta.total_count, 0);

      // A form-encoded confirm (as Plivo SDKs send) counts too.
      const confirmed = await t.app.inject({
        method: 'POST',
        url: base(a),
        remoteAddress: OUTSIDE,
        headers: {
          authorization: `Basic ${Buffer.from(`${a.authId}:${a.token}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: 'cidr=8.8.8.0%2F24&confirm=true',
      });
      assert.equal(confirmed.statusCode, 201, confirmed.body);
      const locked = await api.get(base(a));
      assert.equal(locked.status, 403);
      assert.equal(locked.body.code, 'ip_not_allowlisted');
    });

    test('self-lockout on edit and delete; confirm via body and ?confirm=true', async () => {
      const a = await newAccount(t);
      const api = remoteClient(t.app, a, OFFICE);
      const added = await api.post(base(a), { cidr: '8.8.8.0/24, 9.9.9.0/24' });
      const [office, nine] = added.body.entries.map((e: { entry_id: string }) => e.entry_id);
      const del = await api.delete(`${base(a)}${office}/`);
      assert.equal(del.status, 409);
      assert.equal(del.body.code, 'allowlist_lockout');
      const edit = await api.post(`${base(a)}${office}/`, { cidr: '8.8.4.0/24' });
      assert.equal(edit.status, 409);
      assert.equal(edit.body.code, 'allowlist_lockout');
      assert.equal((await api.delete(`${base(a)}${nine}/`)).status, 204, 'deleting another entry is fine');
      assert.equal(
        (await api.post(`${base(a)}${office}/`, { cidr: '8.8.4.0/24', confirm: true })).status,
        202,
      );
      assert.equal((await api.get(base(a))).status, 403);
      // From the new range, deleting the last entry turns the list off: no confirmation needed.
      const moved = remoteClient(t.app, a, '8.8.4.4');
      const bad = await moved.delete(`${base(a)}${office}/?confirm=maybe`);
      assert.equal(bad.status, 400);
      assert.equal((await moved.delete(`${base(a)}${office}/`)).status, 204);
      assert.equal((await api.get(base(a))).status, 200);
    });

    test('TRUNKGATE_ALLOW_PRIVATE_API_CIDRS=true admits private ranges, not other special space', async () => {
      const p = await buildTestApp(dialect, { TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: 'true' });
      try {
        const api = remoteClient(p.app, { authId: p.root.authId, token: p.root.token }, '10.1.2.3');
        const path = `/v1/Account/${p.root.authId}/IPWhitelist/`;
        const ok = await api.post(path, { cidr: '10.0.0.0/8, 192.168.0.0/16, fd00::/8, 127.0.0.1/32' });
        assert.equal(ok.status, 201, ok.raw);
        for (const cidr of ['192.0.2.0/24', '2001:db8::/32', '224.0.0.0/4']) {
          const res = await api.post(path, { cidr });
          assert.equal(res.status, 400, cidr);
          assert.equal(res.body.code, 'allowlist_special_range');
        }
        assert.equal(
          (await remoteClient(p.app, { authId: p.root.authId, token: p.root.token }, '172.16.0.1').get(path))
            .status,
          403,
        );
      } finally {
        await p.close();
      }
    });

    test('every node enforces a change made on another node', async () => {
      const a = await newAccount(t);
      const node2 = await startExtraNode(t.db, { TRUNKGATE_ALLOWLIST_REFRESH_MS: '50' });
      try {
        const two = remoteClient(node2.app, a, OUTSIDE);
        assert.equal((await two.get(`/v1/Account/${a.authId}/`)).status, 200, 'node 2 has cached "no list"');
        const added = await remoteClient(t.app, a, OFFICE).post(base(a), { cidr: '8.8.8.0/24' });
        assert.equal(added.status, 201);
        await eventually(
          async () => (await two.get(`/v1/Account/${a.authId}/`)).status === 403,
          'node 2 to enforce',
        );
        // And the other way: node 2 deletes, node 1 lets the outsider in again.
        const id = added.body.entries[0].entry_id;
        assert.equal((await remoteClient(node2.app, a, OFFICE).delete(`${base(a)}${id}/`)).status, 204);
        const one = remoteClient(t.app, a, OUTSIDE);
        await eventually(
          async () => (await one.get(`/v1/Account/${a.authId}/`)).status === 200,
          'node 1 to see the delete',
        );
      } finally {
        await node2.close();
      }
    });

    test('CLI break-glass: `trunkgate allowlist clear <auth_id>` reopens a locked-out account', async () => {
      const a = await newAccount(t);
      const sub = await newSubaccount(t, a);
      const out = remoteClient(t.app, a, OUTSIDE);
      assert.equal(
        (await out.post(base(a), { cidr: '8.8.8.0/24, 2606:4700::/32', confirm: true })).status,
        201,
      );
      assert.equal((await out.get(base(a))).status, 403);

      const listed = runCli(t.db, ['allowlist', 'list', a.authId]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /8\.8\.8\.0\/24/);
      assert.match(listed.stdout, /2606:4700::\/32/);

      const viaSub = runCli(t.db, ['allowlist', 'clear', sub.authId]);
      assert.equal(viaSub.code, 1);
      assert.match(viaSub.stderr, new RegExp(`subaccount.*trunkgate allowlist clear ${a.authId}`));
      const unknown = runCli(t.db, ['allowlist', 'clear', 'MAUNKNOWN00000000000']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no account MAUNKNOWN00000000000/);
      assert.equal(runCli(t.db, ['allowlist', 'clear']).code, 2);
      assert.equal(runCli(t.db, ['allowlist', 'clear', 'not-an-id']).code, 2);
      assert.equal((await out.get(base(a))).status, 403, 'refused commands changed nothing');

      const cleared = runCli(t.db, ['allowlist', 'clear', a.authId]);
      assert.equal(cleared.code, 0, cleared.stderr);
      assert.match(cleared.stdout, /removed 2 API IP allowlist entries/);
      // The running node picks the change up from the store's change version.
      await eventually(
        async () => (await out.get(base(a))).status === 200,
        'the API to accept the outsider again',
      );
      assert.equal((await out.get(base(a))).body.meta.total_count, 0);
      assert.match(runCli(t.db, ['allowlist', 'clear', a.authId]).stdout, /already empty/);
    });
  });
}
