// A TransactionTransport over a real node:dgram socket, aimed at one peer: what an edge thread will
// build per transaction (RFC 3261 §18.1.1). Asynchronous send failures (the callback of
// socket.send, e.g. ICMP port unreachable) go to the transaction's onError listeners.
import type dgram from 'node:dgram';
import type { TransactionTransport } from '../../src/sip/transaction/transaction-transport.ts';

export class UdpTransactionTransport implements TransactionTransport {
  readonly reliable = false;
  readonly #listeners = new Set<(error: Error) => void>();

  constructor(
    private readonly socket: dgram.Socket,
    private readonly host: string,
    private readonly port: number,
  ) {}

  send(bytes: Buffer): void {
    this.socket.send(bytes, this.port, this.host, (err) => {
      if (err) for (const l of [...this.#listeners]) l(err);
    });
  }

  onError(listener: (error: Error) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
