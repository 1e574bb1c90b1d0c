// Origination URIs (Zentrunk URI): where inbound trunks send calls.
import { randomUUID } from 'node:crypto';
import type { OriginationTarget } from '../../domain/sip-uri-rules.ts';
import {
  applyProbe,
  INITIAL_URI_HEALTH,
  isUriHealthStatus,
  type ProbeOutcome,
  type UriHealth,
} from '../../domain/uri-health.ts';
import type { Store } from '../database.ts';
import type { OriginationUriHealthRow, OriginationUriRow } from '../schema.ts';
import { bumpChangeVersion, inTransaction, lockAccount } from '../transaction.ts';
import { type DeleteOutcome, deleteUnlessInUse } from './references.ts';

export type CreateUriOutcome = { kind: 'ok'; uri: OriginationUriRow } | { kind: 'account_gone' };
export type UpdateUriOutcome = { kind: 'ok'; uri: OriginationUriRow } | { kind: 'not_found' };

function targetColumns(t: OriginationTarget) {
  return { uri: t.uri, scheme: t.scheme, host: t.host, port: t.port, transport: t.transport };
}

function healthFromRow(row: OriginationUriHealthRow | undefined): UriHealth {
  if (row === undefined) return INITIAL_URI_HEALTH;
  if (!isUriHealthStatus(row.status)) throw new Error(`URI ${row.uri_uuid} has an unknown health status`);
  return {
    status: row.status,
    consecutiveFailures: Number(row.consecutive_failures),
    lastChecked: row.last_checked,
    lastError: row.last_error,
  };
}

export class OriginationUriRepository {
  constructor(private readonly store: Store) {}

  async create(
    accountAuthId: string,
    input: { name: string | null; target: OriginationTarget; tlsVerify: boolean },
  ): Promise<CreateUriOutcome> {
    const ts = new Date().toISOString();
    const row: OriginationUriRow = {
      uri_uuid: randomUUID(),
      account_auth_id: accountAuthId,
      name: input.name,
      ...targetColumns(input.target),
      tls_verify: input.tlsVerify ? 1 : 0,
      created_at: ts,
      updated_at: ts,
    };
    return inTransaction(this.store, async (trx): Promise<CreateUriOutcome> => {
      if (!(await lockAccount(trx, this.store.dialect, accountAuthId))) return { kind: 'account_gone' };
      await trx.insertInto('origination_uris').values(row).execute();
      await bumpChangeVersion(trx);
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
    patch: { name?: string | null; target?: OriginationTarget; tlsVerify?: boolean },
  ): Promise<UpdateUriOutcome> {
    return inTransaction(this.store, async (trx): Promise<UpdateUriOutcome> => {
      const r = await trx
        .updateTable('origination_uris')
        .set({
          updated_at: new Date().toISOString(),
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.target !== undefined ? targetColumns(patch.target) : {}),
          ...(patch.tlsVerify !== undefined ? { tls_verify: patch.tlsVerify ? 1 : 0 } : {}),
        })
        .where('account_auth_id', '=', accountAuthId)
        .where('uri_uuid', '=', uriUuid)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return { kind: 'not_found' };
      // Inbound trunks using it now send calls elsewhere.
      await bumpChangeVersion(trx);
      const uri = await trx
        .selectFrom('origination_uris')
        .selectAll()
        .where('uri_uuid', '=', uriUuid)
        .executeTakeFirstOrThrow();
      return { kind: 'ok', uri };
    });
  }

  /** The health of the account's URIs named; a URI never probed is unknown. */
  async health(accountAuthId: string, uriUuids: readonly string[]): Promise<Map<string, UriHealth>> {
    const out = new Map<string, UriHealth>(uriUuids.map((id) => [id, INITIAL_URI_HEALTH]));
    if (uriUuids.length === 0) return out;
    const rows = await this.store.db
      .selectFrom('origination_uri_health as h')
      .innerJoin('origination_uris as u', 'u.uri_uuid', 'h.uri_uuid')
      .selectAll('h')
      .where('u.account_auth_id', '=', accountAuthId)
      .where('h.uri_uuid', 'in', [...uriUuids])
      .execute();
    for (const row of rows) out.set(row.uri_uuid, healthFromRow(row));
    return out;
  }

  /**
   * Records one OPTIONS probe of a URI at `at` (ISO 8601) and returns the new health, or undefined
   * when the URI no longer exists. Called by the prober, which probes every account's URIs.
   */
  async recordProbe(uriUuid: string, outcome: ProbeOutcome, at: string): Promise<UriHealth | undefined> {
    return inTransaction(this.store, async (trx) => {
      // Locking the URI row serialises two probe results for it (and a delete) on PostgreSQL.
      let uri = trx.selectFrom('origination_uris').select('uri_uuid').where('uri_uuid', '=', uriUuid);
      if (this.store.dialect === 'postgres') uri = uri.forUpdate();
      if ((await uri.executeTakeFirst()) === undefined) return undefined;
      const current = await trx
        .selectFrom('origination_uri_health')
        .selectAll()
        .where('uri_uuid', '=', uriUuid)
        .executeTakeFirst();
      const next = applyProbe(healthFromRow(current), outcome, at);
      const columns = {
        status: next.status,
        consecutive_failures: next.consecutiveFailures,
        last_checked: next.lastChecked,
        last_error: next.lastError,
      };
      await trx
        .insertInto('origination_uri_health')
        .values({ uri_uuid: uriUuid, ...columns })
        .onConflict((oc) => oc.column('uri_uuid').doUpdateSet(columns))
        .execute();
      return next;
    });
  }

  /** Deletes the URI unless a trunk lists it (as primary, fallback or any other place). */
  async delete(accountAuthId: string, uriUuid: string): Promise<DeleteOutcome> {
    return deleteUnlessInUse(this.store, accountAuthId, 'origination_uri', uriUuid);
  }
}
