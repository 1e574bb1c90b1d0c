import { loadConfig } from '../config.ts';
import { openStore } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';

export async function migrateCommand(_args: string[]): Promise<number> {
  const config = loadConfig();
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
  try {
    const { applied } = await migrateToLatest(store);
    process.stdout.write(
      applied.length === 0
        ? `${store.describe}: already up to date\n`
        : `${store.describe}: applied ${applied.join(', ')}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
