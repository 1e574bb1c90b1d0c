// One ordered set of migrations for both databases. Add a file, then list it here.
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-accounts-and-credentials.ts';

const MIGRATIONS: Record<string, Migration> = {
  '001-accounts-and-credentials': m001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
