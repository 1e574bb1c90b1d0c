// IP ACLs and their entries. One store serves both API shapes (SIP Auth and Zentrunk).
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AclEntrySpec } from '../../domain/ip-acl-rules.ts';
import { isUniqueViolation } from '../constraint-errors.ts';
import type { Store } from '../database.ts';
import type { Database, IpAclEntryRow, IpAclRow } from '../schema.ts';
import { bumpChangeVersion, type Executor, inTransaction, lockAccount } from '../transaction.ts';
import { type DeleteOutcome, deleteUnlessInUse } from './references.ts';

export type IpAclEntryView = Omit<IpAclEntryRow, 'ip_acl_uuid' | 'position' | 'created_at'>;
export interface IpAclView extends IpAclRow {
  entries: IpAclEntryView[];
}

const ENTRY_COLUMNS = ['entry_id', 'family', 'ip', 'cidr_prefix', 'network', 'description'] as const;

export type CreateIpAclOutcome =
  | { kind: 'ok'; acl: IpAclView }
  | { kind: 'quota_exceeded'; limit: number }
  | { kind: 'account_gone' };

export type UpdateIpAclOutcome = { kind: 'ok'; acl: IpAclView } | { kind: 'not_found' };

export type AddEntryOutcome =
  | { kind: 'ok'; entry: IpAclEntryView }
  | { kind: 'not_found' }
  | { kind: 'duplicate_entry'; existing: IpAclEntryView }
  | { kind: 'acl_entry_limit'; limit: number; count: number };

export class IpAclRepository {
  constructor(private readonly store: Store) {}

  /** Creates the ACL with its entries (already validated, no duplicates) or nothing at all. */
  async create(
    accountAuthId: string,
    input: { name: string | null; entries: readonly AclEntrySpec[] },
    quota: number,
  ): Promise<CreateIpAclOutcome> {
    const ts = new Date().toISOString();
    const row: IpAclRow = {
      ip_acl_uuid: randomUUID(),
      account_auth_id: accountAuthId,
      name: input.name,
      created_at: ts,
      updated_at: ts,
    };
    return inTransaction(this.store, async (trx): Promise<CreateIpAclOutcome> => {
      if (!(await lockAccount(trx, this.store.dialect, accountAuthId))) return { kind: 'account_gone' };
      const { n } = await trx
        .selectFrom('ip_acls')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('account_auth_id', '=', accountAuthId)
        .executeTakeFirstOrThrow();
      if (Number(n) >= quota) return { kind: 'quota_exceeded', limit: quota };
      await trx.insertInto('ip_acls').values(row).execute();
      await insertEntries(trx, row.ip_acl_uuid, input.entries, 0, ts);
      await bumpChangeVersion(trx, { kind: 'ip_acl', id: row.ip_acl_uuid });
      return { kind: 'ok', acl: await loadAcl(trx, accountAuthId, row.ip_acl_uuid) };
    });
  }

  async find(accountAuthId: string, ipAclUuid: string): Promise<IpAclView | undefined> {
    const acl = await this.store.db
      .selectFrom('ip_acls')
      .selectAll()
      .where('account_auth_id', '=', accountAuthId)
      .where('ip_acl_uuid', '=', ipAclUuid)
      .executeTakeFirst();
    if (acl === undefined) return undefined;
    return { ...acl, entries: (await entriesOf(this.store.db, [ipAclUuid])).get(ipAclUuid) ?? [] };
  }

  async list(
    accountAuthId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: IpAclView[]; total: number }> {
    const [acls, total] = await Promise.all([
      this.store.db
        .selectFrom('ip_acls')
        .selectAll()
        .where('account_auth_id', '=', accountAuthId)
        .orderBy('created_at', 'desc')
        .orderBy('ip_acl_uuid')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.store.db
        .selectFrom('ip_acls')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('account_auth_id', '=', accountAuthId)
        .executeTakeFirstOrThrow(),
    ]);
    const entries = await entriesOf(
      this.store.db,
      acls.map((a) => a.ip_acl_uuid),
    );
    return {
      rows: acls.map((a) => ({ ...a, entries: entries.get(a.ip_acl_uuid) ?? [] })),
      total: Number(total.n),
    };
  }

