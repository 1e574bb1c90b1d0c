// Pacing of outbound calls through provider credentials: throttle, don't drop (docs/glossary.md
// "cpsKey"; the limit itself comes from effectiveCpsLimit in src/domain/cps.ts).
//
// One token bucket per (account, cpsKey) — or per (account, credential id) without a cpsKey, the
// key cpsBucketKey() gives — refilling at the effective limit with a burst of ONE token: calls
// leave at least 1/limit seconds apart, so no half-open one-second window [t, t + 1 s) ever holds
// more than the limit (a burst above one would let limit + 1 leave inside a second after an idle
// spell). A call that finds no token waits in the bucket's FIFO queue; next(now) releases the head
// when the token is back. A queued call waits at most `queueMs` and is then refused (503 with a
// Retry-After computed from the bucket); a full queue refuses at once. The clock is the caller's
// `now` (ms): this file has no timers, so the runtime decides when to call next() (nextWakeAt())
// and tests drive it with a fake clock.
import { type CpsSettings, cpsBucketKey } from './cps.ts';

export const DEFAULT_CPS_QUEUE_MS = 2000;
export const DEFAULT_CPS_MAX_QUEUE = 1000;

/** A call waiting to leave through a credential. */
export interface PacedCall {
  /** Unique per call (e.g. the platform's Call-ID); cancel() finds the call by it. */
  readonly callId: string;
  readonly credential: CpsSettings;
  /** effectiveCpsLimit() of the credential; null: no limit, the call always leaves at once. */
  readonly limit: number | null;
}

export interface CpsPacerOptions {
  /** How long a call may wait in the queue before it is refused (TRUNKGATE_CPS_QUEUE_MS). */
  queueMs?: number;
  /** Calls one bucket may hold queued; more are refused at once. */
  maxQueue?: number;
}

export type RefusalReason = 'queue_full' | 'queue_timeout';

export interface Refusal<C extends PacedCall> {
  call: C;
  reason: RefusalReason;
  status: 503;
  /** Whole seconds (≥ 1) after which the bucket should have room again (RFC 3261 §20.33). */
  retryAfterSeconds: number;
}

export type EnqueueOutcome<C extends PacedCall> =
  | { kind: 'send' }
  | { kind: 'queued'; depth: number }
  | ({ kind: 'refused' } & Refusal<C>);

export interface NextResult<C extends PacedCall> {
  /** Calls whose turn has come, in the order they were queued (per bucket). */
  released: C[];
  refused: Refusal<C>[];
}

interface Waiting<C extends PacedCall> {
  call: C;
  deadline: number;
}

interface Bucket<C extends PacedCall> {
  /** Milliseconds between two calls: 1000 / limit. */
  intervalMs: number;
  /** The earliest time the next call may leave (the single token is back). */
  nextFreeAt: number;
  queue: Waiting<C>[];
}

export class CpsPacer<C extends PacedCall = PacedCall> {
  readonly queueMs: number;
  readonly maxQueue: number;
  readonly #buckets = new Map<string, Bucket<C>>();
  /** callId → bucket key, for cancel(). */
  readonly #queuedIn = new Map<string, string>();

