// Kysely's SQLite dialect with write transactions that start IMMEDIATE. A deferred transaction
// takes the write lock only at its first write; if another process wrote since its first read,
// SQLite returns SQLITE_BUSY at once without calling the busy handler, since waiting could deadlock
// (https://www.sqlite.org/lang_transaction.html, "BEGIN IMMEDIATE"; https://www.sqlite.org/wal.html
// §2.2). Taking the lock at BEGIN makes a second process wait up to busy_timeout instead.
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type TransactionSettings,
} from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    // A transaction declared read only needs no write lock; it reads one WAL snapshot.
    const begin = settings?.accessMode === 'read only' ? 'begin deferred' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
