// What the request pipeline (request-handler.ts and stages/) is given by the edge process that runs it.
import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';
import type { Logger } from '../../logger.ts';
import type { Remote } from '../transport/remote.ts';
import type { PolicySnapshot } from './admission-policy.ts';
import type { EdgeKeys } from './edge-keys.ts';
import type { EdgeMetrics } from './edge-metrics.ts';
import type { EdgeStateView } from './edge-state.ts';

export interface Upstream {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

export interface EdgeIdentity {
  /** Host we put in Via and Record-Route. */
  host: string;
  port: number;
  sipDomain: string;
  /** Host written in the Record-Route facing IPv6 peers when `host` is an IPv4 address. */
  hostIpv6?: string | undefined;
}

export interface RequestHandlerDeps {
  identity: EdgeIdentity;
  upstream: Upstream | undefined;
  defaultAlgorithms: readonly DigestAlgorithm[];
  nonceTtlSeconds: number;
  keys: EdgeKeys;
  policy(): PolicySnapshot;
  state: EdgeStateView;
  metrics: EdgeMetrics;
  log: Logger;
  /** Sends bytes back to a caller (UDP datagram or TCP connection). */
  reply(data: Buffer, to: Remote): void;
  /** Sends bytes to a host:port over a transport (upstream, or a caller found by Via). */
  sendTo(data: Buffer, host: string, port: number, transport: 'udp' | 'tcp'): void;
  /**
   * Whether a TCP connection to address:port is open for this edge to write on. Absent: assumed
   * open. RFC 3261 §18.2.2: a response whose connection is gone goes to the Via sent-by port.
   */
  tcpConnected?(address: string, port: number): boolean;
  maxMessageSize: number;
  now?: () => number;
}
