// The one admission model: what the SIP edge needs to admit a request to a trunk or an
// application, and the snapshot it looks targets up in. Built and kept current by
// src/domain/policy/policy-table.ts; the edge imports it through src/sip/edge/admission-policy.ts.
import type { IpAddress } from '../address/index.ts';
import type { DigestAlgorithm, Ha1Set } from '../digest/digest-hash.ts';

export interface AddressMatcher {
  /** `address` is a normalised IPv4 or IPv6 address (IPv4-mapped IPv6 counts as IPv4). */
  contains(address: IpAddress): boolean;
}

/** One IP ACL, compiled; shared by every trunk and application that uses it. */
export interface AclPolicy extends AddressMatcher {
  readonly ipAclUuid: string;
  /** entry_id of the most specific entry containing the address. */
  lookup(address: IpAddress): string | undefined;
  /** Canonical CIDR text of every entry, IPv4 first, each family in address order (diagnostics). */
  networks(): string[];
  readonly size: number;
}

/** What admits a request to one outbound trunk or one application. */
export interface AdmissionTarget {
  readonly kind: 'trunk' | 'application';
  /** trunk_id or app_id. */
  readonly id: string;
  readonly accountAuthId: string;
  readonly name: string | null;
  /** The trunk/application is enabled and so are its account and the account's parent. */
  readonly enabled: boolean;
  /** Trunk `secure`: signalling must arrive over TLS. */
  readonly secure: boolean;
  /** null: no IP check. A required ACL that is missing or empty admits no address. */
  readonly acl: AclPolicy | null;
  /**
   * null: no digest check. Otherwise the one credential that may authenticate; a credential that
   * is missing or belongs to another account is replaced by an id nothing has (fails closed).
   */
  readonly credentialUuid: string | null;
  /** Calls per second admitted; null is no limit. */
  readonly cpsLimit: number | null;
  /** Offered algorithms, most preferred first; null: the deployment default. */
  readonly digestAlgorithms: readonly DigestAlgorithm[] | null;
}

export interface CredentialEntry {
  readonly credentialUuid: string;
  readonly accountAuthId: string;
  readonly username: string;
  readonly realm: string;
  readonly ha1: Ha1Set;
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

/**
 * What the edge reads per request. A request's target picks the policy: a trunk domain
 * `{trunk_id}.{sip_domain}` picks that outbound trunk; `sip:{app_id}@{sip_domain}` the application.
 */
export interface PolicySnapshot {
  /** change_version the policy reflects; -1 before the first load. */
  readonly version: number;
  trunkByDomain(host: string): AdmissionTarget | undefined;
  application(appId: string): AdmissionTarget | undefined;
  credential(credentialUuid: string): CredentialEntry | undefined;
  /** Whether any referenced ACL admits this address (OPTIONS pings to the edge itself). */
  admittedAnywhere(address: IpAddress): boolean;
  /** Inbound trunks admit nothing: calls to them come from the platform. */
  inboundTrunk(trunkId: string): OriginationPolicy | undefined;
}

export const EMPTY_POLICY: PolicySnapshot = Object.freeze({
  version: -1,
  trunkByDomain: () => undefined,
  application: () => undefined,
  credential: () => undefined,
  admittedAnywhere: () => false,
  inboundTrunk: () => undefined,
});