  /**
   * Renames and/or replaces the entries. A replacement keeps the entries whose network stays (same
   * entry_id and description), removes the others and adds the new ones, in the order given.
   */
  async update(
    accountAuthId: string,
    ipAclUuid: string,
    patch: { name?: string | null; entries?: readonly AclEntrySpec[] },
  ): Promise<UpdateIpAclOutcome> {
    return inTransaction(this.store, async (trx): Promise<UpdateIpAclOutcome> => {
      if (!(await lockAcl(trx, this.store, accountAuthId, ipAclUuid))) return { kind: 'not_found' };
      const ts = new Date().toISOString();
      await trx
        .updateTable('ip_acls')
        .set({ updated_at: ts, ...(patch.name !== undefined ? { name: patch.name } : {}) })
        .where('ip_acl_uuid', '=', ipAclUuid)
        .execute();
      if (patch.entries !== undefined) {
        const current = await trx
          .selectFrom('ip_acl_entries')
          .select(['entry_id', 'network'])
          .where('ip_acl_uuid', '=', ipAclUuid)
          .execute();
        const wanted = new Map(patch.entries.map((e, i) => [e.network, i] as const));
        const kept = new Set<string>();
        for (const entry of current) {
          const position = wanted.get(entry.network);
          if (position === undefined) {
            await trx.deleteFrom('ip_acl_entries').where('entry_id', '=', entry.entry_id).execute();
          } else {
            kept.add(entry.network);
            await trx
              .updateTable('ip_acl_entries')
              .set({ position })
              .where('entry_id', '=', entry.entry_id)
              .execute();
          }
        }
        const added = patch.entries.flatMap((spec, position) =>
          kept.has(spec.network) ? [] : [{ spec, position }],
        );
        for (const { spec, position } of added) await insertEntries(trx, ipAclUuid, [spec], position, ts);
      }
      await bumpChangeVersion(trx, { kind: 'ip_acl', id: ipAclUuid });
      return { kind: 'ok', acl: await loadAcl(trx, accountAuthId, ipAclUuid) };
    });
  }

  /** Adds one entry; the ACL's row lock makes parallel adds queue, so the limit cannot be overshot. */
  async addEntry(
    accountAuthId: string,
    ipAclUuid: string,
    spec: AclEntrySpec,
    limit: number,
  ): Promise<AddEntryOutcome> {
    try {
      return await inTransaction(this.store, async (trx): Promise<AddEntryOutcome> => {
        if (!(await lockAcl(trx, this.store, accountAuthId, ipAclUuid))) return { kind: 'not_found' };
        const existing = await trx
          .selectFrom('ip_acl_entries')
          .select(ENTRY_COLUMNS)
          .where('ip_acl_uuid', '=', ipAclUuid)
          .where('network', '=', spec.network)
          .executeTakeFirst();
        if (existing !== undefined) return { kind: 'duplicate_entry', existing };
        const stats = await trx
          .selectFrom('ip_acl_entries')
          .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.max('position').as('last')])
          .where('ip_acl_uuid', '=', ipAclUuid)
          .executeTakeFirstOrThrow();
        const count = Number(stats.n);
        if (count >= limit) return { kind: 'acl_entry_limit', limit, count };
        const ts = new Date().toISOString();
        const [entry] = await insertEntries(
          trx,
          ipAclUuid,
          [spec],
          stats.last === null ? 0 : Number(stats.last) + 1,
          ts,
        );
        await trx
          .updateTable('ip_acls')
          .set({ updated_at: ts })
          .where('ip_acl_uuid', '=', ipAclUuid)
          .execute();
        await bumpChangeVersion(trx, { kind: 'ip_acl', id: ipAclUuid });
        return { kind: 'ok', entry: entry! };
      });
    } catch (err) {
      // Only reachable if a writer skipped the ACL lock; the unique key still holds.
      if (isUniqueViolation(err)) {
        const acl = await this.find(accountAuthId, ipAclUuid);
        const existing = acl?.entries.find((e) => e.network === spec.network);
        if (existing !== undefined) return { kind: 'duplicate_entry', existing };
      }
      throw err;
    }
  }

  async deleteEntry(accountAuthId: string, ipAclUuid: string, entryId: string): Promise<boolean> {
    return inTransaction(this.store, async (trx) => {
      if (!(await lockAcl(trx, this.store, accountAuthId, ipAclUuid))) return false;
      const r = await trx
        .deleteFrom('ip_acl_entries')
        .where('ip_acl_uuid', '=', ipAclUuid)
        .where('entry_id', '=', entryId)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await trx
        .updateTable('ip_acls')
        .set({ updated_at: new Date().toISOString() })
        .where('ip_acl_uuid', '=', ipAclUuid)
        .execute();
      await bumpChangeVersion(trx, { kind: 'ip_acl', id: ipAclUuid });
      return true;
    });
  }

  /** Deletes the ACL and its entries, unless a trunk or application uses it. */
  async delete(accountAuthId: string, ipAclUuid: string): Promise<DeleteOutcome> {
    return deleteUnlessInUse(this.store, accountAuthId, 'ip_acl', ipAclUuid);
  }
}

