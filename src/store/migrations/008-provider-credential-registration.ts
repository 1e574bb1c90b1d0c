import { type Kysely, sql } from 'kysely';

// Registration at the carrier for outbound SIP provider credentials (README.md "Calls to carriers
// (provider credentials)"): whether a credential asks for one (`register`, 0/1 as every boolean
// here) and for how long (`register_expires`, seconds, RFC 3261 §10.2.1 Expires), and the outcome
// of the latest attempt, one row per credential, written by whatever keeps the registration
// (src/store/repositories/provider-credential-repository.ts recordRegistrationAttempt).
// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('provider_credentials')
    .addColumn('register', 'integer', (c) => c.notNull().defaultTo(0).check(sql`register in (0, 1)`))
    .execute();
  await db.schema
    .alterTable('provider_credentials')
    .addColumn('register_expires', 'integer', (c) =>
      c.notNull().defaultTo(3600).check(sql`register_expires between 60 and 86400`),
    )
    .execute();
  await db.schema
    .createTable('provider_credential_registrations')
    .addColumn('credential_id', 'text', (c) =>
      c.primaryKey().references('provider_credentials.id').onDelete('cascade'),
    )
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addCheckConstraint(
      'provider_credential_registrations_outcome_ck',
      sql`(ok = 1 and expires_at is not null and last_error is null) or (ok = 0 and expires_at is null and last_error is not null)`,
    )
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migration API
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('provider_credential_registrations').execute();
  await db.schema.alterTable('provider_credentials').dropColumn('register_expires').execute();
  await db.schema.alterTable('provider_credentials').dropColumn('register').execute();
}
