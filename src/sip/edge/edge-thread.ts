// Entry point of one edge thread (started by edge-runtime.ts): its own store connection, policy
// cache, UDP socket and TCP server on the shared SIP port, and views of the node's shared state.
import { parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { createEdgeState } from '../../state/edge-state.ts';
import { openStore } from '../../store/database.ts';
import { startEdge } from './edge-server.ts';
import { edgeStateView } from './edge-state-adapter.ts';
import type { EdgeControlMessage, EdgeThreadData, EdgeThreadMessage } from './edge-thread-protocol.ts';

const data = workerData as EdgeThreadData;
const post = (m: EdgeThreadMessage) => parentPort?.postMessage(m);

async function main(): Promise<void> {
  const config = { ...loadConfig(), sipPort: data.port };
  const log = createLogger(config.logLevel).child({ thread: data.index });
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl, poolSize: 2 });
  const state = await createEdgeState({
    memory: data.memory,
    redisUrl: config.redisUrl,
    // TRUNKGATE_REDIS_PREFIX: deployments sharing a Redis must not share bans.
    keyPrefix: `${config.redisKeyPrefix}sip:`,
    log,
  });
  const registry = new Registry();
  const edge = await startEdge({
    config,
    store,
    log,
    state: edgeStateView(state, config.sipPacketRate > 0),
    registry,
    clusterSecret: data.clusterSecret,
    thread: { index: data.index, threads: data.threads },
  });
  const health = setInterval(
    () => Atomics.store(data.degraded, data.index, state.health().degraded ? 1 : 0),
    500,
  );
  health.unref();
  parentPort?.on('message', (m: EdgeControlMessage) => {
    if (m.type === 'metrics') {
      void registry.getMetricsAsJSON().then((metrics) => post({ type: 'metrics', id: m.id, metrics }));
    } else if (m.type === 'peer') {
      edge.addPeer(m.index, m.port);
    } else if (m.type === 'stop') {
      clearInterval(health);
      void (async () => {
        await edge.close();
        await state.close();
        await store.close();
        process.exit(0);
      })();
    }
  });
  post({ type: 'ready', port: edge.udp.port });
}

main().catch((err: unknown) => {
  post({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
