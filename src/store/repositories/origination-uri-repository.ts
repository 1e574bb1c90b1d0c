// Origination URIs (Zentrunk URI): where inbound trunks send calls.
import { randomUUID } from 'node:crypto';
import type { OriginationTarget } from '../../domain/sip-uri-rules.ts';
import type { Store } from '../database.ts';
import type { OriginationUriRow } from '../schema.ts';
import { bumpChangeVersion, inTransaction, lockAccount } from '../transaction.ts';
import { type DeleteOutcome, deleteUnlessInUse } from './references.ts';

export type CreateUriOutcome = { kind: 'ok'; uri: OriginationUriRow } | { kind: 'account_gone' };
export type UpdateUriOutcome = { kind: 'ok'; uri: OriginationUriRow } | { kind: 'not_found' };

function targetColumns(t: OriginationTarget) {
  return { uri: t.uri, scheme: t.scheme, host: t.host, port: t.port, transport: t.transport };
}

export class OriginationUriRepository {
  constructor(private readonly store: Store) {}

  async create(
    accountAuthId: string,
    input: { name: string | null; target: OriginationTarget },
  ): Promise<CreateUriOutcome> {
    const ts = new Date().toISOString();
    const row: OriginationUriRow = {
      uri_uuid: randomUUID(),
      account_auth_id: accountAuthId,
      name: input.name,
      ...targetColumns(input.target),
      created_at: ts,
      updated_at: ts,
    };
    return inTransaction(this.store, async (trx): Promise<CreateUriOutcome> => {
      if (!(await lockAccount(trx, this.store.dialect, accountAuthId))) return { kind: 'account_gone' };
      await trx.insertInto('origination_uris').values(row).execute();
      await bumpChangeVersion(trx, { kind: 'origination_uri', id: row.uri_uuid });
      return { kind: 'ok', uri: row };
    });
  }

  async find(accountAuthId: string, uriUuid: string): Promise<OriginationUriRow | undefined> {
    return this.store.db
      .selectFrom('origination_uris')
      .selectAll()
      .where('account_auth_id', '=', accountAuthId)
      .where('uri_uuid', '=', uriUuid)
      .executeTakeFirst();
  }

  async list(
    accountAuthId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: OriginationUriRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.store.db
        .selectFrom('origination_uris')
        .selectAll()
        .where('account_auth_id', '=', accountAuthId)
        .orderBy('created_at', 'desc')
        .orderBy('uri_uuid')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.store.db
        .selectFrom('origination_uris')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('account_auth_id', '=', accountAuthId)
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  async update(
    accountAuthId: string,
    uriUuid: string,
    patch: { name?: string | null; target?: OriginationTarget },
  ): Promise<UpdateUriOutcome> {
    return inTransaction(this.store, async (trx): Promise<UpdateUriOutcome> => {
      const r = await trx
        .updateTable('origination_uris')
        .set({
          updated_at: new Date().toISOString(),
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.target !== undefined ? targetColumns(patch.target) : {}),
        })
        .where('account_auth_id', '=', accountAuthId)
        .where('uri_uuid', '=', uriUuid)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return { kind: 'not_found' };
      // Inbound trunks using it now send calls elsewhere.
      await bumpChangeVersion(trx, { kind: 'origination_uri', id: uriUuid });
      const uri = await trx
        .selectFrom('origination_uris')
        .selectAll()
        .where('uri_uuid', '=', uriUuid)
        .executeTakeFirstOrThrow();
      return { kind: 'ok', uri };
    });
  }

  /** Deletes the URI unless a trunk uses it as primary or fallback. */
  async delete(accountAuthId: string, uriUuid: string): Promise<DeleteOutcome> {
    return deleteUnlessInUse(this.store, accountAuthId, 'origination_uri', uriUuid);
  }
}
