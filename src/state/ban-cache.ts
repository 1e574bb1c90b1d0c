// The local copy of active bans that answers BanList.isBanned() synchronously on every packet.
//
// Every backend keeps one: the Memory ban list is its own source of truth, cluster workers fill theirs
// from the primary's pushes, Redis nodes from pub/sub plus a periodic snapshot. Bans travel between
// processes as *remaining* milliseconds, never as absolute times, so two clocks never need to agree.
//
// The hot path is one Map lookup (no clock read) for an address without a ban. Memory is bounded:
// expired bans are swept a few at a time on every add (insertion order ≈ expiry order because bans have
// one length), and a hard cap evicts the ban that ends soonest-ish (the oldest inserted).

export const DEFAULT_MAX_BANS = 100_000;

export class BanCache {
  private readonly bans = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    readonly maxEntries: number = DEFAULT_MAX_BANS,
  ) {
    if (!(Number.isInteger(maxEntries) && maxEntries >= 1)) {
      throw new RangeError('BanCache: maxEntries must be a positive integer');
    }
  }

  get size(): number {
    return this.bans.size;
  }

  isBanned(address: string): boolean {
    const until = this.bans.get(address);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.bans.delete(address);
    return false;
  }

  /** Milliseconds left on the address's ban, 0 when it has none. */
  remainingMs(address: string): number {
    const until = this.bans.get(address);
    if (until === undefined) return 0;
    return Math.max(0, until - this.now());
  }

  /** Record a ban that ends `remainingMs` from now. A longer ban already known is kept. */
  add(address: string, remainingMs: number): void {
    if (!(remainingMs > 0)) return;
    const now = this.now();
    const until = now + remainingMs;
    const existing = this.bans.get(address);
    if (existing !== undefined) {
      if (existing >= until) return;
      this.bans.delete(address);
    }
    this.sweep(now, 4);
    while (this.bans.size >= this.maxEntries) {
      const oldest = this.bans.keys().next();
      if (oldest.done) break;
      this.bans.delete(oldest.value);
    }
    this.bans.set(address, until);
  }

  /** Every active ban as [address, remainingMs] (for snapshots sent to a new cluster worker). */
  active(): Array<[string, number]> {
    const now = this.now();
    const out: Array<[string, number]> = [];
    for (const [address, until] of this.bans) {
      if (until > now) out.push([address, until - now]);
    }
    return out;
  }

  /** Drop every expired ban (also done lazily, a few per add). */
  purgeExpired(): void {
    const now = this.now();
    for (const [address, until] of this.bans) if (until <= now) this.bans.delete(address);
  }

  /** Oldest first, stopping at the first live ban: insertion order ≈ expiry order. */
  private sweep(now: number, budget: number): void {
    for (const [address, until] of this.bans) {
      if (budget-- <= 0 || until > now) return;
      this.bans.delete(address);
    }
  }
}
