import type { Kysely } from 'kysely';

// Kysely migrations take Kysely<any>: they run before the typed schema exists.
// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('auth_id', 'text', (c) => c.primaryKey())
    .addColumn('parent_auth_id', 'text', (c) => c.references('accounts.auth_id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accounts_parent_idx').on('accounts').column('parent_auth_id').execute();

  await db.schema
    .createTable('credentials')
    .addColumn('credential_uuid', 'text', (c) => c.primaryKey())
    .addColumn('account_auth_id', 'text', (c) =>
      c.notNull().references('accounts.auth_id').onDelete('cascade'),
    )
    .addColumn('name', 'text')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('realm', 'text', (c) => c.notNull())
    .addColumn('ha1_md5', 'text', (c) => c.notNull())
    .addColumn('ha1_sha256', 'text', (c) => c.notNull())
    .addColumn('ha1_sha512_256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('credentials_account_username_uq', ['account_auth_id', 'username'])
    .execute();

  await db.schema
    .createTable('change_version')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('change_version').values({ id: 1, version: 0 }).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('change_version').execute();
  await db.schema.dropTable('credentials').execute();
  await db.schema.dropTable('accounts').execute();
}
