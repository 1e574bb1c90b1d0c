// How the edge runs inside `trunkgate serve` (docs/architecture.md, "Edge runtime and state"):
// TRUNKGATE_SIP_WORKERS edge threads (worker_threads; default one per core), each with its own UDP
// socket and TCP server on the SIP port (SO_REUSEPORT: the kernel spreads datagrams by 4-tuple and
// connections across the threads). The API stays in this, the main thread. All threads share this
// node's state in SharedArrayBuffers (src/state/shared-state.ts), created here once per start — so
// a restart (a new node id) makes every nonce in the wild stale, by design.
//
// Each thread keeps its own prom-client registry; GET /metrics asks every thread for its metrics
// (a MessagePort round trip, off the SIP path) and merges them. A thread that dies is restarted.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { createSharedStateMemory } from '../../state/shared-state.ts';
import type { Store } from '../../store/database.ts';
import { resolveClusterSecret } from './edge-server.ts';
import type { EdgeThreadData, EdgeThreadMessage } from './edge-thread-protocol.ts';

export interface EdgeRuntime {
  /** Prometheus text of every edge thread, merged. */
  metrics(): Promise<{ contentType: string; body: string }>;
  health(): { backend: string; degraded: boolean; workers: number };
  /** UDP/TCP port actually bound (useful with port 0 in tests). */
  port: number;
  close(): Promise<void>;
}

function threadEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js'))
    return { file: here.replace(/edge-runtime\.js$/, 'edge-thread.js'), execArgv: [] };
  const ts = here.replace(/edge-runtime\.ts$/, 'edge-thread.ts');
  if (!existsSync(ts)) throw new Error(`edge thread entry not found: ${ts}`);
  return { file: ts, execArgv: ['--import', 'tsx'] };
}

/** One thread's registry.getMetricsAsJSON(). */
type ThreadMetrics = Parameters<typeof AggregatorRegistry.aggregate>[0][number];

interface Thread {
  index: number;
  worker: Worker;
  alive: boolean;
}

export async function startEdgeRuntime(
  config: Readonly<Config>,
  store: Store,
  log: Logger,
): Promise<EdgeRuntime> {
  const clusterSecret = await resolveClusterSecret(config, store);
  const memory = createSharedStateMemory({
    policy: config.authFailure,
    packetRatePerSecond: config.sipPacketRate || 1,
  });
  const count = config.sip.workers;
  // One Int32 per thread: 1 while that thread's Redis is configured but unusable.
  const degraded = new Int32Array(new SharedArrayBuffer(4 * count));
  const { file, execArgv } = threadEntry();
  // TRUNKGATE_SIP_WORKER_NODE_ARGS passes node flags to the threads, e.g. "--cpu-prof" for profiling.
  const extra = (process.env['TRUNKGATE_SIP_WORKER_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');
  const threads: Array<Thread | undefined> = new Array(count);
  let port = config.sipPort;
  let stopping = false;
  let nextRequest = 1;
  const pending = new Map<number, (m: EdgeThreadMessage) => void>();

  // Thread-to-thread ports (a full mesh), for handing TCP bytes to the thread that owns the connection.
  function connectPeers(index: number): void {
    for (const other of threads) {
      if (other === undefined || other.index === index || !other.alive) continue;
      const self = threads[index];
      if (self === undefined) continue;
      const { port1, port2 } = new MessageChannel();
      self.worker.postMessage({ type: 'peer', index: other.index, port: port1 }, [port1]);
      other.worker.postMessage({ type: 'peer', index, port: port2 }, [port2]);
    }
  }

  const spawn = (index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const data: EdgeThreadData = { index, threads: count, port, clusterSecret, memory, degraded };
      const worker = new Worker(file, { workerData: data, execArgv: [...execArgv, ...extra] });
      const thread: Thread = { index, worker, alive: false };
      threads[index] = thread;
      worker.on('message', (m: EdgeThreadMessage) => {
        if (m.type === 'ready') {
          thread.alive = true;
          port = m.port;
          connectPeers(index);
          resolve();
        } else if (m.type === 'failed') {
          reject(new Error(`sip edge thread ${index} failed to start: ${m.error}`));
        } else if (m.type === 'metrics') {
          pending.get(m.id)?.(m);
        }
      });
      worker.on('error', (err) => log.error({ thread: index, err: err.message }, 'sip edge thread error'));
      worker.on('exit', (code) => {
        thread.alive = false;
        Atomics.store(degraded, index, 0);
        if (stopping) return;
        log.error({ thread: index, code }, 'sip edge thread exited; restarting it');
        setTimeout(
          () =>
            void spawn(index).catch((err: unknown) =>
              log.error({ err: String(err) }, 'sip edge thread restart failed'),
            ),
          500,
        ).unref();
      });
    });

  // With port 0 the first thread picks a free port and the others join it; else all start at once.
  if (port === 0) await spawn(0);
  await Promise.all(
    Array.from({ length: count }, (_, i) => (threads[i] === undefined ? spawn(i) : undefined)),
  );
  log.info({ threads: count, port }, 'sip edge threads ready');

  const aggregator = new AggregatorRegistry();
  const collect = (t: Thread): Promise<ThreadMetrics> =>
    new Promise((resolve) => {
      const id = nextRequest++;
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve([]);
      }, 2000);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(m.type === 'metrics' ? (m.metrics as ThreadMetrics) : []);
      });
      t.worker.postMessage({ type: 'metrics', id });
    });

  return {
    metrics: async () => {
      const live = threads.filter((t): t is Thread => t?.alive === true);
      const all = await Promise.all(live.map(collect));
      const merged = AggregatorRegistry.aggregate(all);
      return { contentType: aggregator.contentType, body: await merged.metrics() };
    },
    health: () => ({
      backend: config.redisUrl !== undefined ? 'redis' : 'shared-memory',
      degraded: degraded.some((d) => d !== 0),
      workers: threads.filter((t) => t?.alive === true).length,
    }),
    get port() {
      return port;
    },
    close: async () => {
      stopping = true;
      await Promise.all(
        threads.map(async (t) => {
          if (t === undefined) return;
          const exited = new Promise<void>((resolve) => t.worker.once('exit', () => resolve()));
          t.worker.postMessage({ type: 'stop' });
          await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
          await t.worker.terminate();
        }),
      );
    },
  };
}
