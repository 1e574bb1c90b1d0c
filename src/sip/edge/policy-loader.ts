// Builds the edge's PolicySnapshot: the admission rules come from the domain layer
// (src/domain/policy: which trunk/application requires what), read through the policy repository
// (referenced ACL entries and credentials only, in one consistent read); the edge adds the
// digest HA1s of the referenced credentials and the lookup shapes its hot path wants.
import { type IpAddress, NetworkMatcher, parseNetwork } from '../../domain/address/index.ts';
import { findAdmissionPolicy } from '../../domain/policy/admission.ts';
import { type AdmissionPolicy, buildPolicySnapshot } from '../../domain/policy/policy-snapshot.ts';
import type { Store } from '../../store/database.ts';
import { PolicyRepository } from '../../store/repositories/policy-repository.ts';
import type { AdmissionTarget, CredentialEntry, PolicySnapshot } from './admission-policy.ts';

export async function readChangeVersion(store: Store): Promise<number> {
  return new PolicyRepository(store).version();
}

const BATCH = 5000;
/** A credential id nothing has: a policy whose credential is missing admits nobody (fails closed). */
const NO_CREDENTIAL = '\u0000missing';

async function loadHa1(store: Store, ids: readonly string[]): Promise<Map<string, CredentialEntry>> {
  const out = new Map<string, CredentialEntry>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await store.db
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
      .where('credential_uuid', 'in', ids.slice(i, i + BATCH))
      .execute();
    for (const r of rows) {
      out.set(r.credential_uuid, {
        credentialUuid: r.credential_uuid,
        accountAuthId: r.account_auth_id,
        username: r.username,
        realm: r.realm,
        ha1: { md5: r.ha1_md5, sha256: r.ha1_sha256, sha512_256: r.ha1_sha512_256 },
      });
    }
  }
  return out;
}

function toTarget(p: AdmissionPolicy): AdmissionTarget {
  const matcher = p.ipAcl?.matcher;
  return {
    kind: p.kind,
    id: p.id,
    accountAuthId: p.accountAuthId,
    enabled: p.enabled,
    secure: p.secure,
    acl: p.requireIpAcl ? { contains: (a: IpAddress) => matcher?.contains(a) === true } : null,
    credentialUuid: p.requireCredential ? (p.credentials[0]?.credentialUuid ?? NO_CREDENTIAL) : null,
    cpsLimit: p.cpsLimit,
    digestAlgorithms: p.digestAlgorithms,
  };
}

export async function loadPolicy(store: Store, sipDomain: string): Promise<PolicySnapshot> {
  const rows = await new PolicyRepository(store).loadRows();
  const domain = buildPolicySnapshot(rows, sipDomain);
  const credentials = await loadHa1(
    store,
    rows.credentials.map((c) => c.credential_uuid),
  );
  // Converted once per snapshot, so the hot path allocates nothing per request.
  const trunks = new Map<string, AdmissionTarget>();
  for (const [id, p] of domain.trunks) trunks.set(id, toTarget(p));
  const apps = new Map<string, AdmissionTarget>();
  for (const [id, p] of domain.applications) apps.set(id, toTarget(p));
  const anywhere = new NetworkMatcher<true>();
  for (const e of rows.aclEntries) {
    const n = parseNetwork(e.ip, e.cidr_prefix);
    if (n.ok) anywhere.insert(n.value, true);
  }
  return {
    version: domain.version,
    trunkByDomain: (host) => {
      const p = findAdmissionPolicy(domain, { trunkDomain: host });
      return p === undefined ? undefined : trunks.get(p.id);
    },
    application: (appId) => apps.get(appId),
    credential: (id) => credentials.get(id),
    admittedAnywhere: (address) => anywhere.contains(address),
  };
}
