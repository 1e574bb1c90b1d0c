import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  formatCidr,
  formatIp,
  type IpAddress,
  type IpNetwork,
  ipv4,
  ipv6,
  maskAddress,
  networkContainsAddress,
  parseCidr,
  parseIp,
} from '../../../src/domain/address/index.ts';
import { type AclEntrySpec, parseAclCidr } from '../../../src/domain/ip-acl-rules.ts';
import {
  buildPolicySnapshot,
  checkSource,
  decideAdmission,
  findAdmissionPolicy,
  NO_CREDENTIAL,
  PolicyDataError,
  type PolicyRows,
  type PolicyTrunkRow,
} from '../../../src/domain/policy/index.ts';

const DOMAIN = 'sip.example.com';
const ACCOUNT = 'MAAAAAAAAAAAAAAAAAAA';

function ip(text: string): IpAddress {
  const r = parseIp(text);
  if (!r.ok) assert.fail(r.message);
  return r.value;
}

function entries(aclId: string, cidrs: string[]) {
  return cidrs.map((c, i) => {
    const r = parseAclCidr(c, 'x');
    if (!r.ok) assert.fail(r.message);
    return {
      ip_acl_uuid: aclId,
      entry_id: `${aclId}-e${i}`,
      ip: r.value.ip,
      cidr_prefix: r.value.cidrPrefix,
    };
  });
}

function trunkRow(p: Partial<PolicyTrunkRow> & { trunk_id: string }): PolicyTrunkRow {
  return {
    account_auth_id: ACCOUNT,
    name: null,
    trunk_direction: 'outbound',
    trunk_status: 'enabled',
    secure: 0,
    cps_limit: null,
    ip_acl_uuid: null,
    credential_uuid: null,
    primary_uri_uuid: null,
    fallback_uri_uuid: null,
    digest_algorithms: null,
    account_enabled: true,
    ...p,
  };
}

function rows(p: Partial<PolicyRows>): PolicyRows {
  return {
    version: 1,
    trunks: [],
    applications: [],
    aclEntries: [],
    credentials: [],
    originationUris: [],
    ...p,
  };
}

const CRED = {
  credential_uuid: 'cred-1',
  account_auth_id: ACCOUNT,
  username: 'pbx',
  realm: DOMAIN,
  ha1_md5: '0123456789abcdef0123456789abcdef',
  ha1_sha256: 'ab'.repeat(32),
  ha1_sha512_256: 'cd'.repeat(32),
};

