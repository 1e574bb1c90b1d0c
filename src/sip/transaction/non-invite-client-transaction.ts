import { serializeRequest } from '../parser/serialize.ts';
import type { SipRequest, SipResponse } from '../parser/sip-message.ts';
import type { ClientTransactionUser, ReceiveResponseOutcome } from './client-transaction-user.ts';
import { nextCappedInterval } from './timers.ts';
import { Transaction, type TransactionOptions } from './transaction.ts';
import { clientRequestKey } from './transaction-key.ts';

export const NON_INVITE_CLIENT_STATES = ['trying', 'proceeding', 'completed', 'terminated'] as const;
export type NonInviteClientState = (typeof NON_INVITE_CLIENT_STATES)[number];

const PASSED_UP: ReceiveResponseOutcome = Object.freeze({ kind: 'passed_up' });
const ABSORBED: ReceiveResponseOutcome = Object.freeze({ kind: 'absorbed' });

/**
 * Non-INVITE client transaction — RFC 3261 §17.1.2, Figure 6
 * (https://www.rfc-editor.org/rfc/rfc3261#section-17.1.2).
 *
 * - Trying: the request is sent; Timer E (unreliable only) resends it at T1, doubling up to T2;
 *   Timer F (64·T1) ends the transaction with a timeout.
 * - 1xx → Proceeding, passed up; Timer E keeps running, now at T2.
 * - 200–699 → Completed, passed up; retransmitted responses are absorbed; Timer K (T4 unreliable,
 *   0 reliable) → Terminated.
 * - A transport error → Terminated; the TU is told unless it already has the final response (§17.1.4).
 *
 * Used for every method but INVITE and ACK (an ACK has no client transaction, §17).
 */
export class NonInviteClientTransaction extends Transaction<NonInviteClientState> {
  readonly kind = 'non-invite-client' as const;
  readonly request: SipRequest;
  readonly #user: ClientTransactionUser;
  readonly #bytes: Buffer;
  #intervalE = 0;
  #retransmissions = 0;

  /** Throws RangeError for INVITE/ACK or a request without a magic-cookie branch (a TU bug). */
  constructor(request: SipRequest, user: ClientTransactionUser, options: TransactionOptions) {
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new RangeError(`NonInviteClientTransaction cannot carry ${request.method}`);
    }
    const key = clientRequestKey(request);
    if (!key.ok) throw new RangeError(`NonInviteClientTransaction: ${key.reason}`);
    super(key.value, 'trying', options);
    this.request = request;
    this.#user = user;
    this.#bytes = serializeRequest(request);
  }

  /** How many times the request was sent again by Timer E. */
  get retransmissions(): number {
    return this.#retransmissions;
  }

  /** §17.1.2.2: Trying — send; Timer E only on an unreliable transport; Timer F always. */
  protected enter(): void {
    if (!this.send(this.#bytes)) return;
    const e = this.durations.E;
    if (e !== undefined) {
      this.#intervalE = e;
      this.startTimer('E', e, () => this.#timerE());
    }
    this.startTimer('F', this.durations.F, () => this.#timerF());
  }

  /** A response whose key matched this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): ReceiveResponseOutcome {
    if (!this.started) throw new Error('transaction not started');
    switch (this.state) {
      case 'trying':
      case 'proceeding':
        if (response.status < 200) {
          this.setState('proceeding');
          this.#user.receiveResponse(response);
          return PASSED_UP;
        }
        this.setState('completed');
        this.stopTimer('E');
        this.stopTimer('F');
        this.#user.receiveResponse(response);
        this.startTimer('K', this.durations.K, () => this.terminate());
        return PASSED_UP;
      case 'completed':
      case 'terminated':
        return ABSORBED;
    }
  }

  /** §17.1.4; in Completed the TU already has the final response and is not told (as for INVITE). */
  protected reportTransportError(error: Error, stateBefore: NonInviteClientState): void {
    if (stateBefore !== 'completed') this.#user.transportError(error);
  }

  /** §17.1.2.2: Timer E — in Trying the interval doubles up to T2; in Proceeding it is T2. */
  #timerE(): void {
    const state = this.state;
    if (state !== 'trying' && state !== 'proceeding') return;
    this.#retransmissions++;
    if (!this.send(this.#bytes)) return;
    this.#intervalE =
      state === 'trying' ? nextCappedInterval(this.#intervalE, this.timerValues.t2) : this.timerValues.t2;
    this.startTimer('E', this.#intervalE, () => this.#timerE());
  }

  /** §17.1.2.2: Timer F in Trying or Proceeding — the TU is told of the timeout (a 408 for §8.1.3.1). */
  #timerF(): void {
    this.terminate();
    this.#user.timeout();
  }
}
