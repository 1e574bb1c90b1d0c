// Zentrunk trunks. Writes store the trunk's full, already validated state after checking (and on
// PostgreSQL locking) the credential, ACL and URIs it references in the same transaction.
import type { Transaction } from 'kysely';
import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';
import { serializeDigestAlgorithms } from '../../domain/digest-algorithm-list.ts';
import { generateNumericId } from '../../domain/resource-ids.ts';
import {
  type OriginationRoute,
  sortRoutes,
  type TrunkDirection,
  type TrunkStatus,
} from '../../domain/trunk-rules.ts';
import type { Store } from '../database.ts';
import type { Database, TrunkRow } from '../schema.ts';
import { bumpChangeVersion, inTransaction, lockAccount } from '../transaction.ts';
import { findMissingReference, type Reference, type ReferenceProblem, retryWrite } from './references.ts';

/** A trunk's state in the API's field names. */
export interface TrunkInput {
  name: string | null;
  trunk_direction: TrunkDirection;
  trunk_status: TrunkStatus;
  secure: boolean;
  cps_limit: number | null;
  ipacl_uuid: string | null;
  credential_uuid: string | null;
  primary_uri_uuid: string | null;
  fallback_uri_uuid: string | null;
  /** The whole origination list; primary/fallback are its entries at priorities 10 and 20. */
  origination_uris: readonly OriginationRoute[];
  digest_algorithms: DigestAlgorithm[] | null;
}

/** A stored trunk with its origination list, sorted as shown. */
export interface TrunkWithRoutes {
  row: TrunkRow;
  origination_uris: OriginationRoute[];
}

/** Plivo's list filters. */
export interface TrunkFilters {
  trunk_status?: TrunkStatus;
  trunk_direction?: TrunkDirection;
  secure?: boolean;
  ipacl_uuid?: string;
  credential_uuid?: string;
  primary_uri_uuid?: string;
  fallback_uri_uuid?: string;
}

export type WriteTrunkOutcome =
  | { kind: 'ok'; trunk: TrunkRow }
  | { kind: 'invalid_reference'; problem: ReferenceProblem }
  | { kind: 'not_found' }
  | { kind: 'account_gone' };

function references(t: TrunkInput): Reference[] {
  return [
    { field: 'ipacl_uuid', kind: 'ip_acl', id: t.ipacl_uuid },
    { field: 'credential_uuid', kind: 'credential', id: t.credential_uuid },
    { field: 'primary_uri_uuid', kind: 'origination_uri', id: t.primary_uri_uuid },
    { field: 'fallback_uri_uuid', kind: 'origination_uri', id: t.fallback_uri_uuid },
    ...t.origination_uris.map(
      (r, i): Reference => ({
        field: `origination_uris[${i}].uri_uuid`,
        kind: 'origination_uri',
        id: r.uri_uuid,
      }),
    ),
  ];
}

async function writeRoutes(
  trx: Transaction<Database>,
  accountAuthId: string,
  trunkId: string,
  routes: readonly OriginationRoute[],
): Promise<void> {
  await trx.deleteFrom('trunk_origination_uris').where('trunk_id', '=', trunkId).execute();
  if (routes.length === 0) return;
  await trx
    .insertInto('trunk_origination_uris')
    .values(
      routes.map((r) => ({
        trunk_id: trunkId,
        account_auth_id: accountAuthId,
        uri_uuid: r.uri_uuid,
        priority: r.priority,
        weight: r.weight,
      })),
    )
    .execute();
}

function columns(t: TrunkInput) {
  return {
    name: t.name,
    trunk_direction: t.trunk_direction,
    trunk_status: t.trunk_status,
    secure: t.secure ? 1 : 0,
    cps_limit: t.cps_limit,
    ip_acl_uuid: t.ipacl_uuid,
    credential_uuid: t.credential_uuid,
    primary_uri_uuid: t.primary_uri_uuid,
    fallback_uri_uuid: t.fallback_uri_uuid,
    digest_algorithms: serializeDigestAlgorithms(t.digest_algorithms),
  };
}

export class TrunkRepository {
  constructor(private readonly store: Store) {}

  async create(accountAuthId: string, input: TrunkInput): Promise<WriteTrunkOutcome> {
    return retryWrite(() =>
      inTransaction(this.store, async (trx): Promise<WriteTrunkOutcome> => {
        if (!(await lockAccount(trx, this.store.dialect, accountAuthId))) return { kind: 'account_gone' };
        const problem = await findMissingReference(trx, this.store, accountAuthId, references(input));
        if (problem !== undefined) return { kind: 'invalid_reference', problem };
        const ts = new Date().toISOString();
        const row: TrunkRow = {
          trunk_id: generateNumericId(),
          account_auth_id: accountAuthId,
          ...columns(input),
          created_at: ts,
          updated_at: ts,
        };
        await trx.insertInto('trunks').values(row).execute();
        await writeRoutes(trx, accountAuthId, row.trunk_id, input.origination_uris);
        await bumpChangeVersion(trx);
        return { kind: 'ok', trunk: row };
      }),
    );
  }

