// A fresh database per test suite, for every configured dialect (kysely's habit: the same
// integration suite runs once per database). PostgreSQL is required under CI; elsewhere it is
// used when reachable.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DialectName, openStore, type Store } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

export const PG_ADMIN_URL =
  process.env['TRUNKGATE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function requestedDialects(): DialectName[] {
  const raw = process.env['TRUNKGATE_TEST_DIALECTS'] ?? 'sqlite,postgres';
  return raw.split(',').map((s) => s.trim()) as DialectName[];
}

/** The dialects this run covers. Under CI a missing PostgreSQL is an error, never a silent skip. */
export const DIALECTS: DialectName[] = await (async () => {
  const wanted = requestedDialects();
  if (!wanted.includes('postgres')) return wanted;
  if (await postgresReachable()) return wanted;
  if (process.env['CI']) {
    throw new Error(
      `PostgreSQL is required under CI but ${PG_ADMIN_URL.replace(/:[^:@/]*@/, ':***@')} is unreachable`,
    );
  }
  process.stderr.write(`# PostgreSQL unreachable at ${PG_ADMIN_URL}: running the SQLite suite only\n`);
  return wanted.filter((d) => d !== 'postgres');
})();

export interface TestDatabase {
  dialect: DialectName;
  sqlitePath: string;
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

/** Creates an empty database (not migrated). */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'trunkgate-test-'));
    return {
      dialect,
      sqlitePath: join(dir, 'test.db'),
      databaseUrl: undefined,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `tg_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    sqlitePath: ':memory:',
    databaseUrl: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function createTestStore(
  dialect: DialectName,
): Promise<{ store: Store; db: TestDatabase; close(): Promise<void> }> {
  const db = await createTestDatabase(dialect);
  const store = openStore({ sqlitePath: db.sqlitePath, databaseUrl: db.databaseUrl });
  await migrateToLatest(store);
  return {
    store,
    db,
    close: async () => {
      await store.close();
      await db.drop();
    },
  };
}
