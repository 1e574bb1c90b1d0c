// What every RFC 3261 §17 state machine shares: a key, a state, named timers on an injected clock,
// sending through an injected transport, and a single way to reach Terminated. The four machines
// (invite-client-transaction.ts, non-invite-client-transaction.ts, invite-server-transaction.ts,
// non-invite-server-transaction.ts) extend it, as SIP.js keeps `transaction.ts` under theirs.
import {
  DEFAULT_TIMER_VALUES,
  type TimerDurations,
  type TimerName,
  type TimerValues,
  type TransactionClock,
  timerDurations,
} from './timers.ts';
import type { TransactionTransport } from './transaction-transport.ts';

/** What every transaction is built with. */
export interface TransactionOptions {
  readonly transport: TransactionTransport;
  readonly clock: TransactionClock;
  /** T1/T2/T4 (RFC 3261 §17.1.1.1); the Table 4 defaults when absent. */
  readonly timers?: TimerValues;
}

export type TransactionKind = 'invite-client' | 'non-invite-client' | 'invite-server' | 'non-invite-server';

export abstract class Transaction<S extends string> {
  abstract readonly kind: TransactionKind;
  /** The matching key of transaction-key.ts (§17.1.3 for clients, §17.2.3 for servers). */
  readonly key: string;
  protected readonly transport: TransactionTransport;
  protected readonly clock: TransactionClock;
  protected readonly timerValues: TimerValues;
  protected readonly durations: TimerDurations;
  #state: S;
  #started = false;
  readonly #timers = new Map<TimerName, unknown>();
  readonly #terminationListeners: Array<() => void> = [];
  #unsubscribeTransport: (() => void) | undefined;

  protected constructor(key: string, initial: S, options: TransactionOptions) {
    this.key = key;
    this.#state = initial;
    this.transport = options.transport;
    this.clock = options.clock;
    this.timerValues = options.timers ?? DEFAULT_TIMER_VALUES;
    this.durations = timerDurations(this.timerValues, options.transport.reliable);
  }

  get state(): S {
    return this.#state;
  }

  get reliable(): boolean {
    return this.transport.reliable;
  }

  /** Names of the timers running now (for tests and diagnostics). */
  runningTimers(): TimerName[] {
    return [...this.#timers.keys()].sort();
  }

  /** Called once, when the transaction reaches Terminated (the table removes it here). */
  onTerminated(listener: () => void): void {
    if (this.#state === 'terminated') listener();
    else this.#terminationListeners.push(listener);
  }

  /**
   * Starts the machine: subscribes to transport errors, then runs the entry actions of the initial
   * state (send the request, or the 100 Trying). Kept apart from the constructor so a table can
   * refuse a transaction before anything goes on the wire.
   */
  start(): void {
    if (this.#started) throw new Error('transaction already started');
    this.#started = true;
    this.#unsubscribeTransport = this.transport.onError((error) => this.#transportFailed(error));
    this.enter();
  }

  protected get started(): boolean {
    return this.#started;
  }

  /** Entry actions of the initial state. */
  protected abstract enter(): void;

  /**
   * Tells the TU about a transport failure, after the base class terminated the transaction
   * (§17.1.4, §17.2.4). `stateBefore` is the state the failure hit.
   */
  protected abstract reportTransportError(error: Error, stateBefore: S): void;

  protected setState(state: S): void {
    this.#state = state;
  }

  /** Starts (or restarts) a timer; 0 ms runs `fire` at once — the "zero seconds" of a reliable transport. */
  protected startTimer(name: TimerName, delayMs: number, fire: () => void): void {
    this.stopTimer(name);
    if (delayMs === 0) {
      fire();
      return;
    }
    const handle = this.clock.setTimer(delayMs, () => {
      this.#timers.delete(name);
      if (this.#state !== 'terminated') fire();
    });
    this.#timers.set(name, handle);
  }

  protected stopTimer(name: TimerName): void {
    const handle = this.#timers.get(name);
    if (handle === undefined) return;
    this.#timers.delete(name);
    this.clock.clearTimer(handle);
  }

  /** Sends bytes; a synchronous failure is a transport error. Returns false when the transaction died of it. */
  protected send(bytes: Buffer): boolean {
    try {
      this.transport.send(bytes);
      return true;
    } catch (err) {
      this.#transportFailed(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
  }

  /** Stops every timer, drops the transport subscription, and tells the listeners, once. */
  protected terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated' as S;
    for (const handle of this.#timers.values()) this.clock.clearTimer(handle);
    this.#timers.clear();
    this.#unsubscribeTransport?.();
    this.#unsubscribeTransport = undefined;
    const listeners = this.#terminationListeners.splice(0);
    for (const l of listeners) l();
  }

  #transportFailed(error: Error): void {
    const before = this.#state;
    if (before === 'terminated') return;
    this.terminate();
    this.reportTransportError(error, before);
  }
}