describe('policy snapshot: trunks', () => {
  const snapshot = buildPolicySnapshot(
    rows({
      version: 42,
      trunks: [
        trunkRow({
          trunk_id: '111',
          ip_acl_uuid: 'acl-1',
          credential_uuid: 'cred-1',
          cps_limit: 2.5,
          digest_algorithms: '["SHA-256","MD5"]',
        }),
        trunkRow({ trunk_id: '222', ip_acl_uuid: 'acl-1' }),
        trunkRow({ trunk_id: '333', credential_uuid: 'cred-1', trunk_status: 'disabled' }),
        trunkRow({ trunk_id: '444', credential_uuid: 'cred-1', account_enabled: false }),
        trunkRow({
          trunk_id: '555',
          trunk_direction: 'inbound',
          primary_uri_uuid: 'uri-1',
          fallback_uri_uuid: 'uri-2',
        }),
        trunkRow({ trunk_id: '666', ip_acl_uuid: 'acl-empty' }),
      ],
      aclEntries: entries('acl-1', ['203.0.113.0/24', '203.0.113.128/25', '2001:db8::/32']),
      credentials: [CRED],
      originationUris: [
        {
          uri_uuid: 'uri-1',
          uri: 'sip:pbx.example.net:5060',
          scheme: 'sip',
          host: 'pbx.example.net',
          port: 5060,
          transport: null,
        },
        {
          uri_uuid: 'uri-2',
          uri: 'sip:[2001:db8::5];transport=tcp',
          scheme: 'sip',
          host: '2001:db8::5',
          port: null,
          transport: 'tcp',
        },
      ],
    }),
    'SIP.Example.com.',
  );

  test('looked up by trunk domain, in any case, with a trailing dot', () => {
    assert.equal(snapshot.version, 42);
    assert.equal(snapshot.sipDomain, DOMAIN);
    const p = findAdmissionPolicy(snapshot, { trunkDomain: '111.SIP.example.COM.' });
    assert.ok(p);
    assert.equal(p.kind, 'trunk');
    assert.equal(p.id, '111');
    assert.equal(p.accountAuthId, ACCOUNT);
    assert.equal(p.enabled, true);
    assert.deepEqual(p.acl?.networks(), ['203.0.113.0/24', '203.0.113.128/25', '2001:db8::/32']);
    assert.equal(p.credentialUuid, 'cred-1');
    const c = snapshot.credential('cred-1');
    assert.deepEqual(
      [c?.username, c?.realm, c?.ha1.md5, c?.ha1.sha256],
      ['pbx', DOMAIN, CRED.ha1_md5, CRED.ha1_sha256],
    );
    assert.equal(p.cpsLimit, 2.5);
    assert.deepEqual(p.digestAlgorithms, ['SHA-256', 'MD5']);
    for (const host of ['999.sip.example.com', '111.other.example.com', 'sip.example.com', '111']) {
      assert.equal(findAdmissionPolicy(snapshot, { trunkDomain: host }), undefined, host);
    }
  });

  test('both set: the source must be listed and the credential proven', () => {
    const p = findAdmissionPolicy(snapshot, { trunkDomain: `111.${DOMAIN}` })!;
    assert.deepEqual(decideAdmission(p, { source: ip('198.51.100.1'), provenCredentialUuid: 'cred-1' }), {
      kind: 'source_denied',
    });
    assert.deepEqual(decideAdmission(p, { source: ip('203.0.113.9'), provenCredentialUuid: null }), {
      kind: 'challenge',
      credentialUuid: 'cred-1',
    });
    assert.deepEqual(decideAdmission(p, { source: ip('203.0.113.9'), provenCredentialUuid: 'cred-other' }), {
      kind: 'credential_denied',
    });
    // Longest prefix names the entry that matched; IPv4-mapped sources count as IPv4.
    assert.deepEqual(decideAdmission(p, { source: ip('203.0.113.200'), provenCredentialUuid: 'cred-1' }), {
      kind: 'admitted',
      entryId: 'acl-1-e1',
      credentialUuid: 'cred-1',
    });
    assert.deepEqual(checkSource(p, { family: 6, words: [0, 0, 0xffff, 0xcb007109] }), {
      kind: 'allowed',
      entryId: 'acl-1-e0',
    });
    assert.deepEqual(checkSource(p, ip('2001:db8:ffff::1')), { kind: 'allowed', entryId: 'acl-1-e2' });
  });

  test('an ACL alone; one compiled ACL is shared by its users', () => {
    const p = findAdmissionPolicy(snapshot, { trunkDomain: `222.${DOMAIN}` })!;
    assert.equal(p.credentialUuid, null);
    assert.deepEqual(decideAdmission(p, { source: ip('203.0.113.1'), provenCredentialUuid: null }), {
      kind: 'admitted',
      entryId: 'acl-1-e0',
      credentialUuid: null,
    });
    assert.equal(p.acl, findAdmissionPolicy(snapshot, { trunkDomain: `111.${DOMAIN}` })!.acl);
  });

  test('an ACL with no entries admits no address (fails closed)', () => {
    const p = findAdmissionPolicy(snapshot, { trunkDomain: `666.${DOMAIN}` })!;
    assert.deepEqual(p.acl?.networks(), []);
    assert.deepEqual(checkSource(p, ip('203.0.113.1')), { kind: 'denied' });
  });

  test('a disabled trunk, or a trunk of a disabled account, admits nothing', () => {
    for (const id of ['333', '444']) {
      const p = findAdmissionPolicy(snapshot, { trunkDomain: `${id}.${DOMAIN}` })!;
      assert.equal(p.enabled, false);
      assert.deepEqual(decideAdmission(p, { source: ip('203.0.113.1'), provenCredentialUuid: 'cred-1' }), {
        kind: 'disabled',
      });
    }
  });

  test('inbound trunks admit nothing; they carry where calls are sent', () => {
    assert.equal(findAdmissionPolicy(snapshot, { trunkDomain: `555.${DOMAIN}` }), undefined);
    const o = snapshot.inboundTrunk('555');
    assert.equal(o?.primary?.uri, 'sip:pbx.example.net:5060');
    assert.equal(o?.fallback?.transport, 'tcp');
    assert.equal(o?.enabled, true);
  });
});

