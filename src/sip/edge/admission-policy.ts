// What the edge needs to know to admit a request, as an immutable in-memory snapshot built from
// the database (see policy-loader.ts). Lookups are O(1) maps plus radix-trie address matches.
import type { IpAddress } from '../../domain/address/index.ts';
import type { DigestAlgorithm, Ha1Set } from '../../domain/digest/digest-hash.ts';

export interface AddressMatcher {
  /** `address` is a normalised IPv4 or IPv6 literal. */
  contains(address: IpAddress): boolean;
}

export interface AdmissionTarget {
  kind: 'trunk' | 'application';
  /** trunk_id or app_id */
  id: string;
  accountAuthId: string;
  enabled: boolean;
  /** Trunk `secure`: signalling must arrive over TLS. */
  secure: boolean;
  /** null: no IP check. */
  acl: AddressMatcher | null;
  /** null: no digest check. Otherwise the one credential that may authenticate. */
  credentialUuid: string | null;
  cpsLimit: number | null;
  /** Offered algorithms, most preferred first; null: the deployment default. */
  digestAlgorithms: readonly DigestAlgorithm[] | null;
}

export interface CredentialEntry {
  credentialUuid: string;
  accountAuthId: string;
  username: string;
  realm: string;
  ha1: Ha1Set;
}

export interface PolicySnapshot {
  readonly version: number;
  trunkByDomain(host: string): AdmissionTarget | undefined;
  application(appId: string): AdmissionTarget | undefined;
  credential(credentialUuid: string): CredentialEntry | undefined;
  /** Whether any enabled target's ACL admits this address (OPTIONS pings to the edge itself). */
  admittedAnywhere(address: IpAddress): boolean;
}

export const EMPTY_POLICY: PolicySnapshot = {
  version: -1,
  trunkByDomain: () => undefined,
  application: () => undefined,
  credential: () => undefined,
  admittedAnywhere: () => false,
};
