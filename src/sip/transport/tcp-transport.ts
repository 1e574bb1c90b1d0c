// TCP transport (RFC 3261 §18.3): messages are framed by Content-Length on a byte stream.
// Limits: a maximum message size, an idle timeout and a per-address connection cap, so one
// peer cannot hold unbounded memory or sockets.
import net from 'node:net';
import { normaliseAddress, type Remote } from './remote.ts';

export type FrameResult =
  | { kind: 'message'; consumed: number }
  | { kind: 'keepalive'; consumed: number }
  | { kind: 'incomplete' }
  | { kind: 'error'; reason: string };

export interface TcpTransportOptions {
  host: string;
  port: number;
  maxMessageSize: number;
  idleTimeoutMs: number;
  maxConnectionsPerAddress: number;
  /** Finds the end of the next message in `buf` (the parser's stream framing). */
  frame(buf: Buffer): FrameResult;
  onMessage(data: Buffer, remote: Remote): void;
  /** A framing error: the connection is closed after this (its byte stream cannot be resynchronised). */
  onFramingError?(reason: string, remote: Remote, partial: Buffer): void;
  onRefused?(reason: 'connection_cap', remote: Remote): void;
}

interface Connection {
  id: number;
  socket: net.Socket;
  remote: Remote;
  buffered: Buffer;
}

export class TcpTransport {
  private server: net.Server | undefined;
  private nextId = 1;
  private readonly connections = new Map<number, Connection>();
  private readonly perAddress = new Map<string, number>();
  /** Latest connection from each address:port, for messages addressed by Via rather than connection id. */
  private readonly byPeer = new Map<string, number>();

  constructor(private readonly opts: TcpTransportOptions) {}

  async start(): Promise<{ address: string; port: number }> {
    const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    const wantsAny = this.opts.host === '0.0.0.0' || this.opts.host === '::';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // `::` with ipv6Only false is dual-stack; fall back to IPv4 only where IPv6 is absent.
      server.listen(
        { host: wantsAny ? '::' : this.opts.host, port: this.opts.port, exclusive: false, ipv6Only: false },
        () => {
          server.off('error', reject);
          resolve();
        },
      );
    }).catch(async (err: NodeJS.ErrnoException) => {
      if (!wantsAny || (err.code !== 'EAFNOSUPPORT' && err.code !== 'EADDRNOTAVAIL')) throw err;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '0.0.0.0', port: this.opts.port, exclusive: false }, () => resolve());
      });
    });
    this.server = server;
    const a = server.address() as net.AddressInfo;
    return { address: a.address, port: a.port };
  }

  private accept(socket: net.Socket): void {
    const address = normaliseAddress(socket.remoteAddress ?? '');
    const port = socket.remotePort ?? 0;
    const remote: Remote = { transport: 'tcp', address, port, connectionId: this.nextId++ };
    const count = this.perAddress.get(address) ?? 0;
    if (count >= this.opts.maxConnectionsPerAddress) {
      this.opts.onRefused?.('connection_cap', remote);
      socket.destroy();
      return;
    }
    this.perAddress.set(address, count + 1);
    const conn: Connection = { id: remote.connectionId!, socket, remote, buffered: Buffer.alloc(0) };
    this.connections.set(conn.id, conn);
    this.byPeer.set(`${address}:${port}`, conn.id);
    socket.setTimeout(this.opts.idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.connections.delete(conn.id);
      if (this.byPeer.get(`${address}:${port}`) === conn.id) this.byPeer.delete(`${address}:${port}`);
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
  }

  private onData(conn: Connection, chunk: Buffer): void {
    let buf = conn.buffered.length === 0 ? chunk : Buffer.concat([conn.buffered, chunk]);
    // Bounded loop: every iteration consumes at least one byte or stops.
    for (;;) {
      if (buf.length === 0) break;
      const r = this.opts.frame(buf);
      if (r.kind === 'incomplete') {
        if (buf.length > this.opts.maxMessageSize) {
          this.opts.onFramingError?.('message exceeds the maximum size', conn.remote, buf);
          conn.socket.destroy();
          return;
        }
        break;
      }
      if (r.kind === 'error') {
        this.opts.onFramingError?.(r.reason, conn.remote, buf);
        // RFC 3261 §18.3: a stream with a bad Content-Length cannot be re-framed; close it.
        conn.socket.end();
        conn.buffered = Buffer.alloc(0);
        return;
      }
      if (r.consumed <= 0) break;
      if (r.kind === 'message') this.opts.onMessage(buf.subarray(0, r.consumed), conn.remote);
      buf = buf.subarray(r.consumed);
    }
    // Copy what is kept, so a large chunk's memory is not pinned by a small remainder.
    conn.buffered = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  }

  /** Sends on the connection the message came in on, or the latest one from that peer. */
  send(data: Buffer, remote: { address: string; port: number; connectionId?: number }): boolean {
    const id = remote.connectionId ?? this.byPeer.get(`${remote.address}:${remote.port}`);
    const conn = id === undefined ? undefined : this.connections.get(id);
    if (conn === undefined || conn.socket.destroyed) return false;
    conn.socket.write(data);
    return true;
  }

  /** Whether a connection to or from address:port is open. */
  isConnected(address: string, port: number): boolean {
    const id = this.byPeer.get(`${address}:${port}`);
    const conn = id === undefined ? undefined : this.connections.get(id);
    return conn !== undefined && !conn.socket.destroyed;
  }

  /** Opens (or reuses) an outgoing connection, e.g. to a TCP upstream. */
  connectTo(address: string, port: number): Promise<number> {
    const existing = this.byPeer.get(`${address}:${port}`);
    if (existing !== undefined && this.connections.has(existing)) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address, port, noDelay: true }, () => {
        socket.off('error', reject);
        this.accept(socket);
        const id = this.byPeer.get(
          `${normaliseAddress(socket.remoteAddress ?? address)}:${socket.remotePort ?? port}`,
        );
        if (id === undefined) reject(new Error('connection closed'));
        else resolve(id);
      });
      socket.once('error', reject);
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.connections.values()) c.socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