describe('policy snapshot: applications', () => {
  const snapshot = buildPolicySnapshot(
    rows({
      applications: [
        {
          app_id: '1',
          account_auth_id: ACCOUNT,
          app_name: 'open',
          enabled: 1,
          sip_auth_type: 'none',
          ip_acl_uuid: null,
          credential_uuid: null,
          digest_algorithms: null,
          account_enabled: true,
        },
        {
          app_id: '2',
          account_auth_id: ACCOUNT,
          app_name: 'ip',
          enabled: 1,
          sip_auth_type: 'ip_acl',
          ip_acl_uuid: 'acl-1',
          credential_uuid: null,
          digest_algorithms: null,
          account_enabled: true,
        },
        {
          app_id: '3',
          account_auth_id: ACCOUNT,
          app_name: 'cred',
          enabled: 1,
          sip_auth_type: 'credential',
          ip_acl_uuid: null,
          credential_uuid: 'cred-1',
          digest_algorithms: '["MD5"]',
          account_enabled: true,
        },
        {
          app_id: '4',
          account_auth_id: ACCOUNT,
          app_name: 'both',
          enabled: 0,
          sip_auth_type: 'ip_acl_and_credential',
          ip_acl_uuid: 'acl-1',
          credential_uuid: 'cred-1',
          digest_algorithms: null,
          account_enabled: true,
        },
        {
          app_id: '5',
          account_auth_id: 'MAOTHERACCOUNT000000',
          app_name: 'foreign',
          enabled: 1,
          sip_auth_type: 'credential',
          ip_acl_uuid: null,
          credential_uuid: 'cred-1',
          digest_algorithms: null,
          account_enabled: true,
        },
      ],
      aclEntries: entries('acl-1', ['10.0.0.0/8']),
      credentials: [CRED],
    }),
    DOMAIN,
  );
  const app = (id: string) => findAdmissionPolicy(snapshot, { appId: id })!;

  test('none admits any source without a credential', () => {
    assert.deepEqual(decideAdmission(app('1'), { source: ip('198.51.100.7'), provenCredentialUuid: null }), {
      kind: 'admitted',
      entryId: null,
      credentialUuid: null,
    });
  });

  test('ip_acl, credential, ip_acl_and_credential', () => {
    assert.equal(
      decideAdmission(app('2'), { source: ip('198.51.100.7'), provenCredentialUuid: null }).kind,
      'source_denied',
    );
    assert.equal(
      decideAdmission(app('2'), { source: ip('10.9.9.9'), provenCredentialUuid: null }).kind,
      'admitted',
    );
    assert.equal(
      decideAdmission(app('3'), { source: ip('198.51.100.7'), provenCredentialUuid: null }).kind,
      'challenge',
    );
    assert.equal(
      decideAdmission(app('3'), { source: ip('198.51.100.7'), provenCredentialUuid: 'cred-1' }).kind,
      'admitted',
    );
    assert.deepEqual(app('3').digestAlgorithms, ['MD5']);
    const both = app('4');
    assert.equal(both.acl !== null && both.credentialUuid !== null, true);
    assert.equal(
      decideAdmission(both, { source: ip('10.0.0.1'), provenCredentialUuid: 'cred-1' }).kind,
      'disabled',
    );
    assert.equal(findAdmissionPolicy(snapshot, { appId: '404' }), undefined);
  });

  test('a credential of another account never admits (fails closed)', () => {
    assert.equal(app('5').credentialUuid, NO_CREDENTIAL);
    assert.equal(
      decideAdmission(app('5'), { source: ip('10.0.0.1'), provenCredentialUuid: 'cred-1' }).kind,
      'credential_denied',
    );
  });

  test('rows that break the API’s invariants are reported, not guessed at', () => {
    assert.throws(
      () =>
        buildPolicySnapshot(
          rows({ aclEntries: [{ ip_acl_uuid: 'a', entry_id: 'e', ip: '10.1.2.3', cidr_prefix: 24 }] }),
          DOMAIN,
        ),
      PolicyDataError,
    );
    assert.throws(
      () =>
        buildPolicySnapshot(
          rows({ trunks: [trunkRow({ trunk_id: '1', trunk_direction: 'sideways' })] }),
          DOMAIN,
        ),
      PolicyDataError,
    );
  });
});

// ---- properties: the snapshot's matcher agrees with a naive scan --------------------------------

