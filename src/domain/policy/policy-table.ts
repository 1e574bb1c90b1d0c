// The admission policy as one long-lived table that is built from rows once and then kept current
// by applying deltas: a change to one trunk, application, ACL, credential or URI replaces that
// piece (and the targets that embed it), not the whole. The store reads the rows
// (src/store/repositories/policy-repository.ts); the edge polls and applies
// (src/sip/edge/policy-cache.ts).
//
// A delta is validated in full before anything is changed and then applied synchronously, so a
// request sees the policy either before or after a delta, never half of one, and bad rows leave
// the table as it was.
import {
  formatCidr,
  type IpAddress,
  type IpNetwork,
  NetworkMatcher,
  parseNetwork,
} from '../address/index.ts';
import { authNeeds, isSipAuthType } from '../application-rules.ts';

import { deserializeDigestAlgorithms } from '../digest-algorithm-list.ts';
import { trunkIdFromDomain } from '../trunk-rules.ts';
import type {
  AclPolicy,
  AdmissionTarget,
  CredentialEntry,
  OriginationPolicy,
  OriginationTargetPolicy,
  PolicySnapshot,
} from './admission-target.ts';
import { CompiledAcl, MISSING_ACL, type ParsedAclEntry } from './compiled-acl.ts';
import { CredentialTable } from './credential-table.ts';
import type {
  PolicyApplicationRow,
  PolicyCredentialRow,
  PolicyDelta,
  PolicyRows,
  PolicyTrunkRow,
  PolicyUriRow,
} from './policy-rows.ts';

/** Thrown when stored rows break an invariant the API guarantees (a bug or manual edits). */
export class PolicyDataError extends Error {
  override readonly name = 'PolicyDataError';
}

/** A credential id nothing has: a policy whose credential is missing admits nobody (fails closed). */
export const NO_CREDENTIAL = '\u0000missing';

/** Auth needs of a row apply() has validated (an unknown type never gets this far). */
const needsOf = (type: string) => authNeeds(isSipAuthType(type) ? type : 'ip_acl_and_credential');

const EMPTY_DELTA_IDS = Object.freeze({
  trunks: [],
  applications: [],
  accounts: [],
  acls: [],
  credentials: [],
  uris: [],
});

/** Who references a shared piece (ACL, credential, URI): keys `t:{trunk_id}` / `a:{app_id}`. */
type Users = Map<string, Set<string>>;

function addUser(users: Users, id: string | null, key: string): boolean {
  if (id === null) return false;
  let set = users.get(id);
  const fresh = set === undefined;
  if (set === undefined) {
    set = new Set();
    users.set(id, set);
  }
  set.add(key);
  return fresh;
}

/** Returns true when `id` has no users left. */
function removeUser(users: Users, id: string | null, key: string): boolean {
  if (id === null) return false;
  const set = users.get(id);
  if (set === undefined) return false;
  set.delete(key);
  if (set.size > 0) return false;
  users.delete(id);
  return true;
}

export interface PolicyDescription {
  version: number;
  sipDomain: string;
  trunks: [string, unknown][];
  applications: [string, unknown][];
  inboundTrunks: [string, unknown][];
  acls: [string, [string, string][]][];
  credentials: [string, unknown][];
  anywhere: [string, number][];
}

export class PolicyTable implements PolicySnapshot {
  #version: number;
  readonly sipDomain: string;

  readonly #trunkRows = new Map<string, PolicyTrunkRow>();
  readonly #appRows = new Map<string, PolicyApplicationRow>();
  readonly #trunks = new Map<string, AdmissionTarget>();
  readonly #applications = new Map<string, AdmissionTarget>();
  readonly #inbound = new Map<string, OriginationPolicy>();

  readonly #acls = new Map<string, CompiledAcl>();
  readonly #credentials = new CredentialTable();
  readonly #uris = new Map<string, OriginationTargetPolicy>();
  readonly #aclUsers: Users = new Map();
  readonly #credentialUsers: Users = new Map();
  readonly #uriUsers: Users = new Map();
  /** Every network of every referenced ACL → how many ACLs hold it (OPTIONS to the edge). */
  readonly #anywhere = new NetworkMatcher<number>();

