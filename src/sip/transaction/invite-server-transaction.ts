import { buildResponse, serializeResponse } from '../parser/serialize.ts';
import type { SipRequest, SipResponse } from '../parser/sip-message.ts';
import type {
  ReceiveRequestOutcome,
  RespondOutcome,
  ServerTransactionUser,
} from './server-transaction-user.ts';
import { nextCappedInterval } from './timers.ts';
import { Transaction, type TransactionOptions } from './transaction.ts';
import { requestKey } from './transaction-key.ts';

export const INVITE_SERVER_STATES = ['proceeding', 'completed', 'confirmed', 'terminated'] as const;
export type InviteServerState = (typeof INVITE_SERVER_STATES)[number];

const SENT: RespondOutcome = Object.freeze({ kind: 'sent' });
const TRANSPORT_ERROR: RespondOutcome = Object.freeze({ kind: 'transport_error' });
const ACK_CONFIRMED: ReceiveRequestOutcome = Object.freeze({ kind: 'ack_confirmed' });

/**
 * INVITE server transaction — RFC 3261 §17.2.1, Figure 7
 * (https://www.rfc-editor.org/rfc/rfc3261#section-17.2.1).
 *
 * - Proceeding: a 100 Trying is sent at once when the transaction starts. §17.2.1 lets a TU that
 *   answers within 200 ms skip it; we always send it, because the TU here is a proxy waiting on a
 *   PBX whose answer time we cannot know, and the 100 stops the caller's Timer A at once. A
 *   retransmitted INVITE gets the last provisional response again. The TU's 1xx are sent; a 2xx is
 *   sent and the transaction ends (the TU owns 2xx retransmission, §13.3.1.4); a 300–699 is sent and
 *   the transaction moves to Completed.
 * - Completed: Timer G (unreliable only) resends the final response at T1, doubling up to T2; a
 *   retransmitted INVITE gets it too; Timer H (64·T1) gives up waiting for the ACK and tells the TU.
 *   The ACK moves it to Confirmed.
 * - Confirmed: further ACKs are absorbed; Timer I (T4 unreliable, 0 reliable) → Terminated.
 * - A transport error → Terminated, the TU is told (§17.2.4).
 *
 * The creator must aim the transport at the address §18.2.2 names (Via received/rport).
 */
export class InviteServerTransaction extends Transaction<InviteServerState> {
  readonly kind = 'invite-server' as const;
  readonly request: SipRequest;
  readonly #user: ServerTransactionUser;
  #lastProvisional: Buffer | undefined;
  #final: Buffer | undefined;
  #finalStatus: number | undefined;
  #intervalG = 0;
  #retransmissions = 0;

  /** Throws RangeError when `request` is not an INVITE with a usable top Via (a bug in the creator). */
  constructor(request: SipRequest, user: ServerTransactionUser, options: TransactionOptions) {
    if (request.method !== 'INVITE') throw new RangeError('InviteServerTransaction needs an INVITE');
    const key = requestKey(request);
    if (!key.ok) throw new RangeError(`InviteServerTransaction: ${key.reason}`);
    super(key.value, 'proceeding', options);
    this.request = request;
    this.#user = user;
  }

  /** How many times the final response was resent (Timer G or a retransmitted INVITE). */
  get retransmissions(): number {
    return this.#retransmissions;
  }

  /** Status of the final response sent, once there is one. */
  get finalStatus(): number | undefined {
    return this.#finalStatus;
  }

  protected enter(): void {
    const trying = serializeResponse(buildResponse(this.request, 100, 'Trying'));
    this.#lastProvisional = trying;
    this.send(trying);
  }

  /** The TU's response to the INVITE (§17.2.1). */
  respond(response: SipResponse): RespondOutcome {
    if (!this.started) throw new Error('transaction not started');
    if (this.state !== 'proceeding') return { kind: 'refused', state: this.state };
    const bytes = serializeResponse(response);
    const status = response.status;
    if (status < 200) {
      this.#lastProvisional = bytes;
      return this.send(bytes) ? SENT : TRANSPORT_ERROR;
    }
    this.#finalStatus = status;
    if (status < 300) {
      if (!this.send(bytes)) return TRANSPORT_ERROR;
      this.terminate();
      return SENT;
    }
    this.#final = bytes;
    this.setState('completed');
    if (!this.send(bytes)) return TRANSPORT_ERROR;
    const g = this.durations.G;
    if (g !== undefined) {
      this.#intervalG = g;
      this.startTimer('G', g, () => this.#timerG());
    }
    this.startTimer('H', this.durations.H, () => this.#timerH());
    return SENT;
  }

  /** A request that matched this transaction (§17.2.3): a retransmitted INVITE or the ACK. */
  receiveRequest(request: SipRequest): ReceiveRequestOutcome {
    if (!this.started) throw new Error('transaction not started');
    const state = this.state;
    if (request.method === 'ACK') {
      if (state !== 'completed') return { kind: 'absorbed', retransmitted: false };
      this.setState('confirmed');
      this.stopTimer('G');
      this.stopTimer('H');
      this.startTimer('I', this.durations.I, () => this.terminate());
      return ACK_CONFIRMED;
    }
    const again =
      state === 'proceeding' ? this.#lastProvisional : state === 'completed' ? this.#final : undefined;
    if (again === undefined) return { kind: 'absorbed', retransmitted: false };
    if (state === 'completed') this.#retransmissions++;
    return { kind: 'absorbed', retransmitted: this.send(again) };
  }

  protected reportTransportError(error: Error): void {
    this.#user.transportError(error);
  }

  /** §17.2.1: Timer G resends the final response; the interval doubles up to T2. */
  #timerG(): void {
    if (this.state !== 'completed' || this.#final === undefined) return;
    this.#retransmissions++;
    if (!this.send(this.#final)) return;
    this.#intervalG = nextCappedInterval(this.#intervalG, this.timerValues.t2);
    this.startTimer('G', this.#intervalG, () => this.#timerG());
  }

  /** §17.2.1: Timer H — no ACK arrived; the TU is told of the failure. */
  #timerH(): void {
    this.terminate();
    this.#user.timeout?.();
  }
}
