import type { Kysely } from 'kysely';

// What each change_version step changed: (version, kind, id), written in the same transaction as
// the change (src/store/transaction.ts). Edge nodes read the rows above the version they hold and
// reload only those objects (src/sip/edge/policy-cache.ts) instead of the whole policy.
// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('policy_changes')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('policy_changes').execute();
}
