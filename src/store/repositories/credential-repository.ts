import { randomUUID } from 'node:crypto';
import { computeAllHa1 } from '../../domain/digest/digest-hash.ts';
import { isUniqueViolation } from '../constraint-errors.ts';
import type { Store } from '../database.ts';
import type { CredentialRow } from '../schema.ts';
import { bumpChangeVersion, inTransaction, lockAccount } from '../transaction.ts';
import { type DeleteOutcome, deleteUnlessInUse } from './references.ts';

export type CredentialView = Omit<CredentialRow, 'ha1_md5' | 'ha1_sha256' | 'ha1_sha512_256'>;

/** Columns that leave the store for the API: never the hashes. */
const PUBLIC_COLUMNS = [
  'credential_uuid',
  'account_auth_id',
  'name',
  'username',
  'realm',
  'created_at',
  'updated_at',
] as const;

export type CreateCredentialOutcome =
  | { kind: 'ok'; credential: CredentialView }
  | { kind: 'quota_exceeded'; limit: number }
  | { kind: 'duplicate_username' }
  | { kind: 'account_gone' };

export type UpdateCredentialOutcome =
  | { kind: 'ok'; credential: CredentialView }
  | { kind: 'not_found' }
  | { kind: 'duplicate_username' };

export class CredentialRepository {
  constructor(private readonly store: Store) {}

  async create(
    accountAuthId: string,
    input: { name: string | null; username: string; realm: string; password: string },
    quota: number,
  ): Promise<CreateCredentialOutcome> {
    const ha1 = computeAllHa1(input.username, input.realm, input.password);
    const ts = new Date().toISOString();
    const row: CredentialRow = {
      credential_uuid: randomUUID(),
      account_auth_id: accountAuthId,
      name: input.name,
      username: input.username,
      realm: input.realm,
      ha1_md5: ha1.md5,
      ha1_sha256: ha1.sha256,
      ha1_sha512_256: ha1.sha512_256,
      created_at: ts,
      updated_at: ts,
    };
    try {
      return await inTransaction(this.store, async (trx) => {
        if (!(await lockAccount(trx, this.store.dialect, accountAuthId)))
          return { kind: 'account_gone' as const };
        const { n } = await trx
          .selectFrom('credentials')
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .where('account_auth_id', '=', accountAuthId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= quota) return { kind: 'quota_exceeded' as const, limit: quota };
        await trx.insertInto('credentials').values(row).execute();
        await bumpChangeVersion(trx, { kind: 'credential', id: row.credential_uuid });
        const { ha1_md5: _a, ha1_sha256: _b, ha1_sha512_256: _c, ...view } = row;
        return { kind: 'ok' as const, credential: view };
      });
    } catch (err) {
      if (isUniqueViolation(err)) return { kind: 'duplicate_username' };
      throw err;
    }
  }

  async find(accountAuthId: string, credentialUuid: string): Promise<CredentialView | undefined> {
    return this.store.db
      .selectFrom('credentials')
      .select(PUBLIC_COLUMNS)
      .where('account_auth_id', '=', accountAuthId)
      .where('credential_uuid', '=', credentialUuid)
      .executeTakeFirst();
  }

  async list(
    accountAuthId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: CredentialView[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.store.db
        .selectFrom('credentials')
        .select(PUBLIC_COLUMNS)
        .where('account_auth_id', '=', accountAuthId)
        .orderBy('created_at', 'desc')
        .orderBy('credential_uuid')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.store.db
        .selectFrom('credentials')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('account_auth_id', '=', accountAuthId)
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /**
   * Applies a change. A new password (with the new or current username) recomputes every HA1;
   * the caller guarantees a username change carries a password (the hashes bind both).
   */
  async update(
    accountAuthId: string,
    credentialUuid: string,
    patch: { name?: string | null; username?: string; password?: string },
  ): Promise<UpdateCredentialOutcome> {
    try {
      return await inTransaction(this.store, async (trx) => {
        const current = await trx
          .selectFrom('credentials')
          .select(['username', 'realm'])
          .where('account_auth_id', '=', accountAuthId)
          .where('credential_uuid', '=', credentialUuid)
          .executeTakeFirst();
        if (current === undefined) return { kind: 'not_found' as const };
        const username = patch.username ?? current.username;
        const set: Partial<CredentialRow> = { updated_at: new Date().toISOString() };
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.username !== undefined) set.username = patch.username;
        if (patch.password !== undefined) {
          const ha1 = computeAllHa1(username, current.realm, patch.password);
          set.ha1_md5 = ha1.md5;
          set.ha1_sha256 = ha1.sha256;
          set.ha1_sha512_256 = ha1.sha512_256;
        }
        await trx
          .updateTable('credentials')
          .set(set)
          .where('account_auth_id', '=', accountAuthId)
          .where('credential_uuid', '=', credentialUuid)
          .execute();
        if (patch.username !== undefined || patch.password !== undefined)
          await bumpChangeVersion(trx, {
            kind: 'credential',
            id: credentialUuid,
          });
        const credential = await trx
          .selectFrom('credentials')
          .select(PUBLIC_COLUMNS)
          .where('credential_uuid', '=', credentialUuid)
          .executeTakeFirstOrThrow();
        return { kind: 'ok' as const, credential };
      });
    } catch (err) {
      if (isUniqueViolation(err)) return { kind: 'duplicate_username' };
      throw err;
    }
  }

  /** Deletes the credential unless a trunk or application uses it (then: in_use, naming them). */
  async delete(accountAuthId: string, credentialUuid: string): Promise<DeleteOutcome> {
    return deleteUnlessInUse(this.store, accountAuthId, 'credential', credentialUuid);
  }
}
