// Verified API credentials, remembered briefly so that an authenticated request costs no account
// read and no token check. An entry is found by a SHA-256 of the presented credential (it holds
// no secret) and is dropped:
// - on this node, after any write to the store (src/store/write-notifier.ts): a revoked key, a
//   disabled account or a new token is refused from the next request on;
// - on every node, when the store's change version moves (it is polled at most every refreshMs;
//   token, enabled-state, deletion and key-revocation writes bump it, see src/store/transaction.ts);
// - after maxAgeMs (a minute) in any case, a backstop only.
// A key's expiry is checked again on every hit, so it takes effect at its instant.
import { createHash } from 'node:crypto';
import type { Store } from './database.ts';
import type { ApiKeyView } from './repositories/api-key-repository.ts';
import type { AccountRow } from './schema.ts';

export interface VerifiedCredential {
  readonly account: AccountRow;
  /** Set when the credential is an API key. */
  key?: ApiKeyView;
}

interface Entry {
  readonly value: VerifiedCredential;
  readonly until: number;
}

export interface VerifiedCredentialCacheOptions {
  refreshMs: number;
  maxAgeMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class VerifiedCredentialCache {
  readonly #entries = new Map<string, Entry>();
  readonly #refreshMs: number;
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Bumped on every invalidation; a verification that started before one is not stored. */
  #generation = 0;
  #version: number | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #polling: Promise<void> | undefined;
  #hits = 0;

  constructor(
    private readonly store: Store,
    opts: VerifiedCredentialCacheOptions,
  ) {
    this.#refreshMs = opts.refreshMs;
    this.#maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.#maxEntries = opts.maxEntries ?? 10_000;
    this.#now = opts.now ?? Date.now;
    store.writes.subscribe(() => this.invalidate());
  }

  /** The cache key of a presented credential: a digest, so the map never holds a secret. */
  static keyOf(scheme: 'basic' | 'bearer', ...parts: string[]): string {
    const h = createHash('sha256').update(scheme);
    for (const p of parts) h.update('\u0000').update(p, 'utf8');
    return h.digest('base64');
  }

  /** The generation to hand back to set(), taken before verifying against the store. */
  get generation(): number {
    return this.#generation;
  }

  /** Hits since start (for tests and metrics). */
  get hits(): number {
    return this.#hits;
  }

  async get(key: string): Promise<VerifiedCredential | undefined> {
    await this.#refresh();
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#hits++;
    return entry.value;
  }

  set(key: string, value: VerifiedCredential, generation: number): void {
    if (generation !== this.#generation) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, until: this.#now() + this.#maxAgeMs });
  }

  invalidate(): void {
    this.#generation++;
    this.#entries.clear();
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
}
