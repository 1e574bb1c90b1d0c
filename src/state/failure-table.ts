// Failed authentications and the bans they cause, for the SIP edge (digest failures per source) and
// the API (lockout per client address) alike: `maxFailures` within a sliding `windowSeconds` → banned
// for `banSeconds`. The window is exact: each record keeps the last maxFailures failure times. A ban
// clears the count and is not extended by failures recorded while it runs (packets in flight).
//
// Two shared tables (shared-table.ts): failures (one record per source key, expiring when its newest
// failure leaves the window) and bans (expiring with the ban). Bans have their own table so a flood
// of failures from many addresses can evict failure records but never a ban; isBanned() reads only the
// ban table. Lock order is failures → bans, and nothing takes them the other way round.
import { KEY_WORDS, type SharedTable, type TableSpec } from './shared-table.ts';

export interface FailurePolicy {
  maxFailures: number;
  windowSeconds: number;
  banSeconds: number;
}

export interface FailureOutcome {
  banned: boolean;
  /** This failure started the ban: log and count it once, here. */
  newlyBanned: boolean;
  failures: number;
  banRemainingMs: number;
}

/** Record payload: head, count, then maxFailures failure times (a ring, oldest at head). */
export function failureTableSpec(policy: FailurePolicy, buckets: number): TableSpec {
  return { buckets, ways: 8, words: 2 + policy.maxFailures };
}

export function banTableSpec(buckets: number): TableSpec {
  return { buckets, ways: 8, words: 0 };
}

export class FailureTable {
  private readonly windowMs: number;
  private readonly banMs: number;

  constructor(
    private readonly failures: SharedTable,
    private readonly bans: SharedTable,
    readonly policy: Readonly<FailurePolicy>,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = policy.windowSeconds * 1000;
    this.banMs = policy.banSeconds * 1000;
  }

  /** Milliseconds left on the ban of `key`, 0 when not banned. */
  banRemainingMs(key: string): number {
    const now = this.now();
    const t = this.bans;
    const b = t.bucketOf(key);
    t.lock(b);
    const base = t.find(b, now);
    const until = base < 0 ? 0 : t.f64[base + 2]!;
    t.unlock(b);
    return until > now ? until - now : 0;
  }

  isBanned(key: string): boolean {
    return this.banRemainingMs(key) > 0;
  }

  recordFailure(key: string): FailureOutcome {
    const now = this.now();
    const t = this.failures;
    const max = this.policy.maxFailures;
    const b = t.bucketOf(key);
    t.lock(b);
    try {
      const remaining = this.banRemainingMs(key);
      if (remaining > 0)
        return { banned: true, newlyBanned: false, failures: max, banRemainingMs: remaining };
      let base = t.find(b, now);
      if (base < 0) base = t.claim(b, now);
      const f = t.f64;
      const p = base + KEY_WORDS;
      let head = f[p]!;
      let count = f[p + 1]!;
      // Failures that left the window.
      while (count > 0 && f[p + 2 + head]! + this.windowMs <= now) {
        head = (head + 1) % max;
        count--;
      }
      f[p + 2 + ((head + count) % max)] = now;
      count++;
      if (count >= max) {
        f[base + 2] = 0; // the ban starts the count afresh
        this.ban(key, now);
        return { banned: true, newlyBanned: true, failures: count, banRemainingMs: this.banMs };
      }
      f[p] = head;
      f[p + 1] = count;
      f[base + 2] = now + this.windowMs;
      return { banned: false, newlyBanned: false, failures: count, banRemainingMs: 0 };
    } finally {
      t.unlock(b);
    }
  }

  /** Forgets the failures of `key` (a successful login clears the count, as the API lockout does). */
  clearFailures(key: string): void {
    const now = this.now();
    const t = this.failures;
    const b = t.bucketOf(key);
    t.lock(b);
    const base = t.find(b, now);
    if (base >= 0) t.f64[base + 2] = 0;
    t.unlock(b);
  }

  private ban(key: string, now: number): void {
    const t = this.bans;
    const b = t.bucketOf(key);
    t.lock(b);
    let base = t.find(b, now);
    if (base < 0) base = t.claim(b, now);
    t.f64[base + 2] = now + this.banMs;
    t.unlock(b);
  }

  /** Applies a ban learned from another node (Redis); never shortens one. */
  applyBan(key: string, remainingMs: number): void {
    const now = this.now();
    const t = this.bans;
    const b = t.bucketOf(key);
    t.lock(b);
    let base = t.find(b, now);
    if (base < 0) base = t.claim(b, now);
    t.f64[base + 2] = Math.max(t.f64[base + 2]!, now + remainingMs);
    t.unlock(b);
  }
}
