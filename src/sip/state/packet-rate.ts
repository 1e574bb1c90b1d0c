// The global per-source packet rate cap (issue 7 item 6): the first check on every packet, before
// parsing, so it is synchronous, O(1) and allocation-light, and its memory stays bounded under a flood of
// spoofed source addresses.
//
// Per-process approximation: each process (cluster worker) enforces its share, perSecond / processes,
// with no coordination — sharing a counter per packet would cost more than the packets it protects
// against. A source whose packets the kernel spreads evenly over the workers gets the full cap; one whose
// packets all land on one worker (e.g. a single TCP connection, which is pinned to a worker) gets
// perSecond / processes. Never more than perSecond in total per node. Not shared between nodes.
//
// Each source has a token bucket: rate = share/s, burst = max(1, share) (one second's worth). Buckets
// live in two generations of Maps that rotate every `generationMs` (the time a bucket takes to refill:
// 1 s, longer for shares under one packet per second), or earlier when the current one holds
// `maxEntries`: a source seen in the previous generation moves to the current one, anything older is
// dropped with it. Rotation loses nothing when it is time-driven — a bucket idle for generationMs is
// full, exactly like a new one. Only early (size-driven) rotations — more than maxEntries sources within
// one generation, i.e. a spoofed flood — can hand a source that paused for a moment a full bucket again.
// Memory is at most 2 × maxEntries buckets.

export const DEFAULT_PACKET_RATE_PER_SECOND = 200;

export interface PacketRateOptions {
  /** Packets per second allowed from one source address, per node. Default 200. */
  perSecond?: number;
  /** Processes sharing the cap on this node (cluster workers); each allows perSecond / processes. */
  processes?: number;
  /** Sources per generation (memory bound: twice this). Default 50,000. */
  maxEntries?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export class PacketRateLimiter {
  /** This process's share, in packets per second. */
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxEntries: number;
  /** Time an idle bucket takes to refill completely: 1 s, or 1/rate for rates under one per second. */
  readonly generationMs: number;
  private current = new Map<string, Bucket>();
  private previous = new Map<string, Bucket>();
  private generationStart: number;
  private readonly ratePerMs: number;
  private readonly now: () => number;

  constructor(options: PacketRateOptions = {}) {
    const perSecond = options.perSecond ?? DEFAULT_PACKET_RATE_PER_SECOND;
    const processes = options.processes ?? 1;
    if (!(Number.isFinite(perSecond) && perSecond > 0)) {
      throw new RangeError('PacketRateLimiter: perSecond must be a positive number');
    }
    if (!(Number.isInteger(processes) && processes >= 1)) {
      throw new RangeError('PacketRateLimiter: processes must be a positive integer');
    }
    this.maxEntries = options.maxEntries ?? 50_000;
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries >= 1)) {
      throw new RangeError('PacketRateLimiter: maxEntries must be a positive integer');
    }
    this.ratePerSecond = perSecond / processes;
    this.ratePerMs = this.ratePerSecond / 1000;
    this.burst = Math.max(1, this.ratePerSecond);
    this.generationMs = (this.burst / this.ratePerSecond) * 1000;
    this.now = options.now ?? Date.now;
    this.generationStart = this.now();
  }

  /** Sources currently remembered (both generations). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** Count one packet from `address`; false means drop it. */
  allow(address: string): boolean {
    const now = this.now();
    const age = now - this.generationStart;
    if (age >= this.generationMs || this.current.size >= this.maxEntries) {
      // Every call rotates a generation older than generationMs, so after two of them without packets
      // even the current generation's buckets have refilled: full, i.e. forgettable.
      this.previous = age >= 2 * this.generationMs ? new Map() : this.current;
      this.current = new Map();
      this.generationStart = now;
    }
    let b = this.current.get(address);
    if (b === undefined) {
      b = this.previous.get(address);
      if (b === undefined) {
        this.current.set(address, { tokens: this.burst - 1, last: now });
        return true;
      }
      this.previous.delete(address);
      this.current.set(address, b);
    }
    const elapsed = now - b.last;
    if (elapsed > 0) {
      b.tokens = Math.min(this.burst, b.tokens + elapsed * this.ratePerMs);
      b.last = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }
}
