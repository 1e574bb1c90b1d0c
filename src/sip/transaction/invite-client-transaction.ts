import { serializeRequest } from '../parser/serialize.ts';
import type { SipRequest, SipResponse } from '../parser/sip-message.ts';
import type { ClientTransactionUser, ReceiveResponseOutcome } from './client-transaction-user.ts';
import { buildNon2xxAck } from './non-2xx-ack.ts';
import { nextTimerA } from './timers.ts';
import { Transaction, type TransactionOptions } from './transaction.ts';
import { clientRequestKey } from './transaction-key.ts';

export const INVITE_CLIENT_STATES = ['calling', 'proceeding', 'completed', 'terminated'] as const;
export type InviteClientState = (typeof INVITE_CLIENT_STATES)[number];

const PASSED_UP: ReceiveResponseOutcome = Object.freeze({ kind: 'passed_up' });
const ABSORBED: ReceiveResponseOutcome = Object.freeze({ kind: 'absorbed' });

/**
 * INVITE client transaction — RFC 3261 §17.1.1, Figure 5
 * (https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1).
 *
 * - Calling: the INVITE is sent; Timer A (unreliable only) resends it at T1, 2·T1, 4·T1 …; Timer B
 *   (64·T1) ends the transaction with a timeout.
 * - 1xx → Proceeding (retransmissions stop), passed up. 2xx → Terminated, passed up.
 * - 300–699 → Completed: the ACK is sent hop-by-hop (§17.1.1.3), the response passed up; a
 *   retransmitted final is answered with the same ACK; Timer D (32 s unreliable, 0 reliable) → Terminated.
 * - A transport error → Terminated; the TU is told unless it already has the final response (§17.1.4).
 *
 * RFC 6026's Accepted state is not implemented: a 2xx ends the transaction at once, as in RFC 3261,
 * and 2xx retransmissions reach the core as responses without a transaction (§18.1.2).
 */
export class InviteClientTransaction extends Transaction<InviteClientState> {
  readonly kind = 'invite-client' as const;
  readonly request: SipRequest;
  readonly #user: ClientTransactionUser;
  readonly #bytes: Buffer;
  #ackBytes: Buffer | undefined;
  #intervalA = 0;
  #retransmissions = 0;

  /** Throws RangeError when `request` is not an INVITE with a magic-cookie branch (a TU bug). */
  constructor(request: SipRequest, user: ClientTransactionUser, options: TransactionOptions) {
    if (request.method !== 'INVITE') throw new RangeError('InviteClientTransaction needs an INVITE');
    const key = clientRequestKey(request);
    if (!key.ok) throw new RangeError(`InviteClientTransaction: ${key.reason}`);
    super(key.value, 'calling', options);
    this.request = request;
    this.#user = user;
    this.#bytes = serializeRequest(request);
  }

  /** How many times the INVITE was sent again by Timer A. */
  get retransmissions(): number {
    return this.#retransmissions;
  }

  /** The hop-by-hop ACK sent for the 300–699 response, once there is one. */
  get ack(): Buffer | undefined {
    return this.#ackBytes;
  }

  /** §17.1.1.2: Calling — send the INVITE; Timer A only on an unreliable transport; Timer B always. */
  protected enter(): void {
    if (!this.send(this.#bytes)) return;
    const a = this.durations.A;
    if (a !== undefined) {
      this.#intervalA = a;
      this.startTimer('A', a, () => this.#timerA());
    }
    this.startTimer('B', this.durations.B, () => this.#timerB());
  }

  /** A response whose key matched this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): ReceiveResponseOutcome {
    if (!this.started) throw new Error('transaction not started');
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          // §17.1.1.2: a provisional response stops the retransmissions (and Timer B, which only
          // guards Calling); every provisional goes to the TU.
          this.setState('proceeding');
          this.stopTimer('A');
          this.stopTimer('B');
          this.#user.receiveResponse(response);
          return PASSED_UP;
        }
        if (status < 300) {
          this.terminate();
          this.#user.receiveResponse(response);
          return PASSED_UP;
        }
        this.setState('completed');
        this.stopTimer('A');
        this.stopTimer('B');
        // The response goes up before the ACK: if the ACK cannot be sent the transaction ends, but
        // the TU already has its final response and hears nothing more (see reportTransportError).
        this.#user.receiveResponse(response);
        if (!this.#sendAck(response)) return PASSED_UP;
        this.startTimer('D', this.durations.D, () => this.terminate());
        return PASSED_UP;
      case 'completed':
        // §17.1.1.2: a retransmitted final response is answered with the ACK again, not passed up.
        if (status >= 300 && this.#ackBytes !== undefined) this.send(this.#ackBytes);
        return ABSORBED;
      case 'terminated':
        return ABSORBED;
    }
  }

  /**
   * §17.1.4. In Completed the TU already has the final response, so a failure of a (re-)ACK only
   * ends the transaction: a routing TU must not take it for a failed call and try another target.
   */
  protected reportTransportError(error: Error, stateBefore: InviteClientState): void {
    if (stateBefore !== 'completed') this.#user.transportError(error);
  }

  #sendAck(response: SipResponse): boolean {
    const ack = buildNon2xxAck(this.request, response);
    if (!ack.ok) {
      // The INVITE passed clientRequestKey, so only a response without To can get here; there is
      // nothing to acknowledge it with, and the response still goes up.
      return true;
    }
    this.#ackBytes = serializeRequest(ack.value);
    return this.send(this.#ackBytes);
  }

  /** §17.1.1.2: Timer A retransmits and doubles. */
  #timerA(): void {
    if (this.state !== 'calling') return;
    this.#retransmissions++;
    if (!this.send(this.#bytes)) return;
    this.#intervalA = nextTimerA(this.#intervalA);
    this.startTimer('A', this.#intervalA, () => this.#timerA());
  }

  /** §17.1.1.2: Timer B in Calling — the TU is told of the timeout (a 408 for §8.1.3.1). */
  #timerB(): void {
    if (this.state !== 'calling') return;
    this.terminate();
    this.#user.timeout();
  }
}
