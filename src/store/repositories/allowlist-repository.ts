// API IP allowlist entries (seed 003) of top-level accounts. Changes run under the account's lock,
// so the rules (limit, overlaps) are checked against the list exactly as it is when written, and
// each change bumps the change version so every node's cache sees it (src/store/allowlist-cache.ts).
import { randomUUID } from 'node:crypto';
import type { Store } from '../database.ts';
import type { ApiAllowlistEntryRow } from '../schema.ts';
import { bumpChangeVersion, inTransaction, lockAccount } from '../transaction.ts';

export type AllowlistChange =
  | { readonly kind: 'add'; readonly cidrs: readonly string[] }
  | { readonly kind: 'edit'; readonly entryId: string; readonly cidr: string }
  | { readonly kind: 'delete'; readonly entryId: string };

/** What a caller decides after seeing the current entries: a change, or a refusal it gets back. */
export type ChangeDecision<R> = { readonly apply: AllowlistChange } | { readonly refuse: R };

export type ChangeOutcome<R> =
  | { readonly kind: 'ok'; readonly entries: ApiAllowlistEntryRow[] }
  | { readonly kind: 'refused'; readonly refusal: R }
  | { readonly kind: 'account_gone' };

export type AllowlistListener = (accountAuthId: string) => void;

export class AllowlistRepository {
  readonly #listeners: AllowlistListener[] = [];

  constructor(private readonly store: Store) {}

  /** Called after every committed change on this node (the cache drops the account's list at once). */
  subscribe(listener: AllowlistListener): void {
    this.#listeners.push(listener);
  }

  /** Every entry of the account, oldest first. */
  async list(accountAuthId: string): Promise<ApiAllowlistEntryRow[]> {
    return this.store.db
      .selectFrom('api_allowlist_entries')
      .selectAll()
      .where('account_auth_id', '=', accountAuthId)
      .orderBy('created_at')
      .orderBy('entry_id')
      .execute();
  }

  async listPage(
    accountAuthId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: ApiAllowlistEntryRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.store.db
        .selectFrom('api_allowlist_entries')
        .selectAll()
        .where('account_auth_id', '=', accountAuthId)
        .orderBy('created_at')
        .orderBy('entry_id')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.store.db
        .selectFrom('api_allowlist_entries')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('account_auth_id', '=', accountAuthId)
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  async find(accountAuthId: string, entryId: string): Promise<ApiAllowlistEntryRow | undefined> {
    return this.store.db
      .selectFrom('api_allowlist_entries')
      .selectAll()
      .where('account_auth_id', '=', accountAuthId)
      .where('entry_id', '=', entryId)
      .executeTakeFirst();
  }

  /**
   * Locks the account, hands its current entries to `decide`, and applies the change it returns
   * in the same transaction; a refusal is returned untouched and nothing is written.
   */
  async change<R>(
    accountAuthId: string,
    decide: (current: ApiAllowlistEntryRow[]) => ChangeDecision<R>,
  ): Promise<ChangeOutcome<R>> {
    const outcome = await inTransaction(this.store, async (trx): Promise<ChangeOutcome<R>> => {
      if (!(await lockAccount(trx, this.store.dialect, accountAuthId))) return { kind: 'account_gone' };
      const current = await trx
        .selectFrom('api_allowlist_entries')
        .selectAll()
        .where('account_auth_id', '=', accountAuthId)
        .orderBy('created_at')
        .orderBy('entry_id')
        .execute();
      const decision = decide(current);
      if ('refuse' in decision) return { kind: 'refused', refusal: decision.refuse };
      const change = decision.apply;
      const ts = new Date().toISOString();
      let entries: ApiAllowlistEntryRow[] = [];
      if (change.kind === 'add') {
        entries = change.cidrs.map((cidr) => ({
          entry_id: randomUUID(),
          account_auth_id: accountAuthId,
          cidr,
          created_at: ts,
          updated_at: ts,
        }));
        if (entries.length > 0) await trx.insertInto('api_allowlist_entries').values(entries).execute();
      } else if (change.kind === 'edit') {
        await trx
          .updateTable('api_allowlist_entries')
          .set({ cidr: change.cidr, updated_at: ts })
          .where('account_auth_id', '=', accountAuthId)
          .where('entry_id', '=', change.entryId)
          .execute();
        entries = await trx
          .selectFrom('api_allowlist_entries')
          .selectAll()
          .where('entry_id', '=', change.entryId)
          .execute();
      } else {
        await trx
          .deleteFrom('api_allowlist_entries')
          .where('account_auth_id', '=', accountAuthId)
          .where('entry_id', '=', change.entryId)
          .execute();
      }
      await bumpChangeVersion(trx, { kind: 'allowlist', id: accountAuthId });
      return { kind: 'ok', entries };
    });
    if (outcome.kind === 'ok') this.#notify(accountAuthId);
    return outcome;
  }

  /** Deletes every entry of the account (the operator's break-glass). Returns how many. */
  async clear(accountAuthId: string): Promise<number> {
    const n = await inTransaction(this.store, async (trx) => {
      const r = await trx
        .deleteFrom('api_allowlist_entries')
        .where('account_auth_id', '=', accountAuthId)
        .executeTakeFirst();
      const deleted = Number(r.numDeletedRows);
      if (deleted > 0) await bumpChangeVersion(trx, { kind: 'allowlist', id: accountAuthId });
      return deleted;
    });
    if (n > 0) this.#notify(accountAuthId);
    return n;
  }

  #notify(accountAuthId: string): void {
    for (const l of this.#listeners) l(accountAuthId);
  }
}
