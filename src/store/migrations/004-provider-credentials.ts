import { type Kysely, sql } from 'kysely';

// Outbound SIP provider credentials (docs/glossary.md "Provider credential"). The password is stored only sealed
// (src/domain/secrets/secret-box.ts: `v1.<keyId>.<nonce>.<ciphertext‖tag>`); its key id is kept in
// its own column as well so key rotation and the start-up key check can find rows by key.
// cps_limit is `double precision` (8-byte IEEE on both databases; SQLite gives the type REAL
// affinity), so a fractional limit such as 0.1 round-trips exactly — PostgreSQL `real` would not.
// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('provider_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('accounts.auth_id').onDelete('cascade'))
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('domain', 'text')
    .addColumn('auth_user', 'text')
    .addColumn('auth_password_key_id', 'text')
    .addColumn('auth_password_ciphertext', 'text')
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('cps_limit', 'double precision')
    .addColumn('cps_key', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('provider_credentials_transport_ck', sql`transport in ('udp', 'tcp', 'tls')`)
    .addCheckConstraint(
      'provider_credentials_source_ck',
      sql`(source = 'manual' and provider_id is null) or (source = 'provider' and provider_id is not null)`,
    )
    .addCheckConstraint('provider_credentials_cps_limit_ck', sql`cps_limit is null or cps_limit > 0`)
    .addCheckConstraint(
      'provider_credentials_password_ck',
      sql`(auth_password_key_id is null) = (auth_password_ciphertext is null)`,
    )
    .execute();
  await db.schema
    .createIndex('provider_credentials_org_created_idx')
    .on('provider_credentials')
    .columns(['org_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('provider_credentials_org_cps_key_idx')
    .on('provider_credentials')
    .columns(['org_id', 'cps_key'])
    .execute();
  await db.schema
    .createIndex('provider_credentials_key_id_idx')
    .on('provider_credentials')
    .columns(['auth_password_key_id', 'id'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('provider_credentials').execute();
}
