import { type Kysely, sql } from 'kysely';

// Calls to customers' PBXs (inbound trunks): the origination list of each trunk, the health its
// prober records per URI, and the per-URI TLS verification opt-out.
//
// trunk_origination_uris holds the whole list; trunks.primary_uri_uuid/fallback_uri_uuid stay
// as the URIs at priorities 10 and 20 (src/domain/trunk-rules.ts) so the Plivo filters and the
// SIP edge's policy snapshot keep reading them. The composite foreign key makes a list entry
// naming another account's URI unstorable; it has no ON DELETE action, like trunks' own URI keys
// (migration 002), so deleting a URI still listed fails while account deletion cascades.
// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trunk_origination_uris')
    .addColumn('trunk_id', 'text', (c) => c.notNull().references('trunks.trunk_id').onDelete('cascade'))
    .addColumn('account_auth_id', 'text', (c) => c.notNull())
    .addColumn('uri_uuid', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('weight', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('trunk_origination_uris_pk', ['trunk_id', 'uri_uuid'])
    .addForeignKeyConstraint(
      'trunk_origination_uris_uri_fk',
      ['account_auth_id', 'uri_uuid'],
      'origination_uris',
      ['account_auth_id', 'uri_uuid'],
      // Checked at commit: deleting an account removes its URIs and (through trunks) these rows
      // in cascades PostgreSQL runs in no guaranteed order.
      (fk) => fk.deferrable().initiallyDeferred(),
    )
    .execute();
  // "Which trunks use this URI?" before a URI is deleted.
  await db.schema
    .createIndex('trunk_origination_uris_uri_idx')
    .on('trunk_origination_uris')
    .columns(['account_auth_id', 'uri_uuid'])
    .execute();

  // Trunks stored before this migration: their primary and fallback become list entries.
  await sql`INSERT INTO trunk_origination_uris (trunk_id, account_auth_id, uri_uuid, priority, weight)
    SELECT trunk_id, account_auth_id, primary_uri_uuid, 10, 10 FROM trunks
    WHERE trunk_direction = 'inbound' AND primary_uri_uuid IS NOT NULL`.execute(db);
  await sql`INSERT INTO trunk_origination_uris (trunk_id, account_auth_id, uri_uuid, priority, weight)
    SELECT trunk_id, account_auth_id, fallback_uri_uuid, 20, 10 FROM trunks
    WHERE trunk_direction = 'inbound' AND fallback_uri_uuid IS NOT NULL
      AND fallback_uri_uuid <> primary_uri_uuid`.execute(db);

  // Written by the OPTIONS prober (one node of a cluster probes; every node reads the result).
  await db.schema
    .createTable('origination_uri_health')
    .addColumn('uri_uuid', 'text', (c) =>
      c.primaryKey().references('origination_uris.uri_uuid').onDelete('cascade'),
    )
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('last_checked', 'text')
    .addColumn('last_error', 'text')
    .execute();

  // 1: verify the PBX's TLS certificate; 0: the customer opted out (a self-signed PBX).
  await db.schema
    .alterTable('origination_uris')
    .addColumn('tls_verify', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('origination_uris').dropColumn('tls_verify').execute();
  await db.schema.dropTable('origination_uri_health').execute();
  await db.schema.dropTable('trunk_origination_uris').execute();
}
