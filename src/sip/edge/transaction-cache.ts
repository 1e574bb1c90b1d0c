// RFC 3261 §17.2: a retransmitted request (same top Via branch, same source) must get the response
// already sent, not a second evaluation — otherwise a lost 200 turns into a nonce-count replay
// refusal. Entries live for 32 s (64*T1, Timer J), and the cache is bounded.

export type CachedOutcome =
  | { kind: 'response'; data: Buffer }
  /** Admitted and forwarded statelessly: a retransmission is forwarded again (§16.11). */
  | { kind: 'forwarded'; data: Buffer; host: string; port: number; transport: 'udp' | 'tcp' };

interface Entry {
  outcome: CachedOutcome;
  expiresAt: number;
}

export class TransactionCache {
  private readonly map = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 32_000,
    private readonly maxEntries = 200_000,
  ) {}

  static key(branch: string, method: string, source: string, sourcePort: number): string {
    // ACK and CANCEL share the INVITE's branch but are transactions of their own (§17.2.3).
    return `${branch}|${method}|${source}|${sourcePort}`;
  }

  get(key: string, now: number): CachedOutcome | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= now) {
      this.map.delete(key);
      return undefined;
    }
    return e.outcome;
  }

  set(key: string, outcome: CachedOutcome, now: number): void {
    if (this.map.size >= this.maxEntries) this.evict(now);
    this.map.delete(key);
    this.map.set(key, { outcome, expiresAt: now + this.ttlMs });
  }

  /** Map iteration is insertion order, so the oldest entries go first. */
  private evict(now: number): void {
    let removed = 0;
    for (const [k, e] of this.map) {
      if (e.expiresAt <= now || removed < this.maxEntries / 10) {
        this.map.delete(k);
        removed++;
      } else break;
    }
  }

  get size(): number {
    return this.map.size;
  }
}
