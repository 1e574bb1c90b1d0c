// A mutex in one Int32 of shared memory (0 free, 1 held, 2 held with waiters): the futex-based
// mutex of Drepper, "Futexes Are Tricky" (2011), mutex #2, with Atomics.wait as the futex wait.
// Critical sections in src/state/ are a few dozen loads and stores, so a holder is almost never
// descheduled inside one; the wait is bounded (1 ms) so a thread killed while holding a lock cannot
// stop the others for longer than it takes them to notice nothing changed (see forceAfterMs).

/** A lock word that stays held this long is taken over: its holder is presumed dead (worker exit). */
const FORCE_AFTER_SPINS = 2000;

export function lockWord(i32: Int32Array, index: number): void {
  let c = Atomics.compareExchange(i32, index, 0, 1);
  if (c === 0) return;
  let rounds = 0;
  if (c !== 2) c = Atomics.exchange(i32, index, 2);
  while (c !== 0) {
    Atomics.wait(i32, index, 2, 1);
    c = Atomics.exchange(i32, index, 2);
    if (++rounds >= FORCE_AFTER_SPINS && c !== 0) {
      // ~2 s held: the holder died mid-section (a terminated worker thread). Take the lock; the
      // record it guarded may be half-written, which costs one slot's correctness, not availability.
      return;
    }
  }
}

export function unlockWord(i32: Int32Array, index: number): void {
  if (Atomics.sub(i32, index, 1) !== 1) {
    Atomics.store(i32, index, 0);
    Atomics.notify(i32, index, 1);
  }
}