  async find(accountAuthId: string, trunkId: string): Promise<TrunkRow | undefined> {
    return this.store.db
      .selectFrom('trunks')
      .selectAll()
      .where('account_auth_id', '=', accountAuthId)
      .where('trunk_id', '=', trunkId)
      .executeTakeFirst();
  }

  /** The origination lists of the account's trunks named, each sorted as shown. */
  async routes(accountAuthId: string, trunkIds: readonly string[]): Promise<Map<string, OriginationRoute[]>> {
    const out = new Map<string, OriginationRoute[]>(trunkIds.map((id) => [id, []]));
    if (trunkIds.length === 0) return out;
    const rows = await this.store.db
      .selectFrom('trunk_origination_uris')
      .select(['trunk_id', 'uri_uuid', 'priority', 'weight'])
      .where('account_auth_id', '=', accountAuthId)
      .where('trunk_id', 'in', [...trunkIds])
      .execute();
    for (const r of rows)
      out
        .get(r.trunk_id)
        ?.push({ uri_uuid: r.uri_uuid, priority: Number(r.priority), weight: Number(r.weight) });
    for (const [id, list] of out) out.set(id, sortRoutes(list));
    return out;
  }

  async list(
    accountAuthId: string,
    filters: TrunkFilters,
    limit: number,
    offset: number,
  ): Promise<{ rows: TrunkRow[]; total: number }> {
    let base = this.store.db.selectFrom('trunks').where('account_auth_id', '=', accountAuthId);
    if (filters.trunk_status !== undefined) base = base.where('trunk_status', '=', filters.trunk_status);
    if (filters.trunk_direction !== undefined)
      base = base.where('trunk_direction', '=', filters.trunk_direction);
    if (filters.secure !== undefined) base = base.where('secure', '=', filters.secure ? 1 : 0);
    if (filters.ipacl_uuid !== undefined) base = base.where('ip_acl_uuid', '=', filters.ipacl_uuid);
    if (filters.credential_uuid !== undefined)
      base = base.where('credential_uuid', '=', filters.credential_uuid);
    if (filters.primary_uri_uuid !== undefined)
      base = base.where('primary_uri_uuid', '=', filters.primary_uri_uuid);
    if (filters.fallback_uri_uuid !== undefined)
      base = base.where('fallback_uri_uuid', '=', filters.fallback_uri_uuid);
    const [rows, total] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('trunk_id')
        .limit(limit)
        .offset(offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /** Replaces the trunk's state with `input` (the caller merged and validated it). */
  async update(accountAuthId: string, trunkId: string, input: TrunkInput): Promise<WriteTrunkOutcome> {
    return retryWrite(() =>
      inTransaction(this.store, async (trx): Promise<WriteTrunkOutcome> => {
        if (!(await lockTrunk(trx, this.store, accountAuthId, trunkId))) return { kind: 'not_found' };
        const problem = await findMissingReference(trx, this.store, accountAuthId, references(input));
        if (problem !== undefined) return { kind: 'invalid_reference', problem };
        await trx
          .updateTable('trunks')
          .set({ ...columns(input), updated_at: new Date().toISOString() })
          .where('trunk_id', '=', trunkId)
          .execute();
        await writeRoutes(trx, accountAuthId, trunkId, input.origination_uris);
        await bumpChangeVersion(trx);
        const trunk = await trx
          .selectFrom('trunks')
          .selectAll()
          .where('trunk_id', '=', trunkId)
          .executeTakeFirstOrThrow();
        return { kind: 'ok', trunk };
      }),
    );
  }

  async delete(accountAuthId: string, trunkId: string): Promise<boolean> {
    return inTransaction(this.store, async (trx) => {
      const r = await trx
        .deleteFrom('trunks')
        .where('account_auth_id', '=', accountAuthId)
        .where('trunk_id', '=', trunkId)
        .executeTakeFirst();
      const deleted = Number(r.numDeletedRows) > 0;
      if (deleted) await bumpChangeVersion(trx);
      return deleted;
    });
  }
}

async function lockTrunk(trx: Transaction<Database>, store: Store, accountAuthId: string, trunkId: string) {
  let q = trx
    .selectFrom('trunks')
    .select('trunk_id')
    .where('account_auth_id', '=', accountAuthId)
    .where('trunk_id', '=', trunkId);
  if (store.dialect === 'postgres') q = q.forUpdate();
  return (await q.executeTakeFirst()) !== undefined;
}
