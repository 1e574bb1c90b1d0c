// What a client transaction reports to its transaction user (RFC 3261 §17.1: "the TU" — a proxy core,
// a UAC core). Each callback is one expected protocol outcome; none is an exception.
import type { SipResponse } from '../parser/sip-message.ts';

export interface ClientTransactionUser {
  /**
   * A response the transaction passes up: every provisional response and the first final response
   * (§17.1.1.2, §17.1.2.2). Retransmissions of a final response are absorbed and never arrive here.
   */
  receiveResponse(response: SipResponse): void;
  /** Timer B (INVITE) or F (non-INVITE) fired with no final response: §8.1.3.1 treats it as a 408. */
  timeout(): void;
  /**
   * The transport reported a failure before a final response (§17.1.4): §8.1.3.1 treats it as a 503.
   * Exactly one of a final response, `timeout` and `transportError` reaches the TU.
   */
  transportError(error: Error): void;
}

/** Outcome of a response that matched a client transaction (transaction-table.ts matchResponse). */
export type ReceiveResponseOutcome =
  | { readonly kind: 'passed_up' }
  /** A retransmitted final response (answered with the ACK again for INVITE, §17.1.1.2) or a late one. */
  | { readonly kind: 'absorbed' };
