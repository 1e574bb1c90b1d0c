import type { Kysely } from 'kysely';

// The API IP allowlist and API keys (Bearer tokens).
// Allowlist entries belong to a top-level account; subaccounts inherit the parent's list, so
// nothing here references a subaccount. API keys belong to any account (its own or a subaccount).

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_allowlist_entries')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('account_auth_id', 'text', (c) =>
      c.notNull().references('accounts.auth_id').onDelete('cascade'),
    )
    // Canonical CIDR text (network address, RFC 5952 for IPv6), so equal networks are equal strings.
    .addColumn('cidr', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('api_allowlist_account_cidr_uq', ['account_auth_id', 'cidr'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('account_auth_id', 'text', (c) =>
      c.notNull().references('accounts.auth_id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    // The first characters of the token, for people to tell keys apart; not enough to use it.
    .addColumn('prefix', 'text', (c) => c.notNull())
    // SHA-256 of the whole token, hex. The token itself is never stored.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_account_idx').on('api_keys').column('account_auth_id').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropTable('api_allowlist_entries').execute();
}
