import { sql } from 'kysely';
import type { AccountKind } from '../../domain/account-identity.ts';
import { generateAuthId, generateAuthToken, hashToken } from '../../domain/account-identity.ts';
import { isUniqueViolation } from '../constraint-errors.ts';
import type { Store } from '../database.ts';
import type { AccountRow } from '../schema.ts';
import { bumpChangeVersion, inTransaction } from '../transaction.ts';

export interface CreatedAccount {
  row: AccountRow;
  /** Shown once, never stored. */
  authToken: string;
}

/** pg_advisory_xact_lock key for creating the first account ("trunkgat" as a 64-bit integer). */
const FIRST_ACCOUNT_LOCK = '8390898172853444980';

function now(): string {
  return new Date().toISOString();
}

export class AccountRepository {
  constructor(private readonly store: Store) {}

  async findById(authId: string): Promise<AccountRow | undefined> {
    return this.store.db.selectFrom('accounts').selectAll().where('auth_id', '=', authId).executeTakeFirst();
  }

  async count(): Promise<number> {
    const r = await this.store.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async createTopLevel(name: string, authId?: string, authToken?: string): Promise<CreatedAccount> {
    const token = authToken ?? generateAuthToken();
    const row: AccountRow = {
      auth_id: authId ?? generateAuthId('account'),
      parent_auth_id: null,
      name,
      enabled: 1,
      token_hash: hashToken(token),
      created_at: now(),
      updated_at: now(),
    };
    await this.store.db.insertInto('accounts').values(row).execute();
    return { row, authToken: token };
  }

  /**
   * Creates a top-level account with a chosen id, unless that id exists already. Several nodes
   * starting at once against one PostgreSQL database all get here; only one inserts.
   */
  async createTopLevelIfAbsent(name: string, authId: string, authToken: string): Promise<boolean> {
    try {
      await this.createTopLevel(name, authId, authToken);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /**
   * Creates a generated top-level account only when the database has no account at all, under a
   * lock so that nodes starting together create (and print) exactly one.
   */
  async createFirstAccount(name: string): Promise<CreatedAccount | undefined> {
    return inTransaction(this.store, async (trx) => {
      // SQLite: Kysely runs transactions one at a time on its single connection.
      if (this.store.dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK})`.execute(trx);
      const { n } = await trx
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(n) > 0) return undefined;
      const token = generateAuthToken();
      const ts = now();
      const row: AccountRow = {
        auth_id: generateAuthId('account'),
        parent_auth_id: null,
        name,
        enabled: 1,
        token_hash: hashToken(token),
        created_at: ts,
        updated_at: ts,
      };
      await trx.insertInto('accounts').values(row).execute();
      return { row, authToken: token };
    });
  }

  async setToken(authId: string, token: string): Promise<void> {
    await this.store.db
      .updateTable('accounts')
      .set({ token_hash: hashToken(token), updated_at: now() })
      .where('auth_id', '=', authId)
      .execute();
  }

  async createSubaccount(parentAuthId: string, name: string, enabled: boolean): Promise<CreatedAccount> {
    const token = generateAuthToken();
    const kind: AccountKind = 'subaccount';
    const ts = now();
    const row: AccountRow = {
      auth_id: generateAuthId(kind),
      parent_auth_id: parentAuthId,
      name,
      enabled: enabled ? 1 : 0,
      token_hash: hashToken(token),
      created_at: ts,
      updated_at: ts,
    };
    await this.store.db.insertInto('accounts').values(row).execute();
    return { row, authToken: token };
  }

  async listSubaccounts(
    parentAuthId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: AccountRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.store.db
        .selectFrom('accounts')
        .selectAll()
        .where('parent_auth_id', '=', parentAuthId)
        .orderBy('created_at', 'desc')
        .orderBy('auth_id')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.store.db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('parent_auth_id', '=', parentAuthId)
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  async updateSubaccount(authId: string, patch: { name?: string; enabled?: boolean }): Promise<void> {
    await inTransaction(this.store, async (trx) => {
      await trx
        .updateTable('accounts')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
          updated_at: now(),
        })
        .where('auth_id', '=', authId)
        .execute();
      // A disabled account's trunks and credentials stop admitting SIP traffic.
      if (patch.enabled !== undefined) await bumpChangeVersion(trx, { kind: 'account', id: authId });
    });
  }

  /** Deletes the subaccount; foreign keys cascade to everything it owns. */
  async deleteSubaccount(authId: string): Promise<boolean> {
    return inTransaction(this.store, async (trx) => {
      const r = await trx.deleteFrom('accounts').where('auth_id', '=', authId).executeTakeFirst();
      await bumpChangeVersion(trx, { kind: 'account', id: authId });
      return Number(r.numDeletedRows) > 0;
    });
  }
}
