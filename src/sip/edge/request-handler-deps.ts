// What the request pipeline (request-handler.ts and stages/) is given by the edge process that runs it.
import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';
import type { Logger } from '../../logger.ts';
import type { Remote } from '../transport/remote.ts';
import type { PolicySnapshot } from './admission-policy.ts';
import type { EdgeKeys } from './edge-keys.ts';
import type { EdgeMetrics } from './edge-metrics.ts';
import type { EdgeStateView } from './edge-state.ts';
import type { ConnectionOwner } from './via-branch.ts';

/** How bytes for a TCP peer find its connection (RFC 3261 §18.2.2). */
export interface TcpRoute {
  /** The thread and connection the request came in on (from our Via branch). */
  owner?: ConnectionOwner;
  /** Where to open a new connection if that one is gone: the sent-by port. */
  fallbackPort?: number;
}

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
  sendTo(data: Buffer, host: string, port: number, transport: 'udp' | 'tcp', route?: TcpRoute): void;
  /** This edge thread's index: named in our Via branch for TCP callers (via-branch.ts). */
  thread?: number;
  maxMessageSize: number;
  now?: () => number;
}
