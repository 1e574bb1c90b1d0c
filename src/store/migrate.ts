import { Migrator } from 'kysely';
import type { Store } from './database.ts';
import { migrationProvider } from './migrations/index.ts';

export interface MigrateOutcome {
  applied: string[];
}

/** Applies every pending migration; throws (with the failing migration's name) on error. */
export async function migrateToLatest(store: Store): Promise<MigrateOutcome> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const reason = error instanceof Error ? error.message : String(error);
    if (failed === undefined) {
      // No migration ran: the database itself could not be reached or read.
      const variable = store.dialect === 'postgres' ? 'DATABASE_URL' : 'TRUNKGATE_DB';
      throw new Error(`cannot use the database ${store.describe} (check ${variable}): ${reason}`);
    }
    throw new Error(`migration ${failed.migrationName} failed: ${reason}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
