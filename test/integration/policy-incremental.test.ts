// The edge's policy kept current by deltas (src/domain/policy/policy-table.ts fed by
// PolicyRepository.loadChanges) equals a full rebuild after every kind of change the API can
// make: ACLs and their entries, credentials, trunks (both directions), applications, origination
// URIs and accounts (disable, delete). A random sequence of API writes (fast-check), checked after
// each write, on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type PolicyDescription, PolicyTable } from '../../src/domain/policy/index.ts';
import { type Api, api, createSubaccount, PASSWORD, rootApi } from '../helpers/acl-trunk-fixtures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

interface Account {
  api: Api;
  authId: string;
  sub: boolean;
  enabled: boolean;
  acls: { id: string; entries: string[] }[];
  credentials: string[];
  uris: string[];
  trunks: string[];
  apps: string[];
}

const pick = <T>(items: readonly T[], i: number): T | undefined =>
  items.length === 0 ? undefined : items[i % items.length];

/** An operation: its kind, the account it acts for, and free choices (resource picks, flags). */
const op = fc.record({
  kind: fc.constantFrom(
    'sub_create',
    'sub_toggle',
    'sub_delete',
    'acl_create',
    'acl_entry_add',
    'acl_entry_delete',
    'acl_replace',
    'acl_delete',
    'cred_create',
    'cred_update',
    'cred_delete',
    'uri_create',
    'uri_update',
    'trunk_create',
    'trunk_update',
    'trunk_delete',
    'app_create',
    'app_update',
    'app_delete',
  ),
  account: fc.nat(),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  flag: fc.boolean(),
});
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const AUTH_TYPES = ['none', 'ip_acl', 'credential', 'ip_acl_and_credential'] as const;
let seq = 0;
const cidr = (n: number, v6: boolean) =>
  v6 ? `2001:db8:${(n % 0xffff).toString(16)}::/48` : `10.${n % 256}.${(n >> 8) % 256}.0/24`;