  private constructor(sipDomain: string) {
    this.#version = -1;
    this.sipDomain = sipDomain.toLowerCase().replace(/\.$/, '');
  }

  /** The table for a full load. Throws PolicyDataError on rows the API could not have written. */
  static fromRows(rows: PolicyRows, sipDomain: string): PolicyTable {
    const table = new PolicyTable(sipDomain);
    table.apply({ changed: EMPTY_DELTA_IDS, rows });
    table.#anywhere.compact();
    return table;
  }

  /** A table holding nothing, to apply a load in parts to (PolicyRepository.loadInParts). */
  static empty(sipDomain: string): PolicyTable {
    return new PolicyTable(sipDomain);
  }

  /** Re-lays the all-ACL matcher for lookup speed; worth calling after a bulk load. */
  compact(): void {
    this.#anywhere.compact();
  }

  get version(): number {
    return this.#version;
  }

  // ---- PolicySnapshot ------------------------------------------------------------------------

  trunkByDomain(host: string): AdmissionTarget | undefined {
    const trunkId = trunkIdFromDomain(host, this.sipDomain);
    return trunkId === null ? undefined : this.#trunks.get(trunkId);
  }

  trunk(trunkId: string): AdmissionTarget | undefined {
    return this.#trunks.get(trunkId);
  }

  application(appId: string): AdmissionTarget | undefined {
    return this.#applications.get(appId);
  }

  credential(credentialUuid: string): CredentialEntry | undefined {
    return this.#credentials.get(credentialUuid);
  }

  admittedAnywhere(address: IpAddress): boolean {
    return this.#anywhere.contains(address);
  }

  inboundTrunk(trunkId: string): OriginationPolicy | undefined {
    return this.#inbound.get(trunkId);
  }

  // ---- changes -------------------------------------------------------------------------------

