// What a server transaction reports to its transaction user (RFC 3261 §17.2). The request that
// created the transaction is handed to the TU by whoever created it; retransmissions and the ACK for
// a non-2xx response are absorbed by the transaction and never reach the TU.
export interface ServerTransactionUser {
  /** INVITE only: Timer H fired in Completed — no ACK came for our 300–699 response (§17.2.1). */
  timeout?(): void;
  /** Sending a response failed (§17.2.4); the transaction is Terminated. */
  transportError(error: Error): void;
}

/** Outcome of handing a response to a server transaction. */
export type RespondOutcome =
  | { readonly kind: 'sent' }
  /** The state does not take this response (§17.2.1, §17.2.2: e.g. a second final response); nothing was sent. */
  | { readonly kind: 'refused'; readonly state: string }
  /** The transport failed while sending; the transaction is Terminated and the TU was told. */
  | { readonly kind: 'transport_error' };

/** Outcome of a request that matched a server transaction (a retransmission or an ACK). */
export type ReceiveRequestOutcome =
  /** Retransmission answered with the last response sent (§17.2.1, §17.2.2), or nothing to answer yet. */
  | { readonly kind: 'absorbed'; readonly retransmitted: boolean }
  /** The ACK for our 300–699 response: INVITE server transaction now Confirmed (§17.2.1). */
  | { readonly kind: 'ack_confirmed' };