for (const dialect of DIALECTS) {
  describe(`policy deltas equal a full rebuild (${dialect})`, () => {
    let t: TestApp;
    let accounts: Account[];
    let root: Api;

    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
      accounts = [
        {
          api: root,
          authId: t.root.authId,
          sub: false,
          enabled: true,
          acls: [],
          credentials: [],
          uris: [],
          trunks: [],
          apps: [],
        },
      ];
    });
    after(() => t.close());

    const full = async (): Promise<PolicyDescription> =>
      PolicyTable.fromRows(await t.services.policy.loadRows(), t.config.sipDomain).describe();

    async function apply(o: Op): Promise<void> {
      const acc = pick(accounts, o.account)!;
      const a = acc.api;
      switch (o.kind) {
        case 'sub_create': {
          if (accounts.length >= 4) return;
          const who = await createSubaccount(root, `s${++seq}`);
          accounts.push({
            // The main account acts for its subaccounts, so a disabled one can still be changed.
            api: api(t, { authId: t.root.authId, token: t.root.token }, who.authId),
            authId: who.authId,
            sub: true,
            enabled: true,
            acls: [],
            credentials: [],
            uris: [],
            trunks: [],
            apps: [],
          });
          return;
        }
        case 'sub_toggle':
          if (!acc.sub) return;
          acc.enabled = !acc.enabled;
          assert.equal((await root.post(`/Subaccount/${acc.authId}/`, { enabled: acc.enabled })).status, 202);
          return;
        case 'sub_delete':
          if (!acc.sub) return;
          assert.equal((await root.delete(`/Subaccount/${acc.authId}/`)).status, 204);
          accounts.splice(accounts.indexOf(acc), 1);
          return;
        case 'acl_create': {
          const entries = Array.from({ length: 1 + (o.a % 3) }, (_, i) => ({
            ip: cidr(o.b + i, (o.c + i) % 2 === 1).split('/')[0],
            cidr_prefix: Number(cidr(o.b + i, (o.c + i) % 2 === 1).split('/')[1]),
          }));
          const body = await a.create('/SipAuth/IPAccessControlList/', { name: `acl${++seq}`, entries });
          acc.acls.push({
            id: body.ip_acl_uuid,
            entries: (body.entries as { entry_id: string }[]).map((e) => e.entry_id),
          });
          return;
        }
        case 'acl_entry_add': {
          const acl = pick(acc.acls, o.a);
          if (acl === undefined) return;
          const [ip, prefix] = cidr(o.b * 7 + 3, o.flag).split('/');
          const res = await a.post(`/SipAuth/IPAccessControlList/${acl.id}/Entry/`, {
            ip,
            cidr_prefix: Number(prefix),
          });
          if (res.status === 201) acl.entries.push(res.body.entry_id);
          return;
        }
        case 'acl_entry_delete': {
          const acl = pick(acc.acls, o.a);
          const entry = acl && pick(acl.entries, o.b);
          if (acl === undefined || entry === undefined) return;
          await a.delete(`/SipAuth/IPAccessControlList/${acl.id}/Entry/${entry}/`);
          acl.entries.splice(acl.entries.indexOf(entry), 1);
          return;
        }
        case 'acl_replace': {
          const acl = pick(acc.acls, o.a);
          if (acl === undefined) return;
          // The Zentrunk shape replaces the whole list (src/store/repositories/ip-acl-repository.ts update).
          const res = await a.post(`/Zentrunk/IPAccessControlList/${acl.id}/`, {
            ip_addresses: [cidr(o.b, false), cidr(o.c, true)],
          });
          assert.equal(res.status, 202, res.raw);
          const got = await a.get(`/SipAuth/IPAccessControlList/${acl.id}/`);
          acl.entries = (got.body.entries as { entry_id: string }[]).map((e) => e.entry_id);
          return;
        }
        case 'acl_delete': {
          const acl = pick(acc.acls, o.a);
          if (acl === undefined) return;
          const res = await a.delete(`/SipAuth/IPAccessControlList/${acl.id}/`);
          if (res.status === 204) acc.acls.splice(acc.acls.indexOf(acl), 1);
          return;
        }
        case 'cred_create': {
          const body = await a.create('/SipAuth/Credential/', {
            username: `user${++seq}`,
            password: PASSWORD,
          });
          acc.credentials.push(body.credential_uuid);
          return;
        }
        case 'cred_update': {
          const id = pick(acc.credentials, o.a);
          if (id === undefined) return;
          // SIP Auth credentials keep their username; the Zentrunk shape may change it.
          const res = o.flag
            ? await a.post(`/SipAuth/Credential/${id}/`, { password: `An0ther${++seq}Password` })
            : await a.post(`/Zentrunk/Credential/${id}/`, { username: `user${++seq}`, password: PASSWORD });
          assert.equal(res.status, 202, res.raw);
          return;
        }
        case 'cred_delete': {
          const id = pick(acc.credentials, o.a);
          if (id === undefined) return;
          const res = await a.delete(`/SipAuth/Credential/${id}/`);
          if (res.status === 204) acc.credentials.splice(acc.credentials.indexOf(id), 1);
          return;
        }
        case 'uri_create': {
          const body = await a.create('/Zentrunk/URI/', { uri: `pbx${++seq}.example.com:5060` });
          acc.uris.push(body.uri_uuid);
          return;
        }
        case 'uri_update': {
          const id = pick(acc.uris, o.a);
          if (id === undefined) return;
          assert.equal(
            (await a.post(`/Zentrunk/URI/${id}/`, { uri: `pbx${++seq}.example.net` })).status,
            202,
          );
          return;
        }
        case 'trunk_create': {
          const inbound = o.flag && acc.uris.length > 0;
          const body = inbound
            ? {
                trunk_direction: 'inbound',
                primary_uri_uuid: pick(acc.uris, o.a),
                fallback_uri_uuid:
                  pick(acc.uris, o.b + 1) === pick(acc.uris, o.a) ? undefined : pick(acc.uris, o.b + 1),
              }
            : {
                trunk_direction: 'outbound',
                ...(o.a % 3 !== 0 && acc.acls.length > 0 ? { ipacl_uuid: pick(acc.acls, o.a)!.id } : {}),
                ...(o.b % 3 !== 0 && acc.credentials.length > 0
                  ? { credential_uuid: pick(acc.credentials, o.b) }
                  : {}),
                ...(o.c % 2 === 0 ? { cps_limit: 1 + (o.c % 10) } : {}),
              };
          const res = await a.post('/Zentrunk/Trunk/', body);
          if (res.status === 201) acc.trunks.push(res.body.trunk_id);
          return;
        }
        case 'trunk_update': {
          const id = pick(acc.trunks, o.a);
          if (id === undefined) return;
          const patch =
            o.c % 3 === 0
              ? { trunk_status: o.flag ? 'enabled' : 'disabled' }
              : o.c % 3 === 1 && acc.acls.length > 0
                ? { ipacl_uuid: pick(acc.acls, o.b)!.id }
                : acc.credentials.length > 0
                  ? { credential_uuid: pick(acc.credentials, o.b) }
                  : { name: `t${++seq}` };
          await a.post(`/Zentrunk/Trunk/${id}/`, patch);
          return;
        }
        case 'trunk_delete': {
          const id = pick(acc.trunks, o.a);
          if (id === undefined) return;
          assert.equal((await a.delete(`/Zentrunk/Trunk/${id}/`)).status, 204);
          acc.trunks.splice(acc.trunks.indexOf(id), 1);
          return;
        }
        case 'app_create': {
          const type = AUTH_TYPES[o.a % 4]!;
          const needsAcl = type === 'ip_acl' || type === 'ip_acl_and_credential';
          const needsCred = type === 'credential' || type === 'ip_acl_and_credential';
          if ((needsAcl && acc.acls.length === 0) || (needsCred && acc.credentials.length === 0)) return;
          const res = await a.post('/Application/', {
            app_name: `app${++seq}`,
            answer_url: 'https://example.com/a',
            sip_auth_type: type,
            ...(needsAcl ? { ip_acl_uuid: pick(acc.acls, o.b)!.id } : {}),
            ...(needsCred ? { credential_uuid: pick(acc.credentials, o.c) } : {}),
          });
          assert.equal(res.status, 201, res.raw);
          acc.apps.push(res.body.app_id);
          return;
        }
        case 'app_update': {
          const id = pick(acc.apps, o.a);
          if (id === undefined) return;
          await a.post(
            `/Application/${id}/`,
            o.flag ? { enabled: o.b % 2 === 0 } : { app_name: `app${++seq}` },
          );
          return;
        }
        case 'app_delete': {
          const id = pick(acc.apps, o.a);
          if (id === undefined) return;
          await a.delete(`/Application/${id}/`);
          acc.apps.splice(acc.apps.indexOf(id), 1);
          return;
        }
      }
    }

    test('after every API write, the delta-updated table equals a full load', async () => {
      const table = PolicyTable.fromRows(await t.services.policy.loadRows(), t.config.sipDomain);
      let deltas = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
          for (const o of ops) {
            await apply(o);
            const read = await t.services.policy.loadChanges(table.version);
            assert.notEqual(read.kind, 'full', 'the change log covers every change');
            if (read.kind === 'delta') {
              table.apply(read.delta);
              deltas++;
            }
            assert.deepEqual(table.describe(), await full(), `after ${o.kind}`);
          }
        }),
        { numRuns: 25 },
      );
      assert.ok(deltas > 50, `only ${deltas} deltas were applied`);
    });

    test('several changes read as one delta; a version the log no longer reaches reads in full', async () => {
      const table = PolicyTable.fromRows(await t.services.policy.loadRows(), t.config.sipDomain);
      const acl = await root.create('/SipAuth/IPAccessControlList/', {
        name: 'batch',
        entries: [{ ip: '192.0.2.0', cidr_prefix: 24 }],
      });
      const cred = await root.create('/SipAuth/Credential/', {
        username: `batch${++seq}`,
        password: PASSWORD,
      });
      await root.create('/Zentrunk/Trunk/', {
        trunk_direction: 'outbound',
        ipacl_uuid: acl.ip_acl_uuid,
        credential_uuid: cred.credential_uuid,
      });
      await root.post(`/SipAuth/IPAccessControlList/${acl.ip_acl_uuid}/Entry/`, {
        ip: '198.51.100.0',
        cidr_prefix: 24,
      });
      const read = await t.services.policy.loadChanges(table.version);
      assert.equal(read.kind, 'delta');
      if (read.kind === 'delta') table.apply(read.delta);
      assert.deepEqual(table.describe(), await full());
      assert.equal((await t.services.policy.loadChanges(table.version)).kind, 'current');
      assert.equal((await t.services.policy.loadChanges(-1)).kind, 'full');
    });

    test('a full load in parts (pages that never split an ACL) equals the load in one piece', async () => {
      const acl = await root.create('/SipAuth/IPAccessControlList/', {
        name: 'paged',
        entries: Array.from({ length: 7 }, (_, i) => ({ ip: `203.0.113.${i * 16}`, cidr_prefix: 28 })),
      });
      await root.create('/Zentrunk/Trunk/', { trunk_direction: 'outbound', ipacl_uuid: acl.ip_acl_uuid });
      const expected = await full();
      for (const pageSize of [1, 2, 3, 5, 1000]) {
        const table = PolicyTable.empty(t.config.sipDomain);
        let parts = 0;
        const version = await t.services.policy.loadInParts((part) => {
          table.apply(part);
          parts++;
        }, pageSize);
        assert.equal(version, expected.version);
        assert.ok(pageSize === 1000 || parts > 2, `${parts} parts at page size ${pageSize}`);
        assert.deepEqual(table.describe(), expected, `page size ${pageSize}`);
      }
    });
  });
}
