// In-memory view of the API IP allowlists, consulted on every API request before any credential is
// looked at. A node drops a list the moment it changes one itself, and notices changes made by other
// nodes or by the CLI by polling the store's change version at most every `refreshMs`: a change is
// enforced everywhere within that time.
import { type IpAddress, NetworkMatcher, parseCidr } from '../domain/address/index.ts';
import type { Store } from './database.ts';
import type { AllowlistRepository } from './repositories/allowlist-repository.ts';

/**
 * How long "no such account" is remembered. The callers also check the authenticated caller's own
 * list, so an account created meanwhile is never let through; this only bounds the early check.
 */
const UNKNOWN_ACCOUNT_TTL_MS = 10_000;

export interface AllowlistVerdict {
  /** The account has at least one entry, so the allowlist is in force. */
  readonly active: boolean;
  readonly admitted: boolean;
}

export interface AllowlistCacheOptions {
  refreshMs: number;
  /** Most accounts whose lists (and top-level mappings) are kept; beyond it the oldest go. */
  maxAccounts?: number;
  now?: () => number;
}

export class AllowlistCache {
  /** Top-level auth id → its list's matcher; null when the account has no entries. */
  readonly #lists = new Map<string, NetworkMatcher<true> | null>();
  /**
   * Auth id → its top-level account's auth id (a subaccount never changes parent, so this never goes
   * stale), or null for an id that did not exist, remembered for a short while: known and unknown
   * ids then cost the same, so the time a request takes does not tell whether an account exists.
   */
  readonly #topLevel = new Map<string, { top: string | null; until: number }>();
  readonly #maxAccounts: number;
  readonly #refreshMs: number;
  readonly #now: () => number;
  /** Bumped on every invalidation; a load that started before one does not store its result. */
  #generation = 0;
  #version: number | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #polling: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly repository: AllowlistRepository,
    opts: AllowlistCacheOptions,
  ) {
    this.#refreshMs = opts.refreshMs;
    this.#maxAccounts = opts.maxAccounts ?? 10_000;
    this.#now = opts.now ?? Date.now;
    repository.subscribe((authId) => this.invalidate(authId));
  }

  /** The top-level account of `authId` (itself when it has no parent), or undefined when unknown. */
  async topLevelOf(authId: string): Promise<string | undefined> {
    if (authId.length === 0 || authId.length > 64) return undefined;
    const cached = this.#topLevel.get(authId);
    if (cached !== undefined && cached.until > this.#now()) return cached.top ?? undefined;
    const row = await this.store.db
      .selectFrom('accounts')
      .select(['auth_id', 'parent_auth_id'])
      .where('auth_id', '=', authId)
      .executeTakeFirst();
    const top = row === undefined ? null : (row.parent_auth_id ?? row.auth_id);
    this.#remember(this.#topLevel, authId, {
      top,
      until: top === null ? this.#now() + UNKNOWN_ACCOUNT_TTL_MS : Number.POSITIVE_INFINITY,
    });
    return top ?? undefined;
  }

  /** Whether `address` may call the API of `topLevelAuthId` and its subaccounts. */
  async check(topLevelAuthId: string, address: IpAddress | null): Promise<AllowlistVerdict> {
    const matcher = await this.#matcher(topLevelAuthId);
    if (matcher === null) return { active: false, admitted: true };
    return { active: true, admitted: address !== null && matcher.contains(address) };
  }

  /** Forgets one account's list (or all of them), so the next check reads the store. */
  invalidate(topLevelAuthId?: string): void {
    this.#generation++;
    if (topLevelAuthId === undefined) this.#lists.clear();
    else this.#lists.delete(topLevelAuthId);
  }

  async #matcher(topLevelAuthId: string): Promise<NetworkMatcher<true> | null> {
    await this.#refresh();
    const cached = this.#lists.get(topLevelAuthId);
    if (cached !== undefined) return cached;
    const generation = this.#generation;
    const rows = await this.repository.list(topLevelAuthId);
    let matcher: NetworkMatcher<true> | null = null;
    if (rows.length > 0) {
      matcher = new NetworkMatcher<true>();
      for (const row of rows) {
        const parsed = parseCidr(row.cidr);
        // Entries are validated before they are stored; one that is not a CIDR is a bug.
        if (!parsed.ok) throw new Error(`allowlist entry ${row.entry_id} holds an invalid CIDR`);
        matcher.insert(parsed.value, true);
      }
    }
    if (generation === this.#generation) this.#remember(this.#lists, topLevelAuthId, matcher);
    return matcher;
  }

  /** Polls the change version (one small query, shared by concurrent requests) when it is due. */
  async #refresh(): Promise<void> {
    if (this.#now() - this.#checkedAt < this.#refreshMs) return;
    this.#polling ??= (async () => {
      try {
        const row = await this.store.db
          .selectFrom('change_version')
          .select('version')
          .where('id', '=', 1)
          .executeTakeFirst();
        const version = Number(row?.version ?? 0);
        if (this.#version !== undefined && version !== this.#version) this.invalidate();
        this.#version = version;
        this.#checkedAt = this.#now();
      } finally {
        this.#polling = undefined;
      }
    })();
    await this.#polling;
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    if (map.size >= this.#maxAccounts) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(key, value);
  }
}
