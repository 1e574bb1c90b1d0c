import type { Kysely } from 'kysely';

// Deployment-wide settings shared by every node, e.g. the edge's HMAC secret when
// TRUNKGATE_CLUSTER_SECRET is not set (so nodes sharing a database share nonces without setup).
// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('settings').execute();
}
