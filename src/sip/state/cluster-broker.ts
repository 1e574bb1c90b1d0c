// The state broker in the cluster primary: without Redis, the workers of one node share nonce counts,
// bans, CPS windows and registrar bindings through it (issue 7 item 5: state stays correct across cores).
//
// The primary holds the Memory implementations — one process, so every check-and-update is atomic — and
// answers each worker's batched calls (cluster-protocol.ts) with one reply message. New bans are pushed
// to every worker in one message per event-loop turn, and a new worker's client asks for the active bans
// when it is created, so isBanned() in every worker is a local lookup.
//
// The primary does no SIP work, so its event loop is free for this; a batch costs one IPC round trip
// for all the calls a worker made in one turn of its event loop.
import type { Cluster, Worker } from 'node:cluster';
import { MemoryNonceCountStore } from '../auth/nonce-count.ts';
import { MemoryAcceptedTransactions } from './accepted-transactions.ts';
import { type BanPolicy, MemoryBanList } from './ban-list.ts';
import { isStateMessage, isStateOp, type StateMessage, type StateReplyValue } from './cluster-protocol.ts';
import { MemoryCpsLimiter } from './cps-limiter.ts';
import { type Binding, MemoryRegistrarStore } from './registrar-store.ts';

export interface StateBrokerOptions {
  /** Ban policy (default 10 failures in 60 s → 60 s). */
  bans?: Partial<BanPolicy>;
  /** Hard cap on tracked nonces (MemoryNonceCountStore, default 200,000). */
  maxNonces?: number;
  maxBindingsPerAor?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

export interface StateBroker {
  readonly nonceCounts: MemoryNonceCountStore;
  readonly bans: MemoryBanList;
  readonly cps: MemoryCpsLimiter;
  readonly registrar: MemoryRegistrarStore;
  readonly acceptedTransactions: MemoryAcceptedTransactions;
  /** Stop serving (detaches from the cluster; workers' pending calls then time out). */
  close(): void;
}

function bindingsReply(bindings: Binding[], out: Array<string | number>): Array<string | number> {
  for (const b of bindings) out.push(b.contact, b.expiresSeconds);
  return out;
}

/**
 * Serve shared state to every current and future worker of `cluster`. Call it once in the primary,
 * before or after forking. Workers use createClusterStateClient() (cluster-client.ts).
 */
export function startStateBrokerInPrimary(cluster: Cluster, options: StateBrokerOptions = {}): StateBroker {
  const nonceCounts = new MemoryNonceCountStore({
    ...(options.maxNonces !== undefined ? { maxEntries: options.maxNonces } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  const cps = new MemoryCpsLimiter(options.now !== undefined ? { now: options.now } : {});
  const registrar = new MemoryRegistrarStore({
    ...(options.now !== undefined ? { now: options.now } : {}),
    ...(options.maxBindingsPerAor !== undefined ? { maxBindingsPerAor: options.maxBindingsPerAor } : {}),
  });

  const acceptedTransactions = new MemoryAcceptedTransactions(
    options.now !== undefined ? { now: options.now } : {},
  );

  let pendingBans: Array<string | number> = [];
  let broadcastScheduled = false;
  const broadcast = (): void => {
    broadcastScheduled = false;
    const msg: StateMessage = { tgState: 1, bans: pendingBans };
    pendingBans = [];
    for (const worker of Object.values(cluster.workers ?? {})) if (worker !== undefined) send(worker, msg);
  };
  const bans = new MemoryBanList({
    ...(options.bans !== undefined ? { policy: options.bans } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
    onBan: (address, remainingMs) => {
      pendingBans.push(address, remainingMs);
      if (!broadcastScheduled) {
        broadcastScheduled = true;
        setImmediate(broadcast);
      }
    },
  });

  const execute = (op: string, a: unknown[]): StateReplyValue => {
    switch (op) {
      case 'nc':
        return nonceCounts.check(String(a[0]), Number(a[1]), Number(a[2])) === 'fresh' ? 1 : 0;
      case 'fail': {
        const o = bans.recordFailure(String(a[0]));
        return [o.banned ? 1 : 0, o.failures, o.newlyBanned ? 1 : 0, o.banRemainingMs];
      }
      case 'cps':
        return cps.take(String(a[0]), Number(a[1])).retryAfterSeconds;
      case 'regSet': {
        const r = registrar.setBinding(String(a[0]), String(a[1]), Number(a[2]));
        return bindingsReply(r.bindings, [r.kind === 'ok' ? 1 : 0, registrar.maxBindingsPerAor]);
      }
      case 'regGet':
        return bindingsReply(registrar.getBindings(String(a[0])), []);
      case 'regDel':
        registrar.removeAll(String(a[0]));
        return 0;
      case 'bans':
        return bans.activeBans().flat();
      case 'txAdd':
        acceptedTransactions.remember(String(a[0]), Number(a[1]));
        return 0;
      case 'txHas':
        return acceptedTransactions.has(String(a[0])) ? 1 : 0;
      default:
        throw new Error(`unknown state op ${op}`);
    }
  };

  const onMessage = (worker: Worker, msg: unknown): void => {
    if (!isStateMessage(msg) || !Array.isArray(msg.calls)) return;
    const replies: Array<number | StateReplyValue> = [];
    const errors: Array<number | string> = [];
    for (const call of msg.calls) {
      if (!Array.isArray(call)) continue;
      const id = call[0];
      if (typeof id !== 'number') continue;
      try {
        if (!isStateOp(call[1])) throw new Error(`unknown state op ${String(call[1])}`);
        const value = execute(call[1], call.slice(2));
        if (id !== 0) replies.push(id, value);
      } catch (err) {
        // A caller's bug (e.g. a CPS limit of 0): answer it, never let it take the primary down.
        if (id !== 0) errors.push(id, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      }
    }
    if (replies.length === 0 && errors.length === 0) return;
    send(worker, errors.length > 0 ? { tgState: 1, replies, errors } : { tgState: 1, replies });
  };

  cluster.on('message', onMessage);

  return {
    nonceCounts,
    bans,
    cps,
    registrar,
    acceptedTransactions,
    close() {
      cluster.off('message', onMessage);
    },
  };
}

function send(worker: Worker, msg: StateMessage): void {
  if (!worker.isConnected()) return;
  try {
    // A worker that exits between isConnected() and here reports through the callback; nothing to do.
    worker.send(msg, () => {});
  } catch {
    // Channel closed synchronously: the worker is gone and so are its pending calls.
  }
}
