// One edge instance: UDP + TCP transports feeding the request handler, with the policy cache.
// Every edge thread runs one of these on the shared port (edge-runtime.ts, edge-thread.ts).
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import type { Registry } from 'prom-client';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/database.ts';
import { SettingsRepository } from '../../store/repositories/settings-repository.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { parseSipUri } from '../parser/uri.ts';
import { TcpTransport } from '../transport/tcp-transport.ts';
import { UdpTransport } from '../transport/udp-transport.ts';
import { deriveEdgeKeys } from './edge-keys.ts';
import { createEdgeMetrics } from './edge-metrics.ts';
import type { EdgeStateView } from './edge-state.ts';
import { PolicyCache } from './policy-cache.ts';
import { RequestHandler, type Upstream } from './request-handler.ts';
import { TcpHandoff } from './tcp-handoff.ts';

export interface RunningEdge {
  udp: { address: string; port: number };
  tcp: { address: string; port: number };
  policy: PolicyCache;
  /** Another edge thread's port: TCP bytes for connections it owns go there (tcp-handoff.ts). */
  addPeer(index: number, port: MessagePort): void;
  close(): Promise<void>;
}

export async function resolveClusterSecret(config: Readonly<Config>, store: Store): Promise<string> {
  if (config.clusterSecret !== undefined) return config.clusterSecret;
  return new SettingsRepository(store).getOrCreate('edge_cluster_secret', () =>
    randomBytes(32).toString('base64url'),
  );
}

/** `sip:host[:port][;transport=udp|tcp]` → where to send admitted requests. */
export async function parseUpstream(uri: string | undefined): Promise<Upstream | undefined> {
  if (uri === undefined) return undefined;
  const parsed = parseSipUri(uri);
  if (!parsed.ok) throw new Error(`TRUNKGATE_UPSTREAM: ${parsed.reason}`);
  const t = (parsed.value.params.get('transport') ?? 'udp')?.toLowerCase();
  if (t !== 'udp' && t !== 'tcp')
    throw new Error(`TRUNKGATE_UPSTREAM: transport must be udp or tcp, got ${t}`);
  let host = parsed.value.host.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) host = (await lookup(host)).address;
  return { host, port: parsed.value.port ?? 5060, transport: t };
}

export interface StartEdgeOptions {
  config: Readonly<Config>;
  store: Store;
  log: Logger;
  state: EdgeStateView;
  registry: Registry;
  clusterSecret: string;
  /** This thread's index among the edge threads sharing the port (0 when alone). */
  thread?: { index: number; threads: number };
}

