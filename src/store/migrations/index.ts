// One ordered set of migrations for both databases. Add a file, then list it here.
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-accounts-and-credentials.ts';
import * as m002 from './002-acls-trunks-applications.ts';
import * as m003 from './003-allowlist-and-api-keys.ts';
import * as m004 from './004-provider-credentials.ts';
import * as m005 from './005-settings.ts';
import * as m008 from './008-provider-credential-registration.ts';

const MIGRATIONS: Record<string, Migration> = {
  '001-accounts-and-credentials': m001,
  '002-acls-trunks-applications': m002,
  '003-allowlist-and-api-keys': m003,
  '004-provider-credentials': m004,
  '005-settings': m005,
  '008-provider-credential-registration': m008,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
