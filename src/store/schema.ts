// Table types for the query layer. One definition serves SQLite and PostgreSQL: ids and
// timestamps are text (ISO 8601 UTC), booleans are integers 0/1.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface AccountTable {
  auth_id: string;
  parent_auth_id: string | null;
  name: string;
  enabled: number;
  /** SHA-256 of the auth token, hex. The token itself is never stored. */
  token_hash: string;
  created_at: string;
  updated_at: string;
}

export interface CredentialTable {
  credential_uuid: string;
  account_auth_id: string;
  name: string | null;
  username: string;
  realm: string;
  /** Digest HA1 = H(username:realm:password), hex, per algorithm. The password is never stored. */
  ha1_md5: string;
  ha1_sha256: string;
  ha1_sha512_256: string;
  created_at: string;
  updated_at: string;
}

/** API IP allowlist entry (seed 003). Only top-level accounts have entries; subaccounts inherit. */
export interface ApiAllowlistEntryTable {
  entry_id: string;
  account_auth_id: string;
  /** Canonical CIDR text: network address (RFC 5952 for IPv6) and prefix. */
  cidr: string;
  created_at: string;
  updated_at: string;
}

/** API key (Bearer token). Only a SHA-256 hash of the token is stored. */
export interface ApiKeyTable {
  key_id: string;
  account_auth_id: string;
  name: string;
  /** The token's first characters, for display. */
  prefix: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** IP access control list (seed 000 SIP Auth shape; Zentrunk shape over the same rows). */
export interface IpAclTable {
  ip_acl_uuid: string;
  account_auth_id: string;
  name: string | null;
  created_at: string;
  updated_at: string;
}

/** One network of an IP ACL, stored canonical (host bits clear, IPv4-mapped IPv6 as IPv4). */
export interface IpAclEntryTable {
  entry_id: string;
  ip_acl_uuid: string;
  family: number;
  /** Canonical network address. */
  ip: string;
  cidr_prefix: number;
  /** Canonical `ip/cidr_prefix`; unique per ACL. */
  network: string;
  description: string | null;
  position: number;
  created_at: string;
}

/** Where an inbound trunk sends calls (Zentrunk URI). */
export interface OriginationUriTable {
  uri_uuid: string;
  account_auth_id: string;
  name: string | null;
  /** Canonical SIP URI. */
  uri: string;
  scheme: string;
  host: string;
  port: number | null;
  transport: string | null;
  created_at: string;
  updated_at: string;
}

export interface TrunkTable {
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
  /** JSON list of digest algorithm names, most preferred first; null = deployment default. */
  digest_algorithms: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApplicationTable {
  app_id: string;
  account_auth_id: string;
  app_name: string;
  answer_url: string;
  answer_method: string;
  hangup_url: string | null;
  hangup_method: string;
  fallback_answer_url: string | null;
  fallback_method: string;
  enabled: number;
  sip_auth_type: string;
  ip_acl_uuid: string | null;
  credential_uuid: string | null;
  digest_algorithms: string | null;
  created_at: string;
  updated_at: string;
}

/** Bumped on every change the SIP edge must see; edge nodes poll it (see src/store/change-version.ts). */
export interface ChangeVersionTable {
  id: number;
  version: number;
}

export interface MigrationLockRow {
  id: Generated<string>;
}

/** Outbound SIP provider credentials (seed 002). The password is stored only sealed (AES-256-GCM). */
export interface ProviderCredentialTable {
  id: string;
  /** The owning account (seed 002 `orgId`). */
  org_id: string;
  server: string;
  domain: string | null;
  auth_user: string | null;
  /** Id of the key the password is sealed under; null exactly when there is no password. */
  auth_password_key_id: string | null;
  /** `v1.<keyId>.<nonce>.<ciphertext‖tag>` (src/domain/secrets/secret-box.ts). Never leaves the store. */
  auth_password_ciphertext: string | null;
  transport: string;
  description: string | null;
  cps_limit: number | null;
  cps_key: string | null;
  source: string;
  provider_id: string | null;
  created_at: string;
  updated_at: string;
  /** 1: keep a registration at `server` with the credential; 0: don't. */
  register: number;
  /** Expires (s) asked for in that registration's REGISTERs. */
  register_expires: number;
}

/** The latest registration attempt of a provider credential at its carrier. */
export interface ProviderCredentialRegistrationTable {
  credential_id: string;
  org_id: string;
  /** 1: the carrier accepted (expires_at set); 0: it did not (last_error says why). */
  ok: number;
  expires_at: string | null;
  last_error: string | null;
  attempted_at: string;
}

export interface SettingTable {
  key: string;
  value: string;
  created_at: string;
}

export interface Database {
  accounts: AccountTable;
  credentials: CredentialTable;
  change_version: ChangeVersionTable;
  ip_acls: IpAclTable;
  ip_acl_entries: IpAclEntryTable;
  origination_uris: OriginationUriTable;
  trunks: TrunkTable;
  applications: ApplicationTable;
  api_allowlist_entries: ApiAllowlistEntryTable;
  api_keys: ApiKeyTable;
  provider_credentials: ProviderCredentialTable;
  provider_credential_registrations: ProviderCredentialRegistrationTable;
  settings: SettingTable;
}

export type AccountRow = Selectable<AccountTable>;
export type NewAccountRow = Insertable<AccountTable>;
export type AccountUpdate = Updateable<AccountTable>;
export type CredentialRow = Selectable<CredentialTable>;
export type NewCredentialRow = Insertable<CredentialTable>;
export type ApiAllowlistEntryRow = Selectable<ApiAllowlistEntryTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type IpAclRow = Selectable<IpAclTable>;
export type IpAclEntryRow = Selectable<IpAclEntryTable>;
export type OriginationUriRow = Selectable<OriginationUriTable>;
export type TrunkRow = Selectable<TrunkTable>;
export type ApplicationRow = Selectable<ApplicationTable>;
export type ProviderCredentialRow = Selectable<ProviderCredentialTable>;
export type ProviderCredentialRegistrationRow = Selectable<ProviderCredentialRegistrationTable>;
