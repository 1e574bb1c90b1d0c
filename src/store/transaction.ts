import type { Kysely, Transaction } from 'kysely';
import type { PolicyChange } from '../domain/policy/policy-change.ts';
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

/**
 * Every change the SIP edge enforces bumps this counter in the same transaction and logs what it
 * changed under the new version, so readers can reload just that object (src/sip/edge/policy-cache.ts).
 * The counter row is locked by the update until commit, so versions commit in order and a reader
 * that sees version v also sees every change log row up to v.
 */
export async function bumpChangeVersion(trx: Executor, change: PolicyChange): Promise<void> {
  const { version } = await trx
    .updateTable('change_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .returning('version')
    .executeTakeFirstOrThrow();
  const v = Number(version);
  await trx.insertInto('policy_changes').values({ version: v, kind: change.kind, id: change.id }).execute();
  // Keep the log bounded; a reader further behind than this reloads everything.
  if (v % CHANGE_LOG_PRUNE_EVERY === 0)
    await trx
      .deleteFrom('policy_changes')
      .where('version', '<=', v - CHANGE_LOG_KEEP)
      .execute();
}

/** Change log rows kept; see bumpChangeVersion. */
export const CHANGE_LOG_KEEP = 100_000;
const CHANGE_LOG_PRUNE_EVERY = 1000;

export function inTransaction<T>(store: Store, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(fn);
}
