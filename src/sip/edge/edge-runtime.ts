// How the edge runs inside `trunkgate serve`:
//   TRUNKGATE_SIP_WORKERS=1  → in this process, beside the API (tests, small deployments);
//   TRUNKGATE_SIP_WORKERS=N  → N node:cluster workers sharing the SIP port, one per core by
//                              default; this process (the primary) serves the API, the shared
//                              state broker (nonce counts, bans, CPS, bindings — unless Redis is
//                              configured) and aggregates the workers' metrics.
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry, Registry } from 'prom-client';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/database.ts';
import { startStateBrokerInPrimary } from '../state/cluster-broker.ts';
import { createEdgeState } from '../state/edge-state.ts';
import { resolveClusterSecret, startEdge } from './edge-server.ts';
import { edgeStateView } from './edge-state-adapter.ts';

export interface EdgeRuntime {
  /** Prometheus text of every edge process. */
  metrics(): Promise<{ contentType: string; body: string }>;
  health(): { backend: string; degraded: boolean; workers: number };
  /** UDP/TCP port actually bound (useful with port 0 in tests; cluster mode reports the configured one). */
  port: number;
  close(): Promise<void>;
}

export async function startEdgeRuntime(
  config: Readonly<Config>,
  store: Store,
  log: Logger,
): Promise<EdgeRuntime> {
  const clusterSecret = await resolveClusterSecret(config, store);
  if (config.sip.workers <= 1) return startInProcess(config, store, log, clusterSecret);
  return startCluster(config, log, clusterSecret);
}

async function startInProcess(
  config: Readonly<Config>,
  store: Store,
  log: Logger,
  clusterSecret: string,
): Promise<EdgeRuntime> {
  const registry = new Registry();
  const state = await createEdgeState({
    redisUrl: config.redisUrl,
    mode: 'single',
    config: { authFailure: config.authFailure, sipPacketRate: config.sipPacketRate || 1 },
    // TRUNKGATE_REDIS_PREFIX: deployments sharing a Redis must not share bans, CPS windows or nonces.
    keyPrefix: `${config.redisKeyPrefix}sip:`,
    log,
  });
  const edge = await startEdge({
    config,
    store,
    log,
    state: edgeStateView(state, config.sipPacketRate > 0, false),
    registry,
    clusterSecret,
  });
  return {
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    health: () => ({ ...state.health(), workers: 1 }),
    port: edge.udp.port,
    close: async () => {
      await edge.close();
      await state.close();
    },
  };
}

function workerEntry(): { exec: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js'))
    return { exec: here.replace(/edge-runtime\.js$/, 'edge-worker.js'), execArgv: [] };
  const ts = here.replace(/edge-runtime\.ts$/, 'edge-worker.ts');
  if (!existsSync(ts)) throw new Error(`edge worker entry not found: ${ts}`);
  return { exec: ts, execArgv: ['--import', 'tsx'] };
}

async function startCluster(
  config: Readonly<Config>,
  log: Logger,
  clusterSecret: string,
): Promise<EdgeRuntime> {
  const broker = startStateBrokerInPrimary(cluster, { bans: config.authFailure, maxNonces: 2_000_000 });
  const { exec, execArgv } = workerEntry();
  // TRUNKGATE_SIP_WORKER_NODE_ARGS passes node flags to the workers, e.g. "--cpu-prof" for profiling.
  const extra = (process.env['TRUNKGATE_SIP_WORKER_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');
  cluster.setupPrimary({ exec, execArgv: [...execArgv, ...extra], serialization: 'advanced' });
  let stopping = false;
  const workers = new Set<Worker>();
  const fork = (index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = cluster.fork({
        TRUNKGATE_EDGE_WORKER_INDEX: String(index),
        TRUNKGATE_EDGE_WORKERS: String(config.sip.workers),
        TRUNKGATE_CLUSTER_SECRET: clusterSecret,
      });
      workers.add(w);
      const onMessage = (m: unknown) => {
        if (typeof m === 'object' && m !== null && (m as { edge?: string }).edge === 'ready') {
          w.off('message', onMessage);
          resolve();
        } else if (typeof m === 'object' && m !== null && (m as { edge?: string }).edge === 'failed') {
          w.off('message', onMessage);
          reject(new Error(`sip worker ${index} failed to start: ${(m as { error?: string }).error ?? ''}`));
        }
      };
      w.on('message', onMessage);
      w.on('exit', (code) => {
        workers.delete(w);
        if (!stopping) {
          log.error({ worker: index, code }, 'sip worker exited; restarting it');
          setTimeout(
            () =>
              void fork(index).catch((err: unknown) =>
                log.error({ err: String(err) }, 'sip worker restart failed'),
              ),
            500,
          ).unref();
        }
      });
    });
  await Promise.all(Array.from({ length: config.sip.workers }, (_, i) => fork(i)));
  log.info({ workers: config.sip.workers }, 'sip edge workers ready');
  const aggregator = new AggregatorRegistry();
  return {
    metrics: async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }),
    health: () => ({
      backend: config.redisUrl ? 'redis' : 'cluster',
      degraded: false,
      workers: workers.size,
    }),
    port: config.sipPort,
    close: async () => {
      stopping = true;
      const exits = [...workers].map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
      for (const w of workers) w.kill('SIGTERM');
      await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000).unref())]);
      broker.close();
    },
  };
}
