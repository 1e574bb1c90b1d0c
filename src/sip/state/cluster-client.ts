// The worker side of the cluster state broker (cluster-broker.ts runs in the primary).
//
// Batching: every call made during one turn of the worker's event loop — e.g. the nonce-count checks of
// all the datagrams read in one poll phase — is queued and sent as ONE IPC message from a setImmediate
// callback (the check phase right after that poll phase); the primary answers with one message and each
// promise resolves from its request id. At 10,000 authenticated requests/s that is a few hundred small
// messages a second rather than 10,000.
//
// isBanned() is answered from a local BanCache, filled by the primary's ban broadcasts, by the replies to
// this worker's own recordFailure() calls (no wait for the broadcast), and by a snapshot of the active
// bans requested when the client is created.
//
// A call the primary does not answer within `timeoutMs` (default 2 s) rejects with StateUnavailableError;
// so does every call once the IPC channel is closed. Nonce-count checks thereby fail closed.
import { isValidNc, type NonceCountResult, type NonceCountStore } from '../auth/nonce-count.ts';
import type { AcceptedTransactions } from './accepted-transactions.ts';
import { BanCache, DEFAULT_MAX_BANS } from './ban-cache.ts';
import type { BanList, FailureOutcome } from './ban-list.ts';
import { isStateMessage, type StateCall, type StateMessage, type StateOp } from './cluster-protocol.ts';
import { type CpsDecision, type CpsLimiter, cpsWindow } from './cps-limiter.ts';
import type { Binding, RegistrarStore, SetBindingResult } from './registrar-store.ts';
import { StateUnavailableError } from './state-unavailable-error.ts';

export interface ClusterStateClientOptions {
  /** How long a call may wait for the primary. Default 2000 ms. */
  timeoutMs?: number;
  /** Clock in ms for the local ban cache, for tests. */
  now?: () => number;
  maxBans?: number;
}

export interface ClusterStateClient {
  readonly nonceCounts: NonceCountStore;
  readonly bans: BanList;
  readonly cps: CpsLimiter;
  readonly registrar: RegistrarStore;
  readonly acceptedTransactions: AcceptedTransactions;
  /** Calls sent and not yet answered. */
  readonly pendingCalls: number;
  /** IPC messages sent so far (each carries every call of one event-loop turn). */
  readonly batchesSent: number;
  /** Stop listening; pending calls reject. */
  close(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  sentAt: number;
}

type IpcProcess = NodeJS.Process & { send: NonNullable<NodeJS.Process['send']> };

// Request ids are unique per process, not per client: every client sees every reply message and
// settles only the ids it is waiting for.
let nextRequestId = 1;

class StateChannel {
  batchesSent = 0;
  private queue: StateCall[] = [];
  private flushScheduled = false;
  private readonly pending = new Map<number, Pending>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly onMessage = (msg: unknown): void => this.receive(msg);

  constructor(
    private readonly proc: IpcProcess,
    private readonly timeoutMs: number,
    private readonly onBans: (bans: Array<string | number>) => void,
  ) {
    proc.on('message', this.onMessage);
    this.timer = setInterval(() => this.expire(), Math.max(10, Math.floor(timeoutMs / 4)));
    this.timer.unref();
  }

  get size(): number {
    return this.pending.size;
  }

  call(op: StateOp, ...args: Array<string | number>): Promise<unknown> {
    if (this.closed)
      return Promise.reject(new StateUnavailableError('cluster', 'cluster state client is closed'));
    const id = nextRequestId++;
    this.enqueue([id, op, ...args]);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, sentAt: Date.now() });
    });
  }

  /** Fire-and-forget: sent with the next batch, never answered. */
  cast(op: StateOp, ...args: Array<string | number>): void {
    if (!this.closed) this.enqueue([0, op, ...args]);
  }

  private enqueue(call: StateCall): void {
    this.queue.push(call);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.proc.off('message', this.onMessage);
    this.failAll(new StateUnavailableError('cluster', 'cluster state client is closed'));
  }

  private flush(): void {
    this.flushScheduled = false;
    const calls = this.queue;
    this.queue = [];
    if (calls.length === 0 || this.closed) return;
    const msg: StateMessage = { tgState: 1, calls };
    this.batchesSent++;
    const fail = (err: unknown): void => {
      const e = new StateUnavailableError('cluster', 'the cluster primary cannot be reached', { cause: err });
      for (const c of calls) this.settle(c[0], (p) => p.reject(e));
    };
    try {
      if (!this.proc.connected) throw new Error('IPC channel closed');
      this.proc.send(msg, undefined, undefined, (err) => {
        if (err) fail(err);
      });
    } catch (err) {
      fail(err);
    }
  }

  private receive(msg: unknown): void {
    if (!isStateMessage(msg)) return;
    const { replies, errors, bans } = msg;
    if (replies !== undefined) {
      for (let i = 0; i + 1 < replies.length; i += 2) {
        const value = replies[i + 1];
        this.settle(replies[i] as number, (p) => p.resolve(value));
      }
    }
    if (errors !== undefined) {
      for (let i = 0; i + 1 < errors.length; i += 2) {
        const message = String(errors[i + 1]);
        this.settle(errors[i] as number, (p) =>
          p.reject(
            message.startsWith('RangeError: ') ? new RangeError(message.slice(12)) : new Error(message),
          ),
        );
      }
    }
    if (bans !== undefined) this.onBans(bans);
  }

  private settle(id: number, fn: (p: Pending) => void): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    fn(p);
  }

  private expire(): void {
    const limit = Date.now() - this.timeoutMs;
    // Map order is send order: stop at the first call still within its time.
    for (const [id, p] of this.pending) {
      if (p.sentAt > limit) return;
      this.pending.delete(id);
      p.reject(
        new StateUnavailableError(
          'cluster',
          `the cluster primary did not answer within ${this.timeoutMs} ms`,
        ),
      );
    }
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}