export async function startEdge(o: StartEdgeOptions): Promise<RunningEdge> {
  const { config, log } = o;
  const policy = new PolicyCache(o.store, config.sipDomain.toLowerCase(), config.sip.policyPollMs, log);
  await policy.start();
  const upstream = await parseUpstream(config.upstream);
  const metrics = createEdgeMetrics(o.registry);

  let udp: UdpTransport | undefined;
  let tcp: TcpTransport | undefined;
  const threadIndex = o.thread?.index ?? 0;
  const reusePort = (o.thread?.threads ?? 1) > 1;
  /**
   * RFC 3261 §18.2.2: this thread's connection with host:port, else a new one to host and
   * `connectPort` (for a response: received and the sent-by port).
   */
  const fallbackTcp = (data: Buffer, host: string, port: number, connectPort = port) => {
    if (tcp === undefined) return;
    if (tcp.send(data, { address: host, port })) return;
    tcp.connectTo(host, connectPort).then(
      (id) => tcp?.send(data, { address: host, port: connectPort, connectionId: id }),
      (err: unknown) =>
        log.warn(
          { host, port, err: err instanceof Error ? err.message : String(err) },
          'sip tcp connect failed',
        ),
    );
  };
  const handoff = new TcpHandoff(threadIndex, (m) => {
    if (tcp?.send(m.data, { address: m.host, port: m.port, connectionId: m.connection }) !== true)
      fallbackTcp(m.data, m.host, m.port, m.fallbackPort);
  });
  const handler = new RequestHandler({
    identity: {
      host: config.sip.advertiseHost,
      port: config.sip.advertisePort,
      sipDomain: config.sipDomain.toLowerCase(),
    },
    upstream,
    defaultAlgorithms: config.digestAlgorithms,
    nonceTtlSeconds: config.sip.nonceTtlSeconds,
    keys: deriveEdgeKeys(o.clusterSecret),
    policy: () => policy.current(),
    state: o.state,
    metrics,
    log,
    maxMessageSize: config.sip.maxMessageSize,
    reply: (data, to) => {
      if (to.transport === 'udp') udp?.send(data, to.address, to.port);
      else tcp?.send(data, to);
    },
    sendTo: (data, host, port, transport, route) => {
      if (transport === 'udp') {
        udp?.send(data, host, port);
        return;
      }
      const owner = route?.owner;
      const fallbackPort = route?.fallbackPort ?? port;
      if (owner !== undefined) {
        if (owner.thread === threadIndex) {
          if (tcp?.send(data, { address: host, port, connectionId: owner.connection }) !== true)
            fallbackTcp(data, host, port, fallbackPort);
          return;
        }
        if (handoff.send(owner.thread, { data, host, port, connection: owner.connection, fallbackPort })) {
          metrics.tcpHandoff();
          return;
        }
      }
      fallbackTcp(data, host, port, fallbackPort);
    },
    thread: threadIndex,
  });

  udp = new UdpTransport({
    host: config.sipHost,
    port: config.sipPort,
    onDatagram: (data, remote) => handler.handle(data, remote),
    reusePort,
    onError: (err) => log.error({ err: err.message }, 'sip udp socket error'),
  });
  const udpAddress = await udp.start();
  tcp = new TcpTransport({
    host: config.sipHost,
    port: config.sipPort === 0 ? udpAddress.port : config.sipPort,
    maxMessageSize: config.sip.maxMessageSize,
    idleTimeoutMs: config.sip.tcpIdleSeconds * 1000,
    maxConnectionsPerAddress: config.sip.tcpMaxConnectionsPerAddress,
    reusePort,
    frame: (buf) => {
      const r = parseMessage(buf, { transport: 'stream', maxSize: config.sip.maxMessageSize });
      switch (r.kind) {
        case 'ok':
          return { kind: 'message', consumed: r.consumed };
        case 'keepalive':
          return { kind: 'keepalive', consumed: r.consumed };
        case 'incomplete':
          return { kind: 'incomplete' };
        default:
          // Framing intact: hand the message to the handler so it can answer 400; else close.
          return r.consumed !== undefined
            ? { kind: 'message', consumed: r.consumed }
            : { kind: 'error', reason: r.reason };
      }
    },
    onMessage: (data, remote) => handler.handle(data, remote),
    onFramingError: (reason, remote) => {
      metrics.outcome('parse_error', 'tcp');
      log.info(
        {
          sip: {
            outcome: 'parse_error',
            reason,
            source: `${remote.address}:${remote.port}`,
            transport: 'tcp',
          },
        },
        'sip request refused',
      );
    },
    onRefused: (reason, remote) =>
      log.warn({ sip: { outcome: reason, source: remote.address } }, 'sip tcp connection refused'),
  });
  const tcpAddress = await tcp.start();
  log.info({ udp: udpAddress, tcp: tcpAddress, upstream, domain: config.sipDomain }, 'sip edge listening');

  return {
    udp: udpAddress,
    tcp: tcpAddress,
    policy,
    addPeer: (index, port) => handoff.addPeer(index, port),
    close: async () => {
      policy.stop();
      handoff.close();
      await Promise.all([udp?.close(), tcp?.close()]);
    },
  };
}