  /**
   * Applies a delta read at `delta.rows.version` (a full load is a delta from nothing). Rows and
   * ids the delta names replace what the table holds; pieces nothing references any more are
   * dropped.
   */
  apply(delta: PolicyDelta): void {
    const { changed, rows } = delta;
    // 1. Validate and parse everything first: a throw leaves the table untouched.
    const aclContent = new Map<string, ParsedAclEntry[]>();
    for (const e of rows.aclEntries) {
      const parsed = parseNetwork(e.ip, e.cidr_prefix);
      if (!parsed.ok) throw new PolicyDataError(`ip_acl_entries ${e.entry_id}: ${parsed.message}`);
      let list = aclContent.get(e.ip_acl_uuid);
      if (list === undefined) {
        list = [];
        aclContent.set(e.ip_acl_uuid, list);
      }
      list.push({ entryId: e.entry_id, network: parsed.value });
    }
    for (const t of rows.trunks) {
      if (t.trunk_direction !== 'inbound' && t.trunk_direction !== 'outbound')
        throw new PolicyDataError(`trunk ${t.trunk_id}: unknown trunk_direction "${t.trunk_direction}"`);
    }
    for (const a of rows.applications) {
      if (!isSipAuthType(a.sip_auth_type))
        throw new PolicyDataError(`application ${a.app_id}: unknown sip_auth_type "${a.sip_auth_type}"`);
    }
    for (const c of rows.credentials) {
      if (!CredentialTable.valid(c))
        throw new PolicyDataError(`credential ${c.credential_uuid}: malformed HA1`);
    }
    const credentialRows = new Map(rows.credentials.map((c) => [c.credential_uuid, c] as const));
    const uriRows = new Map(rows.originationUris.map((u) => [u.uri_uuid, u] as const));

    // 2. Take out the trunks and applications the delta replaces.
    const accounts = new Set(changed.accounts);
    const owned = (r: { account_auth_id: string; parent_auth_id?: string | null | undefined }) =>
      accounts.has(r.account_auth_id) || (r.parent_auth_id != null && accounts.has(r.parent_auth_id));
    for (const id of changed.trunks) this.#removeTrunk(id);
    for (const id of changed.applications) this.#removeApplication(id);
    if (accounts.size > 0) {
      for (const [id, r] of this.#trunkRows) if (owned(r)) this.#removeTrunk(id);
      for (const [id, r] of this.#appRows) if (owned(r)) this.#removeApplication(id);
    }

    // 3. Replace the shared pieces that changed and are still referenced.
    for (const id of changed.acls) {
      const acl = this.#acls.get(id);
      if (acl !== undefined) this.#fillAcl(acl, aclContent.get(id) ?? []);
    }
    for (const id of changed.credentials) {
      if (!this.#credentials.has(id)) continue;
      const row = credentialRows.get(id);
      if (row === undefined) this.#credentials.delete(id);
      else this.#credentials.set(row);
    }
    const rebuiltInbound = new Set<string>();
    for (const id of changed.uris) {
      if (!this.#uris.has(id)) continue;
      const row = uriRows.get(id);
      if (row === undefined) this.#uris.delete(id);
      else this.#uris.set(id, uriTarget(row));
      for (const key of this.#uriUsers.get(id) ?? []) rebuiltInbound.add(key.slice(2));
    }
    // A changed credential cannot change account (the API has no such write), but a credential
    // replaced by one of another account must not keep admitting: rebuild its users' targets.
    const rebuiltTargets = new Set<string>();
    for (const id of changed.credentials)
      for (const key of this.#credentialUsers.get(id) ?? []) rebuiltTargets.add(key);

    // 4. Put in the new rows, loading the pieces they reference.
    for (const r of rows.trunks) {
      this.#removeTrunk(r.trunk_id);
      this.#addTrunk(r, aclContent, credentialRows, uriRows);
    }
    for (const r of rows.applications) {
      this.#removeApplication(r.app_id);
      this.#addApplication(r, aclContent, credentialRows);
    }
    for (const id of rebuiltInbound) {
      const r = this.#trunkRows.get(id);
      if (r !== undefined && r.trunk_direction === 'inbound') this.#inbound.set(id, this.#origination(r));
    }
    for (const key of rebuiltTargets) {
      const id = key.slice(2);
      if (key.startsWith('t:')) {
        const r = this.#trunkRows.get(id);
        if (r !== undefined && r.trunk_direction === 'outbound') this.#trunks.set(id, this.#trunkTarget(r));
      } else {
        const r = this.#appRows.get(id);
        if (r !== undefined) this.#applications.set(id, this.#appTarget(r));
      }
    }
    // The all-ACL matcher's jump table is rebuilt here, in the poll, not on the next request.
    this.#anywhere.prepare();
    this.#version = rows.version;
  }

  // ---- building pieces -----------------------------------------------------------------------

  #addTrunk(
    r: PolicyTrunkRow,
    aclContent: ReadonlyMap<string, ParsedAclEntry[]>,
    credentialRows: ReadonlyMap<string, PolicyCredentialRow>,
    uriRows: ReadonlyMap<string, PolicyUriRow>,
  ): void {
    const key = `t:${r.trunk_id}`;
    this.#trunkRows.set(r.trunk_id, r);
    if (r.trunk_direction === 'inbound') {
      for (const id of [r.primary_uri_uuid, r.fallback_uri_uuid]) {
        if (addUser(this.#uriUsers, id, key) && id !== null) {
          const u = uriRows.get(id);
          if (u !== undefined) this.#uris.set(id, uriTarget(u));
        }
      }
      this.#inbound.set(r.trunk_id, this.#origination(r));
      return;
    }
    this.#useAcl(r.ip_acl_uuid, key, aclContent);
    this.#useCredential(r.credential_uuid, key, credentialRows);
    this.#trunks.set(r.trunk_id, this.#trunkTarget(r));
  }

  #addApplication(
    r: PolicyApplicationRow,
    aclContent: ReadonlyMap<string, ParsedAclEntry[]>,
    credentialRows: ReadonlyMap<string, PolicyCredentialRow>,
  ): void {
    const key = `a:${r.app_id}`;
    this.#appRows.set(r.app_id, r);
    const needs = needsOf(r.sip_auth_type);
    if (needs.ipAcl) this.#useAcl(r.ip_acl_uuid, key, aclContent);
    if (needs.credential) this.#useCredential(r.credential_uuid, key, credentialRows);
    this.#applications.set(r.app_id, this.#appTarget(r));
  }

  #removeTrunk(id: string): void {
    const r = this.#trunkRows.get(id);
    if (r === undefined) return;
    const key = `t:${id}`;
    this.#trunkRows.delete(id);
    this.#trunks.delete(id);
    this.#inbound.delete(id);
    for (const uri of [r.primary_uri_uuid, r.fallback_uri_uuid])
      if (removeUser(this.#uriUsers, uri, key) && uri !== null) this.#uris.delete(uri);
    this.#releaseAcl(r.ip_acl_uuid, key);
    this.#releaseCredential(r.credential_uuid, key);
  }

  #removeApplication(id: string): void {
    const r = this.#appRows.get(id);
    if (r === undefined) return;
    const key = `a:${id}`;
    this.#appRows.delete(id);
    this.#applications.delete(id);
    this.#releaseAcl(r.ip_acl_uuid, key);
    this.#releaseCredential(r.credential_uuid, key);
  }

  #useAcl(id: string | null, key: string, content: ReadonlyMap<string, ParsedAclEntry[]>): void {
    if (!addUser(this.#aclUsers, id, key) || id === null) return;
    const acl = new CompiledAcl(id);
    this.#fillAcl(acl, content.get(id) ?? []);
    this.#acls.set(id, acl);
  }

  #releaseAcl(id: string | null, key: string): void {
    // An application that needs no ACL never registered as a user: removeUser ignores it.
    if (id === null || !this.#aclUsers.get(id)?.has(key)) return;
    if (!removeUser(this.#aclUsers, id, key)) return;
    const acl = this.#acls.get(id);
    if (acl !== undefined) for (const n of acl.replace([])) this.#anywhereRemove(n);
    this.#acls.delete(id);
  }

  #useCredential(id: string | null, key: string, rows: ReadonlyMap<string, PolicyCredentialRow>): void {
    if (!addUser(this.#credentialUsers, id, key) || id === null) return;
    const row = rows.get(id);
    if (row !== undefined) this.#credentials.set(row);
  }

  #releaseCredential(id: string | null, key: string): void {
    if (id === null || !this.#credentialUsers.get(id)?.has(key)) return;
    if (removeUser(this.#credentialUsers, id, key)) this.#credentials.delete(id);
  }

  #fillAcl(acl: CompiledAcl, entries: readonly ParsedAclEntry[]): void {
    const before = acl.replace(entries);
    for (const n of before) this.#anywhereRemove(n);
    for (const e of acl.entries()) this.#anywhere.insert(e.network, (this.#anywhere.get(e.network) ?? 0) + 1);
  }

  #anywhereRemove(n: IpNetwork): void {
    const count = this.#anywhere.get(n) ?? 0;
    if (count <= 1) this.#anywhere.remove(n);
    else this.#anywhere.insert(n, count - 1);
  }

  #aclFor(id: string | null): AclPolicy {
    return (id === null ? undefined : this.#acls.get(id)) ?? MISSING_ACL;
  }

  #credentialFor(id: string | null, accountAuthId: string): string {
    // Only the same account's credential can admit (the schema enforces it; this keeps it so).
    return id !== null && this.#credentials.accountOf(id) === accountAuthId ? id : NO_CREDENTIAL;
  }

  #trunkTarget(t: PolicyTrunkRow): AdmissionTarget {
    return Object.freeze({
      kind: 'trunk',
      id: t.trunk_id,
      accountAuthId: t.account_auth_id,
      name: t.name,
      enabled: t.trunk_status === 'enabled' && t.account_enabled,
      secure: t.secure === 1,
      acl: t.ip_acl_uuid === null ? null : this.#aclFor(t.ip_acl_uuid),
      credentialUuid:
        t.credential_uuid === null ? null : this.#credentialFor(t.credential_uuid, t.account_auth_id),
      cpsLimit: t.cps_limit,
      digestAlgorithms: deserializeDigestAlgorithms(t.digest_algorithms),
    });
  }

  #appTarget(a: PolicyApplicationRow): AdmissionTarget {
    const needs = needsOf(a.sip_auth_type);
    return Object.freeze({
      kind: 'application',
      id: a.app_id,
      accountAuthId: a.account_auth_id,
      name: a.app_name,
      enabled: a.enabled === 1 && a.account_enabled,
      secure: false,
      acl: needs.ipAcl ? this.#aclFor(a.ip_acl_uuid) : null,
      credentialUuid: needs.credential ? this.#credentialFor(a.credential_uuid, a.account_auth_id) : null,
      cpsLimit: null,
      digestAlgorithms: deserializeDigestAlgorithms(a.digest_algorithms),
    });
  }

  #origination(t: PolicyTrunkRow): OriginationPolicy {
    const target = (id: string | null) => (id === null ? null : (this.#uris.get(id) ?? null));
    return Object.freeze({
      trunkId: t.trunk_id,
      accountAuthId: t.account_auth_id,
      enabled: t.trunk_status === 'enabled' && t.account_enabled,
      secure: t.secure === 1,
      cpsLimit: t.cps_limit,
      primary: target(t.primary_uri_uuid),
      fallback: target(t.fallback_uri_uuid),
    });
  }

  // ---- diagnostics ---------------------------------------------------------------------------

  /** Everything the table holds as plain sorted data: two tables are equal iff these are. */
  describe(): PolicyDescription {
    const sorted = <V>(m: Iterable<[string, V]>): [string, V][] =>
      [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const target = (t: AdmissionTarget) => ({
      ...t,
      acl: t.acl === null ? null : t.acl === MISSING_ACL ? '(missing)' : t.acl.ipAclUuid,
    });
    return {
      version: this.#version,
      sipDomain: this.sipDomain,
      trunks: sorted([...this.#trunks].map(([k, v]) => [k, target(v)])),
      applications: sorted([...this.#applications].map(([k, v]) => [k, target(v)])),
      inboundTrunks: sorted(this.#inbound),
      acls: sorted(
        [...this.#acls].map(([k, acl]) => [
          k,
          acl.entries().map((e) => [formatCidr(e.network), e.entryId] as [string, string]),
        ]),
      ),
      credentials: sorted(
        [...this.#credentials.ids()].map((id) => {
          const c = this.#credentials.get(id)!;
          return [
            id,
            {
              accountAuthId: c.accountAuthId,
              username: c.username,
              realm: c.realm,
              ha1: [c.ha1.md5, c.ha1.sha256, c.ha1.sha512_256],
            },
          ];
        }),
      ),
      anywhere: this.#anywhere.entries().map((e) => [formatCidr(e.network), e.value] as [string, number]),
    };
  }

  /** Sizes for logs and the memory benchmark. */
  stats(): { trunks: number; applications: number; acls: number; aclEntries: number; credentials: number } {
    let aclEntries = 0;
    for (const acl of this.#acls.values()) aclEntries += acl.size;
    return {
      trunks: this.#trunks.size + this.#inbound.size,
      applications: this.#applications.size,
      acls: this.#acls.size,
      aclEntries,
      credentials: this.#credentials.size,
    };
  }
}

function uriTarget(u: PolicyUriRow): OriginationTargetPolicy {
  return Object.freeze({
    uriUuid: u.uri_uuid,
    uri: u.uri,
    scheme: u.scheme,
    host: u.host,
    port: u.port,
    transport: u.transport,
  });
}

/** The snapshot for a full set of rows. */
export function buildPolicySnapshot(rows: PolicyRows, sipDomain: string): PolicyTable {
  return PolicyTable.fromRows(rows, sipDomain);
}
