// Opens the one query layer over either database: better-sqlite3 (embedded default) or pg
// (when DATABASE_URL is set). Everything above this file is dialect-agnostic except the few
// places that ask `store.dialect` (row locks, upserts).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { ImmediateSqliteDialect } from './sqlite-dialect.ts';
import { WriteNotifier } from './write-notifier.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** A short description for logs, without secrets (no password in a URL). */
  describe: string;
  /** Calls its listeners after every write this process makes (src/store/write-notifier.ts). */
  writes: WriteNotifier;
  close(): Promise<void>;
}

export interface StoreOptions {
  sqlitePath: string;
  databaseUrl: string | undefined;
  poolSize?: number;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export function openStore(opts: StoreOptions): Store {
  if (opts.databaseUrl !== undefined) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client erroring (e.g. the server restarted) must not crash the process.
    pool.on('error', () => {});
    const writes = new WriteNotifier();
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [writes] });
    return {
      db,
      writes,
      dialect: 'postgres',
      describe: `postgres ${redactUrl(opts.databaseUrl)}`,
      close: () => db.destroy(),
    };
  }
  let sqlite: SqliteDatabase.Database;
  try {
    if (opts.sqlitePath !== ':memory:') mkdirSync(dirname(opts.sqlitePath), { recursive: true });
    sqlite = new SqliteDatabase(opts.sqlitePath);
    sqlite.pragma('journal_mode = WAL');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot open the SQLite database ${opts.sqlitePath} (check TRUNKGATE_DB): ${reason}`);
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const writes = new WriteNotifier();
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: sqlite }),
    plugins: [writes],
  });
  return { db, writes, dialect: 'sqlite', describe: `sqlite ${opts.sqlitePath}`, close: () => db.destroy() };
}

export async function ping(store: Store): Promise<boolean> {
  try {
    await sql`select 1`.execute(store.db);
    return true;
  } catch {
    return false;
  }
}