  constructor(options: CpsPacerOptions = {}) {
    this.queueMs = options.queueMs ?? DEFAULT_CPS_QUEUE_MS;
    this.maxQueue = options.maxQueue ?? DEFAULT_CPS_MAX_QUEUE;
    if (!Number.isFinite(this.queueMs) || this.queueMs < 0)
      throw new RangeError(`queueMs must be a number ≥ 0, got ${this.queueMs}`);
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 0)
      throw new RangeError(`maxQueue must be a whole number ≥ 0, got ${this.maxQueue}`);
  }

  /** A new call: `send` now, `queued` until next() releases or refuses it, or `refused` now. */
  enqueue(call: C, now: number): EnqueueOutcome<C> {
    if (call.limit === null) return { kind: 'send' };
    if (!Number.isFinite(call.limit) || call.limit <= 0)
      throw new RangeError(`limit must be a positive number or null, got ${call.limit}`);
    if (this.#queuedIn.has(call.callId)) throw new Error(`call ${call.callId} is already queued`);
    const key = cpsBucketKey(call.credential);
    let bucket = this.#buckets.get(key);
    const intervalMs = 1000 / call.limit;
    if (bucket === undefined) {
      bucket = { intervalMs, nextFreeAt: Number.NEGATIVE_INFINITY, queue: [] };
      this.#buckets.set(key, bucket);
    } else if (bucket.intervalMs !== intervalMs) {
      // The limit changed (a credential was edited): the next gap uses the new rate.
      bucket.nextFreeAt = bucket.nextFreeAt - bucket.intervalMs + intervalMs;
      bucket.intervalMs = intervalMs;
    }
    // FIFO: while others wait, a new call waits behind them even if the token is back.
    if (bucket.queue.length === 0 && bucket.nextFreeAt <= now) {
      bucket.nextFreeAt = now + bucket.intervalMs;
      return { kind: 'send' };
    }
    if (bucket.queue.length >= this.maxQueue || this.queueMs === 0)
      return {
        kind: 'refused',
        ...this.#refusal(bucket, call, this.queueMs === 0 ? 'queue_timeout' : 'queue_full', now),
      };
    bucket.queue.push({ call, deadline: now + this.queueMs });
    this.#queuedIn.set(call.callId, key);
    return { kind: 'queued', depth: bucket.queue.length };
  }

  /** Releases every call whose turn has come by `now` and refuses those that waited too long. */
  next(now: number): NextResult<C> {
    const released: C[] = [];
    const refused: Refusal<C>[] = [];
    for (const [key, bucket] of this.#buckets) {
      const head = bucket.queue[0];
      if (head !== undefined && bucket.nextFreeAt <= now) {
        bucket.queue.shift();
        this.#queuedIn.delete(head.call.callId);
        // From `now`, not from nextFreeAt: a late next() must not let two calls leave closer
        // together than the interval.
        bucket.nextFreeAt = now + bucket.intervalMs;
        released.push(head.call);
      }
      const expired = bucket.queue.filter((w) => w.deadline <= now);
      if (expired.length > 0) {
        bucket.queue = bucket.queue.filter((w) => w.deadline > now);
        for (const w of expired) {
          this.#queuedIn.delete(w.call.callId);
          refused.push(this.#refusal(bucket, w.call, 'queue_timeout', now));
        }
      }
      if (bucket.queue.length === 0 && bucket.nextFreeAt <= now) this.#buckets.delete(key);
    }
    return { released, refused };
  }

  /** Removes a queued call (the platform's CANCEL); false when it is not queued. */
  cancel(callId: string): boolean {
    const key = this.#queuedIn.get(callId);
    if (key === undefined) return false;
    this.#queuedIn.delete(callId);
    const bucket = this.#buckets.get(key);
    if (bucket !== undefined) bucket.queue = bucket.queue.filter((w) => w.call.callId !== callId);
    return true;
  }

  /** When next() has something to do: the earliest token return or deadline of a non-empty queue. */
  nextWakeAt(): number | undefined {
    let at: number | undefined;
    for (const bucket of this.#buckets.values()) {
      const head = bucket.queue[0];
      if (head === undefined) continue;
      const soonest = Math.min(bucket.nextFreeAt, ...bucket.queue.map((w) => w.deadline));
      if (at === undefined || soonest < at) at = soonest;
    }
    return at;
  }

  /** Calls queued for a credential's bucket (the queue-depth metric). */
  depth(credential: CpsSettings): number {
    return this.#buckets.get(cpsBucketKey(credential))?.queue.length ?? 0;
  }

  /** Calls queued in all buckets. */
  get queued(): number {
    return this.#queuedIn.size;
  }

  #refusal(bucket: Bucket<C>, call: C, reason: RefusalReason, now: number): Refusal<C> {
    // The bucket has room again once the token is back and the calls still queued have left.
    const waitMs = Math.max(0, bucket.nextFreeAt - now) + bucket.queue.length * bucket.intervalMs;
    return { call, reason, status: 503, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
