// The policy table's own rules (src/domain/policy/policy-table.ts, credential-table.ts): deltas
// replace only what they name, bad rows leave the table as it was, credentials are kept as bytes
// and handed out as copies. The store-backed equality with a full load is
// test/integration/policy-incremental.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIp } from '../../../src/domain/address/index.ts';
import { CredentialTable } from '../../../src/domain/policy/credential-table.ts';
import {
  type PolicyCredentialRow,
  PolicyDataError,
  type PolicyRows,
  PolicyTable,
  type PolicyTrunkRow,
} from '../../../src/domain/policy/index.ts';

const DOMAIN = 'sip.example.com';
const ACCOUNT = 'MAAAAAAAAAAAAAAAAAAA';

function ip(text: string) {
  const r = parseIp(text);
  assert.ok(r.ok);
  return r.value;
}

function cred(id: string, n: number): PolicyCredentialRow {
  const hex = (bytes: number) => n.toString(16).padStart(2, '0').repeat(bytes);
  return {
    credential_uuid: id,
    account_auth_id: ACCOUNT,
    username: `user${n}`,
    realm: DOMAIN,
    ha1_md5: hex(16),
    ha1_sha256: hex(32),
    ha1_sha512_256: hex(32),
  };
}

function trunk(id: string, acl: string | null, credential: string | null): PolicyTrunkRow {
  return {
    trunk_id: id,
    account_auth_id: ACCOUNT,
    name: null,
    trunk_direction: 'outbound',
    trunk_status: 'enabled',
    secure: 0,
    cps_limit: null,
    ip_acl_uuid: acl,
    credential_uuid: credential,
    primary_uri_uuid: null,
    fallback_uri_uuid: null,
    digest_algorithms: null,
    account_enabled: true,
  };
}

const rows = (p: Partial<PolicyRows>): PolicyRows => ({
  version: 1,
  trunks: [],
  applications: [],
  aclEntries: [],
  credentials: [],
  originationUris: [],
  ...p,
});
const none = { trunks: [], applications: [], accounts: [], acls: [], credentials: [], uris: [] };

describe('policy table deltas', () => {
  test('an ACL change is seen by every trunk holding it; others keep their objects', () => {
    const table = PolicyTable.fromRows(
      rows({
        trunks: [trunk('1', 'acl-a', null), trunk('2', 'acl-a', null), trunk('3', 'acl-b', 'c1')],
        aclEntries: [
          { ip_acl_uuid: 'acl-a', entry_id: 'a0', ip: '10.0.0.0', cidr_prefix: 8 },
          { ip_acl_uuid: 'acl-b', entry_id: 'b0', ip: '192.0.2.0', cidr_prefix: 24 },
        ],
        credentials: [cred('c1', 1)],
      }),
      DOMAIN,
    );
    const t3 = table.trunk('3');
    assert.equal(table.admittedAnywhere(ip('10.1.1.1')), true);
    table.apply({
      changed: { ...none, acls: ['acl-a'] },
      rows: rows({
        version: 2,
        aclEntries: [{ ip_acl_uuid: 'acl-a', entry_id: 'a1', ip: '198.51.100.0', cidr_prefix: 24 }],
      }),
    });
    assert.equal(table.version, 2);
    for (const id of ['1', '2']) {
      assert.equal(table.trunk(id)?.acl?.contains(ip('10.1.1.1')), false);
      assert.equal(table.trunk(id)?.acl?.contains(ip('198.51.100.9')), true);
    }
    assert.equal(table.admittedAnywhere(ip('10.1.1.1')), false);
    assert.equal(table.admittedAnywhere(ip('198.51.100.9')), true);
    assert.equal(table.trunk('3'), t3, 'an unrelated trunk is not rebuilt');
  });

  test('deleting the last user drops the ACL and credential; bad rows change nothing', () => {
    const table = PolicyTable.fromRows(
      rows({
        trunks: [trunk('1', 'acl-a', 'c1')],
        aclEntries: [{ ip_acl_uuid: 'acl-a', entry_id: 'a0', ip: '10.0.0.0', cidr_prefix: 8 }],
        credentials: [cred('c1', 1)],
      }),
      DOMAIN,
    );
    const before = table.describe();
    assert.throws(
      () =>
        table.apply({
          changed: { ...none, trunks: ['1'] },
          rows: rows({
            version: 5,
            aclEntries: [{ ip_acl_uuid: 'acl-a', entry_id: 'bad', ip: '10.1.2.3', cidr_prefix: 8 }],
          }),
        }),
      PolicyDataError,
    );
    assert.deepEqual(table.describe(), before);
    table.apply({ changed: { ...none, trunks: ['1'] }, rows: rows({ version: 6 }) });
    assert.equal(table.trunk('1'), undefined);
    assert.equal(table.credential('c1'), undefined);
    assert.equal(table.admittedAnywhere(ip('10.1.1.1')), false);
    assert.deepEqual(table.stats(), { trunks: 0, applications: 0, acls: 0, aclEntries: 0, credentials: 0 });
  });
});

describe('credential table', () => {
  test('HA1s round-trip as bytes; a handed-out entry survives its slot being reused', () => {
    const t = new CredentialTable();
    for (let i = 0; i < 100; i++) t.set(cred(`c${i}`, i));
    assert.equal(t.size, 100);
    assert.ok(t.typedArrayBytes >= 100 * 80);
    const held = t.get('c7');
    assert.equal(held?.ha1.md5, '07'.repeat(16));
    assert.equal(held?.ha1.sha512_256, '07'.repeat(32));
    t.delete('c7');
    t.set(cred('c-new', 200));
    assert.equal(t.get('c7'), undefined);
    assert.equal(t.get('c-new')?.ha1.sha256, 'c8'.repeat(32));
    assert.equal(held?.ha1.sha256, '07'.repeat(32), 'the copy kept its own bytes');
    assert.equal(held?.username, 'user7');
  });

  test('malformed HA1 text is refused', () => {
    assert.equal(CredentialTable.valid(cred('x', 1)), true);
    assert.equal(CredentialTable.valid({ ...cred('x', 1), ha1_md5: 'zz'.repeat(16) }), false);
    assert.equal(CredentialTable.valid({ ...cred('x', 1), ha1_sha256: 'ab' }), false);
  });
});