function toBindings(r: Array<string | number>, from: number): Binding[] {
  const out: Binding[] = [];
  for (let i = from; i + 1 < r.length; i += 2)
    out.push({ contact: String(r[i]), expiresSeconds: Number(r[i + 1]) });
  return out;
}

/**
 * The shared state for a cluster worker, served by startStateBrokerInPrimary() in the primary.
 * Throws when this process is not a child with an IPC channel.
 */
export function createClusterStateClient(options: ClusterStateClientOptions = {}): ClusterStateClient {
  if (typeof process.send !== 'function') {
    throw new Error('createClusterStateClient: this process has no IPC channel (is it a cluster worker?)');
  }
  const cache = new BanCache(options.now ?? Date.now, options.maxBans ?? DEFAULT_MAX_BANS);
  const addBans = (bans: Array<string | number>): void => {
    for (let i = 0; i + 1 < bans.length; i += 2) cache.add(String(bans[i]), Number(bans[i + 1]));
  };
  const channel = new StateChannel(process as IpcProcess, options.timeoutMs ?? 2000, addBans);
  // Bans that are already active (pushes made before this listener existed never reached it).
  channel.call('bans').then(
    (r) => addBans(r as Array<string | number>),
    () => {},
  );

  const nonceCounts: NonceCountStore = {
    check(nonceId: string, nc: number, ttlSeconds: number): Promise<NonceCountResult> {
      if (!isValidNc(nc)) return Promise.resolve('replay');
      return channel.call('nc', nonceId, nc, ttlSeconds).then((r) => (r === 1 ? 'fresh' : 'replay'));
    },
  };

  const bans: BanList = {
    recordFailure(address: string): Promise<FailureOutcome> {
      return channel.call('fail', address).then((r) => {
        const [banned, failures, newlyBanned, banRemainingMs] = r as [number, number, number, number];
        if (banned === 1) cache.add(address, banRemainingMs);
        return { banned: banned === 1, failures, newlyBanned: newlyBanned === 1, banRemainingMs };
      });
    },
    isBanned(address: string): boolean {
      return cache.isBanned(address);
    },
  };

  const cps: CpsLimiter = {
    take(key: string, limit: number): Promise<CpsDecision> {
      cpsWindow(limit); // a bad limit is the caller's bug: throw here, not in the primary
      return channel
        .call('cps', key, limit)
        .then((r) => ({ allowed: r === 0, retryAfterSeconds: r as number }));
    },
  };

  const registrar: RegistrarStore = {
    setBinding(aor: string, contact: string, expiresSeconds: number): Promise<SetBindingResult> {
      return channel.call('regSet', aor, contact, expiresSeconds).then((raw) => {
        const r = raw as Array<string | number>;
        const bindings = toBindings(r, 2); // [status, maxBindingsPerAor, contact, seconds, …]
        return r[0] === 1
          ? { kind: 'ok', bindings }
          : { kind: 'too_many_bindings', max: Number(r[1]), bindings };
      });
    },
    getBindings(aor: string): Promise<Binding[]> {
      return channel.call('regGet', aor).then((r) => toBindings(r as Array<string | number>, 0));
    },
    async removeAll(aor: string): Promise<void> {
      await channel.call('regDel', aor);
    },
  };

  const acceptedTransactions: AcceptedTransactions = {
    remember(key: string, ttlSeconds: number): void {
      channel.cast('txAdd', key, ttlSeconds);
    },
    has(key: string): Promise<boolean> {
      return channel.call('txHas', key).then((r) => r === 1);
    },
  };

  return {
    nonceCounts,
    bans,
    cps,
    registrar,
    acceptedTransactions,
    get pendingCalls() {
      return channel.size;
    },
    get batchesSent() {
      return channel.batchesSent;
    },
    close: () => channel.close(),
  };
}
