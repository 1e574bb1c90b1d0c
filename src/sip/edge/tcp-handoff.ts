// Bytes for a TCP connection another edge thread owns. With SO_REUSEPORT the kernel gives a caller's
// connection to one thread, but the upstream's answer can reach any thread: the thread that reads it
// finds the owner (thread + connection id) in our Via branch (via-branch.ts) and hands the bytes over
// a MessagePort to that thread, which writes them to the caller's connection — or, when that
// connection is gone, opens one to received + sent-by port (RFC 3261 §18.2.2).
import type { MessagePort } from 'node:worker_threads';

export interface HandoffMessage {
  data: Uint8Array;
  host: string;
  /** The connection's remote port (rport). */
  port: number;
  connection: number;
  /** RFC 3261 §18.2.2: where to open a new connection when this one is gone (sent-by port). */
  fallbackPort: number;
}

export class TcpHandoff {
  private readonly peers = new Map<number, MessagePort>();

  constructor(
    readonly self: number,
    private readonly deliver: (m: HandoffMessage & { data: Buffer }) => void,
  ) {}

  addPeer(index: number, port: MessagePort): void {
    this.peers.get(index)?.close();
    this.peers.set(index, port);
    port.on('message', (m: HandoffMessage) => {
      this.deliver({ ...m, data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength) });
    });
    port.on('close', () => {
      if (this.peers.get(index) === port) this.peers.delete(index);
    });
    port.unref();
  }

  /** False when there is no such thread (it died): the caller falls back to a new connection. */
  send(thread: number, m: HandoffMessage): boolean {
    const port = this.peers.get(thread);
    if (port === undefined) return false;
    port.postMessage(m);
    return true;
  }

  close(): void {
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
  }
}
