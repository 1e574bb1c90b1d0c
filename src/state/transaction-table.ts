// Requests the edge accepted (by transaction key: branch, method, source), seen by every thread:
// RFC 3261 §17.2 — a retransmission that reaches another thread than the original re-runs digest
// verification, finds its nc used, and must be recognised as a retransmission, not refused as a
// replay. Records expire after ttlSeconds (32 s = 64*T1, Timer J); a full bucket overwrites its
// record closest to expiry, which only means a very late retransmission is challenged again.
import type { SharedTable, TableSpec } from './shared-table.ts';

export function transactionTableSpec(buckets: number): TableSpec {
  return { buckets, ways: 8, words: 0 };
}

export class TransactionTable {
  constructor(
    private readonly table: SharedTable,
    private readonly now: () => number = Date.now,
  ) {}

  remember(key: string, ttlSeconds: number): void {
    const now = this.now();
    const t = this.table;
    const b = t.bucketOf(key);
    t.lock(b);
    let base = t.find(b, now);
    if (base < 0) base = t.claim(b, now);
    t.f64[base + 2] = now + Math.max(1, ttlSeconds) * 1000;
    t.unlock(b);
  }

  has(key: string): boolean {
    const now = this.now();
    const t = this.table;
    const b = t.bucketOf(key);
    t.lock(b);
    const found = t.find(b, now) >= 0;
    t.unlock(b);
    return found;
  }
}
