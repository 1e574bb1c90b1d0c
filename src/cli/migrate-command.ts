import { loadConfig } from '../config.ts';
import { openStore } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';

const USAGE = `usage: trunkgate migrate

  Applies every pending database migration (src/store/migrations/) to the configured database —
  PostgreSQL when DATABASE_URL is set, else the SQLite file TRUNKGATE_DB (default
  ./data/trunkgate.db) — and exits. \`trunkgate serve\` applies them at start too.
`;

export async function migrateCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`trunkgate migrate: unexpected argument "${args[0]}"\n\n${USAGE}`);
    return 2;
  }
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
