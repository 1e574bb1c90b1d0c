// What a transaction needs from the transport layer (RFC 3261 §18): a way to send one message to its
// peer, whether that path is reliable, and word of asynchronous failures. The owner of the socket
// builds one of these per transaction, already aimed at the right destination (§18.1.1 for
// requests, §18.2.2 for responses), so the state machines hold no socket and no address.

export interface TransactionTransport {
  /** TCP, TLS, SCTP: true (no retransmission timers, zero wait timers). UDP: false. */
  readonly reliable: boolean;
  /** Sends one serialized message. May throw on an immediate failure; the transaction treats that as a transport error. */
  send(bytes: Buffer): void;
  /**
   * Subscribes to failures reported after `send` returned (an ICMP error on UDP, a reset TCP
   * connection). Returns the unsubscribe function, which the transaction calls when it terminates.
   */
  onError(listener: (error: Error) => void): () => void;
}
