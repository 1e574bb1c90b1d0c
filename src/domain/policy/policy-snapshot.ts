// The admission policy the SIP edge enforces, as one immutable in-memory snapshot built from the
// stored rows (a pure function: the store loads rows, this builds; see
// src/store/repositories/policy-repository.ts). The edge rebuilds it when change_version moves.
//
// A request's target picks the policy (DESIGN.md "SIP edge"): a trunk domain
// `{trunk_id}.{sip_domain}` picks that outbound trunk; `sip:{app_id}@{sip_domain}` the application.
import { NetworkMatcher, parseNetwork } from '../address/index.ts';
import { authNeeds, isSipAuthType, type SipAuthType } from '../application-rules.ts';
import type { DigestAlgorithm } from '../digest/digest-hash.ts';
import { deserializeDigestAlgorithms } from '../digest-algorithm-list.ts';

// ---- rows, as loaded from the store -----------------------------------------------------------

export interface PolicyTrunkRow {
  trunk_id: string;
  account_auth_id: string;
  name: string | null;
  trunk_direction: string;
  trunk_status: string;
  secure: number;
  cps_limit: number | null;
  ip_acl_uuid: string | null;
  credential_uuid: string | null;
  primary_uri_uuid: string | null;
  fallback_uri_uuid: string | null;
  digest_algorithms: string | null;
  /** The trunk's account and, for a subaccount, its parent are both enabled. */
  account_enabled: boolean;
}

export interface PolicyApplicationRow {
  app_id: string;
  account_auth_id: string;
  app_name: string;
  enabled: number;
  sip_auth_type: string;
  ip_acl_uuid: string | null;
  credential_uuid: string | null;
  digest_algorithms: string | null;
  account_enabled: boolean;
}

export interface PolicyAclEntryRow {
  ip_acl_uuid: string;
  entry_id: string;
  /** Canonical network address and prefix, as stored. */
  ip: string;
  cidr_prefix: number;
}

export interface PolicyCredentialRow {
  credential_uuid: string;
  account_auth_id: string;
  username: string;
  realm: string;
}

export interface PolicyUriRow {
  uri_uuid: string;
  uri: string;
  scheme: string;
  host: string;
  port: number | null;
  transport: string | null;
}

export interface PolicyRows {
  /** change_version the rows were read at. */
  version: number;
  trunks: readonly PolicyTrunkRow[];
  applications: readonly PolicyApplicationRow[];
  aclEntries: readonly PolicyAclEntryRow[];
  credentials: readonly PolicyCredentialRow[];
  originationUris: readonly PolicyUriRow[];
}

// ---- the snapshot -----------------------------------------------------------------------------

export interface AclPolicy {
  readonly ipAclUuid: string;
  /** Canonical CIDR text of every entry, in list order (for logs and diagnostics). */
  readonly networks: readonly string[];
  /** Networks → entry_id. Lookup cost depends on address length, not on the number of entries. */
  readonly matcher: NetworkMatcher<string>;
}

export interface CredentialRef {
  readonly credentialUuid: string;
  readonly username: string;
  readonly realm: string;
}

/** What admits a request to one outbound trunk or one application. */
export interface AdmissionPolicy {
  readonly kind: 'trunk' | 'application';
  /** trunk_id or app_id. */
  readonly id: string;
  readonly accountAuthId: string;
  readonly name: string | null;
  /** The trunk/application is enabled and so are its account and the account's parent. */
  readonly enabled: boolean;
  /** The source address must be in `ipAcl`. */
  readonly requireIpAcl: boolean;
  /** A digest credential from `credentials` must be proven. Both flags set: both must pass. */
  readonly requireCredential: boolean;
  readonly ipAcl: AclPolicy | null;
  readonly credentials: readonly CredentialRef[];
  /** Calls per second admitted; null is no limit. */
  readonly cpsLimit: number | null;
  /** Signalling must arrive over TLS (trunk `secure`). */
  readonly secure: boolean;
  /** Algorithms to challenge with, most preferred first; null is the deployment default. */
  readonly digestAlgorithms: readonly DigestAlgorithm[] | null;
}

export interface OriginationTargetPolicy {
  readonly uriUuid: string;
  readonly uri: string;
  readonly scheme: string;
  readonly host: string;
  readonly port: number | null;
  readonly transport: string | null;
}

/** Where an inbound trunk sends calls (us → the customer's PBX). */
export interface OriginationPolicy {
  readonly trunkId: string;
  readonly accountAuthId: string;
  readonly enabled: boolean;
  readonly secure: boolean;
  readonly cpsLimit: number | null;
  readonly primary: OriginationTargetPolicy | null;
  readonly fallback: OriginationTargetPolicy | null;
}

export interface PolicySnapshot {
  readonly version: number;
  /** Lower case, without a trailing dot. */
  readonly sipDomain: string;
  /** Outbound trunks by trunk_id (the label of their trunk domain). */
  readonly trunks: ReadonlyMap<string, AdmissionPolicy>;
  readonly applications: ReadonlyMap<string, AdmissionPolicy>;
  /** Inbound trunks by trunk_id. They admit nothing: calls to them come from the platform. */
  readonly inboundTrunks: ReadonlyMap<string, OriginationPolicy>;
}

/** Thrown when stored rows break an invariant the API guarantees (a bug or manual edits). */
export class PolicyDataError extends Error {
  override readonly name = 'PolicyDataError';
}

