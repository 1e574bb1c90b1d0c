import type { Kysely, Transaction } from 'kysely';
import type { DialectName, Store } from './database.ts';
import type { Database } from './schema.ts';

export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Serialises writers of one account's resources, so that count-then-insert quota checks cannot
 * overshoot. PostgreSQL: a row lock on the account. SQLite: Kysely runs every transaction on its
 * single connection one at a time, and WAL allows one writer, so the transaction itself serialises.
 */
export async function lockAccount(
  trx: Transaction<Database>,
  dialect: DialectName,
  authId: string,
): Promise<boolean> {
  let q = trx.selectFrom('accounts').select('auth_id').where('auth_id', '=', authId);
  if (dialect === 'postgres') q = q.forUpdate();
  return (await q.executeTakeFirst()) !== undefined;
}

/** Every change the SIP edge enforces bumps this counter in the same transaction (see src/sip/policy). */
export async function bumpChangeVersion(trx: Executor): Promise<void> {
  await trx
    .updateTable('change_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

export async function inTransaction<T>(
  store: Store,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const result = await store.db.transaction().execute(fn);
  // The plugin saw the writes before they were committed; tell caches again now that they are.
  store.writes.notify();
  return result;
}
