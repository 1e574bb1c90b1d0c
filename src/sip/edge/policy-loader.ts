// Builds the edge's PolicySnapshot from the database: every outbound trunk and application with
// its ACL (one radix-trie matcher per ACL, shared by everything that uses it) and the one
// credential that may authenticate it. Only referenced credentials are loaded, so the snapshot's
// size follows the number of trunks/applications, not of stored credentials.
import { type IpAddress, NetworkMatcher, parseNetwork } from '../../domain/address/index.ts';
import { type DigestAlgorithm, isDigestAlgorithm } from '../../domain/digest/digest-hash.ts';
import type { Store } from '../../store/database.ts';
import type { AdmissionTarget, CredentialEntry, PolicySnapshot } from './admission-policy.ts';

export async function readChangeVersion(store: Store): Promise<number> {
  const r = await store.db
    .selectFrom('change_version')
    .select('version')
    .where('id', '=', 1)
    .executeTakeFirst();
  return Number(r?.version ?? 0);
}

function algorithms(json: string | null): DigestAlgorithm[] | null {
  if (json === null || json === '') return null;
  try {
    const list: unknown = JSON.parse(json);
    if (!Array.isArray(list)) return null;
    const out = list.filter(isDigestAlgorithm);
    return out.length > 0 ? out : null;
  } catch {
    return null;
  }
}

const BATCH = 5000;

export async function loadPolicy(store: Store, sipDomain: string): Promise<PolicySnapshot> {
  const version = await readChangeVersion(store);
  const db = store.db;
  const [accounts, trunks, apps] = await Promise.all([
    db.selectFrom('accounts').select(['auth_id', 'parent_auth_id', 'enabled']).execute(),
    db
      .selectFrom('trunks')
      .select([
        'trunk_id',
        'account_auth_id',
        'trunk_status',
        'trunk_direction',
        'ip_acl_uuid',
        'credential_uuid',
        'cps_limit',
        'digest_algorithms',
      ])
      .where('trunk_direction', '=', 'outbound')
      .execute(),
    db
      .selectFrom('applications')
      .select([
        'app_id',
        'account_auth_id',
        'enabled',
        'sip_auth_type',
        'ip_acl_uuid',
        'credential_uuid',
        'digest_algorithms',
      ])
      .execute(),
  ]);
  // An account is live when it and its parent (if any) are enabled.
  const enabledById = new Map(accounts.map((a) => [a.auth_id, a.enabled === 1]));
  const parentById = new Map(accounts.map((a) => [a.auth_id, a.parent_auth_id]));
  const accountLive = (id: string) => {
    const parent = parentById.get(id);
    return (
      enabledById.get(id) === true &&
      (parent === null || parent === undefined || enabledById.get(parent) === true)
    );
  };

  const aclIds = new Set<string>();
  const credIds = new Set<string>();
  for (const t of trunks) {
    if (t.ip_acl_uuid) aclIds.add(t.ip_acl_uuid);
    if (t.credential_uuid) credIds.add(t.credential_uuid);
  }
  for (const a of apps) {
    if (a.ip_acl_uuid && (a.sip_auth_type === 'ip_acl' || a.sip_auth_type === 'ip_acl_and_credential'))
      aclIds.add(a.ip_acl_uuid);
    if (
      a.credential_uuid &&
      (a.sip_auth_type === 'credential' || a.sip_auth_type === 'ip_acl_and_credential')
    )
      credIds.add(a.credential_uuid);
  }

  const matchers = new Map<string, NetworkMatcher<true>>();
  for (const id of aclIds) matchers.set(id, new NetworkMatcher<true>());
  const anywhere = new NetworkMatcher<true>();
  const aclList = [...aclIds];
  for (let i = 0; i < aclList.length; i += BATCH) {
    const rows = await db
      .selectFrom('ip_acl_entries')
      .select(['ip_acl_uuid', 'ip', 'cidr_prefix'])
      .where('ip_acl_uuid', 'in', aclList.slice(i, i + BATCH))
      .execute();
    for (const r of rows) {
      const net = parseNetwork(r.ip, r.cidr_prefix);
      if (!net.ok) continue; // stored entries were validated on the way in
      matchers.get(r.ip_acl_uuid)?.insert(net.value, true);
      anywhere.insert(net.value, true);
    }
  }
  for (const m of matchers.values()) m.compact();
  anywhere.compact();

  const credentials = new Map<string, CredentialEntry>();
  const credList = [...credIds];
  for (let i = 0; i < credList.length; i += BATCH) {
    const rows = await db
      .selectFrom('credentials')
      .select([
        'credential_uuid',
        'account_auth_id',
        'username',
        'realm',
        'ha1_md5',
        'ha1_sha256',
        'ha1_sha512_256',
      ])
      .where('credential_uuid', 'in', credList.slice(i, i + BATCH))
      .execute();
    for (const r of rows) {
      credentials.set(r.credential_uuid, {
        credentialUuid: r.credential_uuid,
        accountAuthId: r.account_auth_id,
        username: r.username,
        realm: r.realm,
        ha1: { md5: r.ha1_md5, sha256: r.ha1_sha256, sha512_256: r.ha1_sha512_256 },
      });
    }
  }

  const byDomain = new Map<string, AdmissionTarget>();
  for (const t of trunks) {
    byDomain.set(`${t.trunk_id}.${sipDomain}`.toLowerCase(), {
      kind: 'trunk',
      id: t.trunk_id,
      accountAuthId: t.account_auth_id,
      enabled: t.trunk_status === 'enabled' && accountLive(t.account_auth_id),
      acl: t.ip_acl_uuid ? (matchers.get(t.ip_acl_uuid) ?? new NetworkMatcher<true>()) : null,
      credentialUuid: t.credential_uuid,
      cpsLimit: t.cps_limit === null ? null : Number(t.cps_limit),
      digestAlgorithms: algorithms(t.digest_algorithms),
    });
  }
  const byApp = new Map<string, AdmissionTarget>();
  for (const a of apps) {
    const usesAcl = a.sip_auth_type === 'ip_acl' || a.sip_auth_type === 'ip_acl_and_credential';
    const usesCred = a.sip_auth_type === 'credential' || a.sip_auth_type === 'ip_acl_and_credential';
    byApp.set(a.app_id, {
      kind: 'application',
      id: a.app_id,
      accountAuthId: a.account_auth_id,
      enabled: a.enabled === 1 && accountLive(a.account_auth_id),
      acl: usesAcl ? (matchers.get(a.ip_acl_uuid ?? '') ?? new NetworkMatcher<true>()) : null,
      credentialUuid: usesCred ? a.credential_uuid : null,
      cpsLimit: null,
      digestAlgorithms: algorithms(a.digest_algorithms),
    });
  }

  return {
    version,
    trunkByDomain: (host) => byDomain.get(host),
    application: (id) => byApp.get(id),
    credential: (id) => credentials.get(id),
    admittedAnywhere: (address: IpAddress) => anywhere.contains(address),
  };
}