/**
 * Builds the snapshot. Every ACL is compiled once into a matcher and shared by the trunks and
 * applications that use it. Anything inconsistent fails closed: an ACL with no entries admits no
 * address, a missing credential leaves `credentials` empty (nothing can prove it).
 */
export function buildPolicySnapshot(rows: PolicyRows, sipDomain: string): PolicySnapshot {
  const acls = new Map<string, { networks: string[]; matcher: NetworkMatcher<string> }>();
  for (const entry of rows.aclEntries) {
    const parsed = parseNetwork(entry.ip, entry.cidr_prefix);
    if (!parsed.ok) throw new PolicyDataError(`ip_acl_entries ${entry.entry_id}: ${parsed.message}`);
    let acl = acls.get(entry.ip_acl_uuid);
    if (acl === undefined) {
      acl = { networks: [], matcher: new NetworkMatcher<string>() };
      acls.set(entry.ip_acl_uuid, acl);
    }
    acl.networks.push(`${entry.ip}/${entry.cidr_prefix}`);
    acl.matcher.insert(parsed.value, entry.entry_id);
  }
  const aclPolicies = new Map<string, AclPolicy>();
  const aclFor = (id: string | null): AclPolicy | null => {
    if (id === null) return null;
    let policy = aclPolicies.get(id);
    if (policy === undefined) {
      const acl = acls.get(id);
      policy = Object.freeze({
        ipAclUuid: id,
        networks: Object.freeze([...(acl?.networks ?? [])]),
        matcher: acl?.matcher ?? new NetworkMatcher<string>(),
      });
      aclPolicies.set(id, policy);
    }
    return policy;
  };

  const credentials = new Map(rows.credentials.map((c) => [c.credential_uuid, c] as const));
  const credentialsFor = (id: string | null, accountAuthId: string): readonly CredentialRef[] => {
    const c = id === null ? undefined : credentials.get(id);
    // Only the same account's credential can admit (the schema enforces it; this keeps it so).
    if (c === undefined || c.account_auth_id !== accountAuthId) return Object.freeze([]);
    return Object.freeze([
      Object.freeze({ credentialUuid: c.credential_uuid, username: c.username, realm: c.realm }),
    ]);
  };

  const uris = new Map(rows.originationUris.map((u) => [u.uri_uuid, u] as const));
  const targetFor = (id: string | null): OriginationTargetPolicy | null => {
    const u = id === null ? undefined : uris.get(id);
    if (u === undefined) return null;
    return Object.freeze({
      uriUuid: u.uri_uuid,
      uri: u.uri,
      scheme: u.scheme,
      host: u.host,
      port: u.port,
      transport: u.transport,
    });
  };

  const trunks = new Map<string, AdmissionPolicy>();
  const inboundTrunks = new Map<string, OriginationPolicy>();
  for (const t of rows.trunks) {
    const enabled = t.trunk_status === 'enabled' && t.account_enabled;
    if (t.trunk_direction === 'inbound') {
      inboundTrunks.set(
        t.trunk_id,
        Object.freeze({
          trunkId: t.trunk_id,
          accountAuthId: t.account_auth_id,
          enabled,
          secure: t.secure === 1,
          cpsLimit: t.cps_limit,
          primary: targetFor(t.primary_uri_uuid),
          fallback: targetFor(t.fallback_uri_uuid),
        }),
      );
      continue;
    }
    if (t.trunk_direction !== 'outbound')
      throw new PolicyDataError(`trunk ${t.trunk_id}: unknown trunk_direction "${t.trunk_direction}"`);
    trunks.set(
      t.trunk_id,
      Object.freeze({
        kind: 'trunk',
        id: t.trunk_id,
        accountAuthId: t.account_auth_id,
        name: t.name,
        enabled,
        requireIpAcl: t.ip_acl_uuid !== null,
        requireCredential: t.credential_uuid !== null,
        ipAcl: aclFor(t.ip_acl_uuid),
        credentials: credentialsFor(t.credential_uuid, t.account_auth_id),
        cpsLimit: t.cps_limit,
        secure: t.secure === 1,
        digestAlgorithms: deserializeDigestAlgorithms(t.digest_algorithms),
      }),
    );
  }

  const applications = new Map<string, AdmissionPolicy>();
  for (const a of rows.applications) {
    if (!isSipAuthType(a.sip_auth_type))
      throw new PolicyDataError(`application ${a.app_id}: unknown sip_auth_type "${a.sip_auth_type}"`);
    const type: SipAuthType = a.sip_auth_type;
    const needs = authNeeds(type);
    applications.set(
      a.app_id,
      Object.freeze({
        kind: 'application',
        id: a.app_id,
        accountAuthId: a.account_auth_id,
        name: a.app_name,
        enabled: a.enabled === 1 && a.account_enabled,
        requireIpAcl: needs.ipAcl,
        requireCredential: needs.credential,
        ipAcl: needs.ipAcl ? aclFor(a.ip_acl_uuid) : null,
        credentials: needs.credential
          ? credentialsFor(a.credential_uuid, a.account_auth_id)
          : Object.freeze([]),
        cpsLimit: null,
        secure: false,
        digestAlgorithms: deserializeDigestAlgorithms(a.digest_algorithms),
      }),
    );
  }

  return Object.freeze({
    version: rows.version,
    sipDomain: sipDomain.toLowerCase().replace(/\.$/, ''),
    trunks,
    applications,
    inboundTrunks,
  });
}
