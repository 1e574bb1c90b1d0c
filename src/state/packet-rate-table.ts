// The per-source packet rate cap, node-wide: one token bucket per source key (rate perSecond, burst
// one second's worth), shared by every edge thread so a source gets perSecond in total whichever
// thread the kernel hands its packets to. Checked first on every packet, before parsing.
// Record payload: tokens, last refill (ms). A record expires when its bucket would be full again
// (an expired record and a new one are the same thing), so a flood of spoofed sources only ever
// overwrites buckets that are full anyway or, when a bucket's every way is busy, the one closest to full.
import { KEY_WORDS, type SharedTable, type TableSpec } from './shared-table.ts';

export const DEFAULT_PACKET_RATE_PER_SECOND = 200;

export function packetRateTableSpec(buckets: number): TableSpec {
  return { buckets, ways: 8, words: 2 };
}

export class PacketRateTable {
  readonly burst: number;
  private readonly perMs: number;

  constructor(
    private readonly table: SharedTable,
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isFinite(perSecond) && perSecond > 0))
      throw new RangeError('packet rate: perSecond must be a positive number');
    this.burst = Math.max(1, perSecond);
    this.perMs = perSecond / 1000;
  }

  /** Counts one packet from `key`; false means drop it. */
  allow(key: string): boolean {
    const now = this.now();
    const t = this.table;
    const b = t.bucketOf(key);
    t.lock(b);
    let base = t.find(b, now);
    let tokens: number;
    if (base < 0) {
      base = t.claim(b, now);
      tokens = this.burst;
    } else {
      const f = t.f64;
      tokens = Math.min(this.burst, f[base + KEY_WORDS]! + (now - f[base + KEY_WORDS + 1]!) * this.perMs);
    }
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    const f = t.f64;
    f[base + KEY_WORDS] = tokens;
    f[base + KEY_WORDS + 1] = now;
    f[base + 2] = now + Math.ceil((this.burst - tokens) / this.perMs) + 1;
    t.unlock(b);
    return allowed;
  }
}