/** Few distinct high bits so that networks nest and probes hit them. */
const v4Value = fc.oneof(
  fc
    .tuple(fc.constantFrom(0x0a, 0xc0, 0xcb), fc.integer({ min: 0, max: 0xffffff }))
    .map(([h, l]) => ((h << 24) | l) >>> 0),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const v6Word = fc.oneof(fc.constantFrom(0, 0x20010db8, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));
const v6Words = fc
  .tuple(v6Word, v6Word, v6Word, v6Word)
  // Keep IPv4-mapped space out of the IPv6 side: those networks are IPv4 networks.
  .map(([a, b, c, d]) => [a, b, a === 0 && b === 0 && c === 0xffff ? 0xfffe : c, d] as const);

const networkArb: fc.Arbitrary<IpNetwork> = fc.oneof(
  fc
    .tuple(v4Value, fc.nat(32))
    .map(([v, p]) => ({ address: maskAddress(ipv4(v), p), prefix: p }) as IpNetwork),
  fc
    .tuple(v6Words, fc.oneof(fc.nat(128), fc.constantFrom(0, 32, 48, 64, 96, 128)))
    .map(([w, p]) => ({ address: maskAddress(ipv6(w), p), prefix: p }) as IpNetwork),
);
const addressArb: fc.Arbitrary<IpAddress> = fc.oneof(
  v4Value.map((v) => ipv4(v)),
  v4Value.map((v) => ipv6([0, 0, 0xffff, v])), // IPv4-mapped, as a dual-stack socket reports it
  v6Words.map((w) => ipv6(w)),
);

/** An address inside the network: its base with `noise` in the host bits. */
function inside(n: IpNetwork, noise: number): IpAddress {
  const keep = (word: number, before: number) => {
    const bits = Math.max(0, Math.min(32, n.prefix - before));
    const host = bits === 32 ? 0 : bits === 0 ? 0xffffffff : 0xffffffff >>> bits;
    return (word | (noise & host)) >>> 0;
  };
  if (n.address.family === 4) return ipv4(keep(n.address.value, 0));
  const w = n.address.words;
  return ipv6([keep(w[0], 0), keep(w[1], 32), keep(w[2], 64), keep(w[3], 96)]);
}

describe('policy matcher properties (fast-check)', () => {
  test('checkSource admits exactly the addresses a naive scan of the ACL admits, naming the longest prefix', () => {
    fc.assert(
      fc.property(
        fc.array(networkArb, { maxLength: 50 }),
        fc.array(addressArb, { maxLength: 20 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (networks, randomProbes, noise) => {
          // The entries as the API would store them: canonical text, duplicates refused.
          const specs = new Map<string, AclEntrySpec>();
          for (const n of networks) {
            const spec = parseAclCidr(formatCidr(n), 'x');
            assert.ok(spec.ok);
            if (!specs.has(spec.value.network)) specs.set(spec.value.network, spec.value);
          }
          const list = [...specs.values()];
          const snapshot = buildPolicySnapshot(
            rows({
              trunks: [trunkRow({ trunk_id: '7', ip_acl_uuid: 'acl' })],
              aclEntries: list.map((s, i) => ({
                ip_acl_uuid: 'acl',
                entry_id: `e${i}`,
                ip: s.ip,
                cidr_prefix: s.cidrPrefix,
              })),
            }),
            DOMAIN,
          );
          const policy = findAdmissionPolicy(snapshot, { trunkDomain: `7.${DOMAIN}` });
          assert.ok(policy);
          const parsed = list.map((s, i) => {
            const r = parseCidr(s.network);
            assert.ok(r.ok);
            return { network: r.value, id: `e${i}` };
          });
          const probes = [...randomProbes, ...parsed.map((p) => inside(p.network, noise))];
          for (const probe of probes) {
            // Naive: scan every network, treating an IPv4-mapped address as IPv4.
            const asIpv4 = parseIp(formatIp(probe));
            assert.ok(asIpv4.ok);
            let best: { id: string; prefix: number } | undefined;
            for (const p of parsed) {
              if (
                networkContainsAddress(p.network, asIpv4.value) &&
                (best === undefined || p.network.prefix > best.prefix)
              )
                best = { id: p.id, prefix: p.network.prefix };
            }
            const got = checkSource(policy, probe);
            assert.deepEqual(
              got,
              best === undefined ? { kind: 'denied' } : { kind: 'allowed', entryId: best.id },
              formatIp(probe),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
