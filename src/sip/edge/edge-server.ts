// One edge instance: UDP + TCP transports feeding the request handler, with the policy cache.
// In cluster mode every worker runs one of these on the shared port (see edge-cluster.ts).
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
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

export interface RunningEdge {
  udp: { address: string; port: number };
  tcp: { address: string; port: number };
  policy: PolicyCache;
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
}

export async function startEdge(o: StartEdgeOptions): Promise<RunningEdge> {
  const { config, log } = o;
  const policy = new PolicyCache(o.store, config.sipDomain.toLowerCase(), config.sip.policyPollMs, log);
  await policy.start();
  const upstream = await parseUpstream(config.upstream);
  const metrics = createEdgeMetrics(o.registry);

  let udp: UdpTransport | undefined;
  let tcp: TcpTransport | undefined;
  const handler = new RequestHandler({
    identity: {
      host: config.sip.advertiseHost,
      port: config.sip.advertisePort,
      sipDomain: config.sipDomain.toLowerCase(),
      hostIpv6: config.sip.advertiseHostIpv6,
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
    tcpConnected: (address, port) => tcp?.isConnected(address, port) === true,
    reply: (data, to) => {
      if (to.transport === 'udp') udp?.send(data, to.address, to.port);
      else tcp?.send(data, to);
    },
    sendTo: (data, host, port, transport) => {
      if (transport === 'udp') {
        udp?.send(data, host, port);
        return;
      }
      if (tcp === undefined) return;
      if (!tcp.send(data, { address: host, port })) {
        tcp.connectTo(host, port).then(
          (id) => tcp?.send(data, { address: host, port, connectionId: id }),
          (err: unknown) =>
            log.warn(
              { host, port, err: err instanceof Error ? err.message : String(err) },
              'sip tcp connect failed',
            ),
        );
      }
    },
  });

  udp = new UdpTransport({
    host: config.sipHost,
    port: config.sipPort,
    onDatagram: (data, remote) => handler.handle(data, remote),
    onError: (err) => log.error({ err: err.message }, 'sip udp socket error'),
  });
  const udpAddress = await udp.start();
  tcp = new TcpTransport({
    host: config.sipHost,
    port: config.sipPort === 0 ? udpAddress.port : config.sipPort,
    maxMessageSize: config.sip.maxMessageSize,
    idleTimeoutMs: config.sip.tcpIdleSeconds * 1000,
    maxConnectionsPerAddress: config.sip.tcpMaxConnectionsPerAddress,
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
    close: async () => {
      policy.stop();
      await Promise.all([udp?.close(), tcp?.close()]);
    },
  };
}
