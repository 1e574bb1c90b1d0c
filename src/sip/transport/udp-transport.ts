// UDP transport (RFC 3261 §18): one datagram is one message; replies go to the source address
// (and rport, RFC 3581). Every edge thread binds its own socket on the SIP port (reusePort: SO_REUSEPORT,
// the kernel spreads datagrams over the sockets by 4-tuple hash).
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { normaliseAddress, type Remote } from './remote.ts';

export interface UdpTransportOptions {
  host: string;
  port: number;
  onDatagram(data: Buffer, remote: Remote): void;
  onError?(err: Error): void;
  /** Socket receive buffer; a burst larger than this is dropped by the kernel. */
  recvBufferSize?: number;
  /** Share the port with the other edge threads (SO_REUSEPORT, Node ≥ 22.12). */
  reusePort?: boolean;
}

export class UdpTransport {
  private socket: dgram.Socket | undefined;
  private family: 4 | 6 = 4;

  constructor(private readonly opts: UdpTransportOptions) {}

  /** Binds; `0.0.0.0` binds the dual-stack `::` when the host has IPv6, so `::1` callers are heard too. */
  async start(): Promise<{ address: string; port: number }> {
    const wantsAny = this.opts.host === '0.0.0.0' || this.opts.host === '::';
    const attempts: Array<{ type: 'udp4' | 'udp6'; host: string; ipv6Only?: boolean }> = wantsAny
      ? [
          { type: 'udp6', host: '::', ipv6Only: false },
          { type: 'udp4', host: '0.0.0.0' },
        ]
      : [{ type: isIPv6(this.opts.host) ? 'udp6' : 'udp4', host: this.opts.host }];
    let lastErr: unknown;
    for (const a of attempts) {
      try {
        return await this.bind(a.type, a.host, a.ipv6Only);
      } catch (err) {
        lastErr = err;
      }
    }
    throw lastErr;
  }

  private bind(
    type: 'udp4' | 'udp6',
    host: string,
    ipv6Only?: boolean,
  ): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({
        type,
        ...(ipv6Only !== undefined ? { ipv6Only } : {}),
        ...(this.opts.reusePort === true ? { reusePort: true } : {}),
      });
      const onBindError = (err: Error) => {
        socket.close();
        reject(err);
      };
      socket.once('error', onBindError);
      socket.on('message', (msg, rinfo) => {
        this.opts.onDatagram(msg, {
          transport: 'udp',
          address: normaliseAddress(rinfo.address),
          port: rinfo.port,
        });
      });
      socket.bind({ port: this.opts.port, address: host, exclusive: false }, () => {
        socket.off('error', onBindError);
        socket.on('error', (err) => this.opts.onError?.(err));
        // A burst larger than the receive buffer is dropped by the kernel before we see it. Ask
        // for a large one; the kernel refuses sizes above net.core.rmem_max, so step down.
        for (let size = this.opts.recvBufferSize ?? 16 * 1024 * 1024; size >= 256 * 1024; size >>= 1) {
          try {
            socket.setRecvBufferSize(size);
            break;
          } catch {}
        }
        for (let size = 8 * 1024 * 1024; size >= 256 * 1024; size >>= 1) {
          try {
            socket.setSendBufferSize(size);
            break;
          } catch {}
        }
        this.socket = socket;
        this.family = type === 'udp6' ? 6 : 4;
        const a = socket.address();
        resolve({ address: a.address, port: a.port });
      });
    });
  }

  send(data: Buffer, address: string, port: number): void {
    const socket = this.socket;
    if (socket === undefined) return;
    // A udp4 socket cannot reach IPv6 peers; a dual-stack udp6 socket reaches both.
    if (this.family === 4) {
      if (address.includes(':')) return;
      socket.send(data, port, address);
      return;
    }
    socket.send(data, port, address.includes(':') ? address : `::ffff:${address}`);
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
