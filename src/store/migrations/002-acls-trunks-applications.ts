import type { Kysely } from 'kysely';

// IP ACLs with their entries, origination URIs, trunks and applications.
//
// Trunks and applications reference credentials, ACLs and URIs through composite foreign keys
// (account_auth_id, id), so a reference to another account's object cannot be stored even if a
// check above is ever missed. Those keys have no ON DELETE action (NO ACTION, checked at the end
// of the statement): deleting a referenced object fails while a trunk or application uses it —
// the repositories answer 409 before it comes to that — while deleting an account still cascades
// to everything it owns in one statement.

// Kysely migrations take Kysely<any>: they run before the typed schema exists.
// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function up(db: Kysely<any>): Promise<void> {
  // Parent keys for the composite foreign keys below.
  await db.schema
    .createIndex('credentials_account_uuid_uq')
    .on('credentials')
    .columns(['account_auth_id', 'credential_uuid'])
    .unique()
    .execute();

  await db.schema
    .createTable('ip_acls')
    .addColumn('ip_acl_uuid', 'text', (c) => c.primaryKey())
    .addColumn('account_auth_id', 'text', (c) =>
      c.notNull().references('accounts.auth_id').onDelete('cascade'),
    )
    // Nullable: the Zentrunk shape makes the name optional.
    .addColumn('name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('ip_acls_account_uuid_uq', ['account_auth_id', 'ip_acl_uuid'])
    .execute();

  await db.schema
    .createTable('ip_acl_entries')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('ip_acl_uuid', 'text', (c) =>
      c.notNull().references('ip_acls.ip_acl_uuid').onDelete('cascade'),
    )
    // 4 or 6; with ip and cidr_prefix the SIP edge loads a network without reparsing CIDR text.
    .addColumn('family', 'integer', (c) => c.notNull())
    /** Canonical network address (dotted quad; RFC 5952 for IPv6). */
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('cidr_prefix', 'integer', (c) => c.notNull())
    /** Canonical `ip/cidr_prefix`: one spelling per network, so duplicates are a unique violation. */
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    /** Insertion order within the ACL. */
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('ip_acl_entries_acl_network_uq', ['ip_acl_uuid', 'network'])
    .execute();

  await db.schema
    .createTable('origination_uris')
    .addColumn('uri_uuid', 'text', (c) => c.primaryKey())
    .addColumn('account_auth_id', 'text', (c) =>
      c.notNull().references('accounts.auth_id').onDelete('cascade'),
    )
    .addColumn('name', 'text')
    /** Canonical SIP URI, e.g. `sip:pbx.example.com:5060;transport=tcp`. */
    .addColumn('uri', 'text', (c) => c.notNull())
    // The parts the SIP edge routes on.
    .addColumn('scheme', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer')
    .addColumn('transport', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('origination_uris_account_uuid_uq', ['account_auth_id', 'uri_uuid'])
    .execute();

  await db.schema
    .createTable('trunks')
    .addColumn('trunk_id', 'text', (c) => c.primaryKey())
    .addColumn('account_auth_id', 'text', (c) =>
      c.notNull().references('accounts.auth_id').onDelete('cascade'),
    )
    .addColumn('name', 'text')
    .addColumn('trunk_direction', 'text', (c) => c.notNull())
    .addColumn('trunk_status', 'text', (c) => c.notNull())
    .addColumn('secure', 'integer', (c) => c.notNull())
    .addColumn('cps_limit', 'double precision')
    .addColumn('ip_acl_uuid', 'text')
    .addColumn('credential_uuid', 'text')
    .addColumn('primary_uri_uuid', 'text')
    .addColumn('fallback_uri_uuid', 'text')
    /** JSON list such as ["SHA-256","MD5"], most preferred first; null = the deployment default. */
    .addColumn('digest_algorithms', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('trunks_ip_acl_fk', ['account_auth_id', 'ip_acl_uuid'], 'ip_acls', [
      'account_auth_id',
      'ip_acl_uuid',
    ])
    .addForeignKeyConstraint('trunks_credential_fk', ['account_auth_id', 'credential_uuid'], 'credentials', [
      'account_auth_id',
      'credential_uuid',
    ])
    .addForeignKeyConstraint(
      'trunks_primary_uri_fk',
      ['account_auth_id', 'primary_uri_uuid'],
      'origination_uris',
      ['account_auth_id', 'uri_uuid'],
    )
    .addForeignKeyConstraint(
      'trunks_fallback_uri_fk',
      ['account_auth_id', 'fallback_uri_uuid'],
      'origination_uris',
      ['account_auth_id', 'uri_uuid'],
    )
    .execute();

  await db.schema
    .createTable('applications')
    .addColumn('app_id', 'text', (c) => c.primaryKey())
    .addColumn('account_auth_id', 'text', (c) =>
      c.notNull().references('accounts.auth_id').onDelete('cascade'),
    )
    .addColumn('app_name', 'text', (c) => c.notNull())
    .addColumn('answer_url', 'text', (c) => c.notNull())
    .addColumn('answer_method', 'text', (c) => c.notNull())
    .addColumn('hangup_url', 'text')
    .addColumn('hangup_method', 'text', (c) => c.notNull())
    .addColumn('fallback_answer_url', 'text')
    .addColumn('fallback_method', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('sip_auth_type', 'text', (c) => c.notNull())
    .addColumn('ip_acl_uuid', 'text')
    .addColumn('credential_uuid', 'text')
    .addColumn('digest_algorithms', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('applications_ip_acl_fk', ['account_auth_id', 'ip_acl_uuid'], 'ip_acls', [
      'account_auth_id',
      'ip_acl_uuid',
    ])
    .addForeignKeyConstraint(
      'applications_credential_fk',
      ['account_auth_id', 'credential_uuid'],
      'credentials',
      ['account_auth_id', 'credential_uuid'],
    )
    .execute();

  // Listing by account, and finding the users of an object (in-use checks, FK checks on delete).
  const indexes: [string, string, string[]][] = [
    ['ip_acls_account_idx', 'ip_acls', ['account_auth_id', 'created_at']],
    ['ip_acl_entries_acl_idx', 'ip_acl_entries', ['ip_acl_uuid', 'position']],
    ['origination_uris_account_idx', 'origination_uris', ['account_auth_id', 'created_at']],
    ['trunks_account_idx', 'trunks', ['account_auth_id', 'created_at']],
    ['trunks_ip_acl_idx', 'trunks', ['account_auth_id', 'ip_acl_uuid']],
    ['trunks_credential_idx', 'trunks', ['account_auth_id', 'credential_uuid']],
    ['trunks_primary_uri_idx', 'trunks', ['account_auth_id', 'primary_uri_uuid']],
    ['trunks_fallback_uri_idx', 'trunks', ['account_auth_id', 'fallback_uri_uuid']],
    ['applications_account_idx', 'applications', ['account_auth_id', 'created_at']],
    ['applications_ip_acl_idx', 'applications', ['account_auth_id', 'ip_acl_uuid']],
    ['applications_credential_idx', 'applications', ['account_auth_id', 'credential_uuid']],
  ];
  for (const [name, table, columns] of indexes) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('applications').execute();
  await db.schema.dropTable('trunks').execute();
  await db.schema.dropTable('origination_uris').execute();
  await db.schema.dropTable('ip_acl_entries').execute();
  await db.schema.dropTable('ip_acls').execute();
  await db.schema.dropIndex('credentials_account_uuid_uq').execute();
}
