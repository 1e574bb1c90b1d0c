import { serializeResponse } from '../parser/serialize.ts';
import type { SipRequest, SipResponse } from '../parser/sip-message.ts';
import type {
  ReceiveRequestOutcome,
  RespondOutcome,
  ServerTransactionUser,
} from './server-transaction-user.ts';
import { Transaction, type TransactionOptions } from './transaction.ts';
import { requestKey } from './transaction-key.ts';

export const NON_INVITE_SERVER_STATES = ['trying', 'proceeding', 'completed', 'terminated'] as const;
export type NonInviteServerState = (typeof NON_INVITE_SERVER_STATES)[number];

const SENT: RespondOutcome = Object.freeze({ kind: 'sent' });
const TRANSPORT_ERROR: RespondOutcome = Object.freeze({ kind: 'transport_error' });

/**
 * Non-INVITE server transaction — RFC 3261 §17.2.2, Figure 8
 * (https://www.rfc-editor.org/rfc/rfc3261#section-17.2.2).
 *
 * - Trying: nothing is sent; retransmissions of the request are absorbed silently.
 * - The TU's 1xx → Proceeding (sent); a retransmitted request gets the last provisional again.
 * - The TU's 200–699 → Completed (sent); a retransmitted request gets the final response again;
 *   further responses from the TU are refused; Timer J (64·T1 unreliable, 0 reliable) → Terminated.
 * - A transport error → Terminated, the TU is told (§17.2.4).
 *
 * Carries every method but INVITE and ACK — including CANCEL, which is its own transaction (§9.2).
 */
export class NonInviteServerTransaction extends Transaction<NonInviteServerState> {
  readonly kind = 'non-invite-server' as const;
  readonly request: SipRequest;
  readonly #user: ServerTransactionUser;
  #last: Buffer | undefined;
  #retransmissions = 0;

  /** Throws RangeError for INVITE/ACK or a request without a usable top Via (a bug in the creator). */
  constructor(request: SipRequest, user: ServerTransactionUser, options: TransactionOptions) {
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new RangeError(`NonInviteServerTransaction cannot carry ${request.method}`);
    }
    const key = requestKey(request);
    if (!key.ok) throw new RangeError(`NonInviteServerTransaction: ${key.reason}`);
    super(key.value, 'trying', options);
    this.request = request;
    this.#user = user;
  }

  /** How many times a response was resent for a retransmitted request. */
  get retransmissions(): number {
    return this.#retransmissions;
  }

  protected enter(): void {}

  /** The TU's response to the request (§17.2.2). */
  respond(response: SipResponse): RespondOutcome {
    if (!this.started) throw new Error('transaction not started');
    const state = this.state;
    if (state !== 'trying' && state !== 'proceeding') return { kind: 'refused', state };
    const bytes = serializeResponse(response);
    this.#last = bytes;
    if (response.status < 200) {
      this.setState('proceeding');
      return this.send(bytes) ? SENT : TRANSPORT_ERROR;
    }
    this.setState('completed');
    if (!this.send(bytes)) return TRANSPORT_ERROR;
    this.startTimer('J', this.durations.J, () => this.terminate());
    return SENT;
  }

  /** A retransmission of the request (§17.2.2): answered with the last response, if any. */
  receiveRequest(_request: SipRequest): ReceiveRequestOutcome {
    if (!this.started) throw new Error('transaction not started');
    const state = this.state;
    if (this.#last === undefined || (state !== 'proceeding' && state !== 'completed')) {
      return { kind: 'absorbed', retransmitted: false };
    }
    this.#retransmissions++;
    return { kind: 'absorbed', retransmitted: this.send(this.#last) };
  }

  protected reportTransportError(error: Error): void {
    this.#user.transportError(error);
  }
}
