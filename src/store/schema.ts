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

/** Bumped on every change the SIP edge must see; edge nodes poll it (see src/store/change-version.ts). */
export interface ChangeVersionTable {
  id: number;
  version: number;
}

export interface MigrationLockRow {
  id: Generated<string>;
}

export interface Database {
  accounts: AccountTable;
  credentials: CredentialTable;
  change_version: ChangeVersionTable;
}

export type AccountRow = Selectable<AccountTable>;
export type NewAccountRow = Insertable<AccountTable>;
export type AccountUpdate = Updateable<AccountTable>;
export type CredentialRow = Selectable<CredentialTable>;
export type NewCredentialRow = Insertable<CredentialTable>;