/** Locks the ACL's row (PostgreSQL) so writers of its entries run one at a time. */
async function lockAcl(trx: Transaction<Database>, store: Store, accountAuthId: string, ipAclUuid: string) {
  let q = trx
    .selectFrom('ip_acls')
    .select('ip_acl_uuid')
    .where('account_auth_id', '=', accountAuthId)
    .where('ip_acl_uuid', '=', ipAclUuid);
  if (store.dialect === 'postgres') q = q.forUpdate();
  return (await q.executeTakeFirst()) !== undefined;
}

async function insertEntries(
  trx: Transaction<Database>,
  ipAclUuid: string,
  specs: readonly AclEntrySpec[],
  firstPosition: number,
  ts: string,
): Promise<IpAclEntryView[]> {
  if (specs.length === 0) return [];
  const rows: IpAclEntryRow[] = specs.map((s, i) => ({
    entry_id: randomUUID(),
    ip_acl_uuid: ipAclUuid,
    family: s.family,
    ip: s.ip,
    cidr_prefix: s.cidrPrefix,
    network: s.network,
    description: s.description,
    position: firstPosition + i,
    created_at: ts,
  }));
  await trx.insertInto('ip_acl_entries').values(rows).execute();
  return rows.map(({ ip_acl_uuid: _a, position: _p, created_at: _c, ...view }) => view);
}

async function entriesOf(ex: Executor, aclIds: readonly string[]): Promise<Map<string, IpAclEntryView[]>> {
  const out = new Map<string, IpAclEntryView[]>();
  if (aclIds.length === 0) return out;
  const rows = await ex
    .selectFrom('ip_acl_entries')
    .select(['ip_acl_uuid', ...ENTRY_COLUMNS])
    .where('ip_acl_uuid', 'in', aclIds)
    .orderBy('ip_acl_uuid')
    .orderBy('position')
    .execute();
  for (const { ip_acl_uuid, ...entry } of rows) {
    const list = out.get(ip_acl_uuid);
    if (list === undefined) out.set(ip_acl_uuid, [entry]);
    else list.push(entry);
  }
  return out;
}

async function loadAcl(ex: Executor, accountAuthId: string, ipAclUuid: string): Promise<IpAclView> {
  const acl = await ex
    .selectFrom('ip_acls')
    .selectAll()
    .where('account_auth_id', '=', accountAuthId)
    .where('ip_acl_uuid', '=', ipAclUuid)
    .executeTakeFirstOrThrow();
  return { ...acl, entries: (await entriesOf(ex, [ipAclUuid])).get(ipAclUuid) ?? [] };
}
