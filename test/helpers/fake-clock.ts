// A hand-driven TransactionClock: timers fire only inside advance(), in due-time order (ties in the
// order they were set), so a test walks RFC 3261 §17 timers without waiting on the wall clock.
import type { TransactionClock } from '../../src/sip/transaction/timers.ts';

interface Pending {
  readonly id: number;
  readonly due: number;
  readonly fire: () => void;
}

export class FakeClock implements TransactionClock {
  #now = 0;
  #seq = 0;
  readonly #pending = new Map<number, Pending>();

  get now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fire: () => void): unknown {
    const id = ++this.#seq;
    this.#pending.set(id, { id, due: this.#now + delayMs, fire });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  /** Timers not yet fired or cleared. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, including ones set meanwhile. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.#pending.values()) {
        if (
          p.due <= end &&
          (next === undefined || p.due < next.due || (p.due === next.due && p.id < next.id))
        )
          next = p;
      }
      if (next === undefined) break;
      this.#pending.delete(next.id);
      this.#now = next.due;
      next.fire();
    }
    this.#now = end;
  }
}
