// Entry point of one cluster worker of the SIP edge (forked by edge-runtime.ts).
import type { Registry } from 'prom-client';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { openStore } from '../../store/database.ts';
import { createEdgeState } from '../state/edge-state.ts';
import { startEdge } from './edge-server.ts';
import { edgeStateView } from './edge-state-adapter.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const index = Number(process.env['TRUNKGATE_EDGE_WORKER_INDEX'] ?? '0');
  const workers = Number(process.env['TRUNKGATE_EDGE_WORKERS'] ?? '1');
  const log = createLogger(config.logLevel).child({ worker: index });
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl, poolSize: 2 });
  const state = await createEdgeState({
    redisUrl: config.redisUrl,
    mode: 'cluster-worker',
    processes: workers,
    config: { authFailure: config.authFailure, sipPacketRate: config.sipPacketRate || 1 },
    // TRUNKGATE_REDIS_PREFIX: deployments sharing a Redis must not share bans, CPS windows or nonces.
    keyPrefix: `${config.redisKeyPrefix}sip:`,
    log,
  });
  // prom-client's AggregatorRegistry in the primary collects the global registry of each worker.
  // A worker answers the primary's metrics requests only once an AggregatorRegistry has been
  // constructed in it (prom-client 15 installs the worker's message listener in the constructor);
  // without one, GET /metrics waits 5 s for the workers and fails.
  const { AggregatorRegistry, register } = await import('prom-client');
  new AggregatorRegistry();
  const edge = await startEdge({
    config,
    store,
    log,
    state: edgeStateView(state, config.sipPacketRate > 0, true),
    registry: register as Registry,
    clusterSecret: config.clusterSecret ?? '',
  });
  process.send?.({ edge: 'ready' });
  const stop = async () => {
    await edge.close();
    await state.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => {}); // the primary decides when workers stop
}

main().catch((err: unknown) => {
  process.send?.({ edge: 'failed', error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
