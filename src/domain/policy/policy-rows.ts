// The rows the admission policy is built from, as the store loads them
// (src/store/repositories/policy-repository.ts): a full load, or the delta since a version.

export interface PolicyTrunkRow {
  trunk_id: string;
  account_auth_id: string;
  /** The account's parent (a subaccount's main account); lets an account change find its trunks. */
  parent_auth_id?: string | null;
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
  parent_auth_id?: string | null;
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
  /** Hex digests as stored; the policy keeps them as bytes. */
  ha1_md5: string;
  ha1_sha256: string;
  ha1_sha512_256: string;
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

/**
 * What changed between two versions, with the current rows of everything it names. Read in one
 * consistent transaction, so applying it to a policy at the older version gives the policy at
 * `rows.version` (src/domain/policy/policy-table.ts).
 */
export interface PolicyDelta {
  /** Trunks, applications, ACLs, credentials and URIs named by the change log (any may be gone now). */
  readonly changed: {
    readonly trunks: readonly string[];
    readonly applications: readonly string[];
    /** Accounts whose trunks and applications, and their subaccounts', are all in `rows`. */
    readonly accounts: readonly string[];
    readonly acls: readonly string[];
    readonly credentials: readonly string[];
    readonly uris: readonly string[];
  };
  /**
   * The current rows of the changed trunks and applications (and of the changed accounts' ones),
   * and the ACL entries, credentials and URIs of every changed one and of every one those rows
   * reference.
   */
  readonly rows: PolicyRows;
}
