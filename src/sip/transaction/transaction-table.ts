// The transactions of one edge thread, found by the keys of transaction-key.ts (RFC 3261 §17.1.3,
// §17.2.3). A table belongs to the thread that created it: it is a plain Map touched only from that
// thread's event loop, so it needs no locks, and a transaction's timers fire on the same loop. Another
// thread has a table of its own; the edge steers a transaction's messages to the thread that owns it.
//
// The table is bounded: each live transaction holds its request and last response (up to 64 KiB
// each), so an unbounded table is a memory exhaustion vector. When it is full, `add` refuses with a
// value; the creator answers a new server transaction's request statelessly with 503 and Retry-After
// (RFC 3261 §21.5.4) and treats a refused client transaction like a transport error (§8.1.3.1).
import { threadId } from 'node:worker_threads';
import type { SipRequest, SipResponse } from '../parser/sip-message.ts';
import type { InviteClientTransaction } from './invite-client-transaction.ts';
import type { InviteServerTransaction } from './invite-server-transaction.ts';
import type { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import { cancelTargetKey, requestKey, responseKey } from './transaction-key.ts';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
export type AnyTransaction = ClientTransaction | ServerTransaction;

/**
 * Default bound per table (per thread). bench/sip/transaction-table.ts measures about 10 KiB of heap
 * per live INVITE transaction with a 630-byte INVITE, so 20 000 is about 200 MiB; a transaction holds
 * its request parsed and serialized plus its last response, so with messages at the parser's 64 KiB
 * limit it is ~20 times that. Size the bound to the thread's memory. Once a final response is out,
 * a transaction lives at most 37 s at the default timers (H 32 s + I 5 s); before that its life is
 * the TU's — Proceeding has no timer, a proxy bounds it with Timer C (RFC 3261 §16.6 step 11).
 */
export const DEFAULT_MAX_TRANSACTIONS = 20_000;

export type AddOutcome =
  | { readonly kind: 'added' }
  /** A live transaction already has this key: the request is a retransmission, hand it to `existing`. */
  | { readonly kind: 'duplicate'; readonly existing: AnyTransaction }
  /** The table holds `limit` transactions; nothing was added or sent. */
  | { readonly kind: 'full'; readonly limit: number };

const ADDED: AddOutcome = Object.freeze({ kind: 'added' });

export interface TransactionTableOptions {
  /** Most live transactions (client + server) at once; default DEFAULT_MAX_TRANSACTIONS. */
  readonly maxTransactions?: number;
}

export class TransactionTable {
  readonly limit: number;
  /** The worker thread (0 = main) that created the table; for diagnostics. */
  readonly ownerThreadId = threadId;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();
  #refused = 0;

  constructor(options: TransactionTableOptions = {}) {
    const limit = options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS;
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('maxTransactions must be a positive integer');
    this.limit = limit;
  }

  /** Live transactions, client and server. */
  get size(): number {
    return this.#clients.size + this.#servers.size;
  }

  /** How many transactions `add` refused because the table was full. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Files a transaction that has not started yet, and removes it again when it terminates. The
   * caller starts it (`tx.start()`) only on `added`, so a refused transaction never sends anything.
   */
  add(tx: AnyTransaction): AddOutcome {
    const map: Map<string, AnyTransaction> =
      tx.kind === 'invite-client' || tx.kind === 'non-invite-client' ? this.#clients : this.#servers;
    const existing = map.get(tx.key);
    if (existing !== undefined) return { kind: 'duplicate', existing };
    if (this.size >= this.limit) {
      this.#refused++;
      return { kind: 'full', limit: this.limit };
    }
    map.set(tx.key, tx);
    tx.onTerminated(() => {
      if (map.get(tx.key) === tx) map.delete(tx.key);
    });
    return ADDED;
  }

  /** §17.1.3: the client transaction a response belongs to, if any (else the core handles it, §18.1.2). */
  matchResponse(response: SipResponse): ClientTransaction | undefined {
    const key = responseKey(response);
    return key.ok ? this.#clients.get(key.value) : undefined;
  }

  /** §17.2.3: the server transaction a request belongs to — a retransmission, or the ACK of an INVITE. */
  matchRequest(request: SipRequest): ServerTransaction | undefined {
    const key = requestKey(request);
    return key.ok ? this.#servers.get(key.value) : undefined;
  }

  /** §9.2: the INVITE server transaction a CANCEL targets, if it is still live. */
  findCancelTarget(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = cancelTargetKey(cancel);
    if (!key.ok) return undefined;
    const tx = this.#servers.get(key.value);
    return tx?.kind === 'invite-server' ? tx : undefined;
  }
}
