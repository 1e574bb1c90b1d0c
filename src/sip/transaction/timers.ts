// RFC 3261 §17 transaction timers (A–K) and the clock that runs them.
//
// Values follow RFC 3261 Appendix A, Table 4. Timers A, E and G retransmit and therefore run only on
// unreliable transports (§17.1.1.2, §17.1.2.2, §17.2.1); timers D, I, J and K absorb retransmissions
// and are zero on reliable transports, where nothing is retransmitted (§17.1.1.2, §17.1.2.2,
// §17.2.1, §17.2.2). The clock is injected so a transaction runs inside whichever thread owns it and
// tests can drive time by hand.

/** RFC 3261 §17.1.1.1: T1 (RTT estimate), T2 (max non-INVITE retransmit interval), T4 (max time a message stays in the network). */
export interface TimerValues {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
}

/** RFC 3261 Table 4 defaults, in milliseconds: T1 = 500 ms, T2 = 4 s, T4 = 5 s. */
export const DEFAULT_TIMER_VALUES: TimerValues = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/** RFC 3261 §17.1.1.2: Timer D "MUST be set to at least 32 seconds" on unreliable transports. */
export const TIMER_D_MIN_UNRELIABLE = 32_000;

export const TIMER_NAMES = ['A', 'B', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K'] as const;
export type TimerName = (typeof TIMER_NAMES)[number];

/**
 * Initial duration of every timer for one transport kind, in milliseconds. `undefined` means the
 * timer is not started at all (A, E, G on a reliable transport); 0 means the state it guards is left
 * at once.
 */
export interface TimerDurations {
  readonly A: number | undefined;
  readonly B: number;
  readonly D: number;
  readonly E: number | undefined;
  readonly F: number;
  readonly G: number | undefined;
  readonly H: number;
  readonly I: number;
  readonly J: number;
  readonly K: number;
}

/** Rejects T1/T2/T4 that would make a timer fire never or in a busy loop (a configuration bug). */
export function checkTimerValues(v: TimerValues): TimerValues {
  for (const [name, ms] of [
    ['t1', v.t1],
    ['t2', v.t2],
    ['t4', v.t4],
  ] as const) {
    if (!Number.isFinite(ms) || ms <= 0)
      throw new RangeError(`timer ${name} must be a positive number of ms`);
  }
  if (v.t2 < v.t1) throw new RangeError('timer t2 must not be smaller than t1');
  return v;
}

/** RFC 3261 Table 4, for a reliable (TCP, TLS, SCTP) or unreliable (UDP) transport. */
export function timerDurations(values: TimerValues, reliable: boolean): TimerDurations {
  const { t1, t4 } = checkTimerValues(values);
  return {
    A: reliable ? undefined : t1,
    B: 64 * t1,
    D: reliable ? 0 : Math.max(TIMER_D_MIN_UNRELIABLE, 64 * t1),
    E: reliable ? undefined : t1,
    F: 64 * t1,
    G: reliable ? undefined : t1,
    H: 64 * t1,
    I: reliable ? 0 : t4,
    J: reliable ? 0 : 64 * t1,
    K: reliable ? 0 : t4,
  };
}

/** Timer A: doubles without bound (§17.1.1.2) — Timer B ends the transaction after 7 retransmissions at default values. */
export function nextTimerA(previous: number): number {
  return previous * 2;
}

/** Timers E (§17.1.2.2) and G (§17.2.1): double, capped at T2. */
export function nextCappedInterval(previous: number, t2: number): number {
  return Math.min(previous * 2, t2);
}

/** Timer scheduling, injected so transactions run on any thread's event loop and under a fake clock in tests. */
export interface TransactionClock {
  setTimer(delayMs: number, fire: () => void): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * The event loop's timers, unref'd: the thread's sockets keep it alive while it serves, and once they
 * close, a transaction waiting out Timer D (32 s) must not hold the thread open.
 */
export const systemClock: TransactionClock = {
  setTimer: (delayMs, fire) => setTimeout(fire, delayMs).unref(),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
