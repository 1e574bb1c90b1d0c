// How long the edge takes to build its policy snapshot from a database, and what it holds
// (issue 8 item 3: start-up / warm-up). This is the edge's own loader (src/sip/edge/policy-loader.ts),
// which runs at start and again after every change (change_version moved), in each edge process.
//
//   node --expose-gc --import tsx bench/scale/policy-load.ts DB_FILE [ROUNDS=3]
// Prints one JSON line: best and first load time (ms), heap + array buffers held by one snapshot (MiB).
import { loadPolicy } from '../../src/sip/edge/policy-loader.ts';
import { openStore } from '../../src/store/database.ts';

const [file, roundsArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: policy-load.ts DB_FILE [ROUNDS]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? '3');
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const held = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const store = openStore({ sqlitePath: file, databaseUrl: undefined });
const times: number[] = [];
let heapMiB = 0;
for (let r = 0; r < rounds; r++) {
  gc();
  const before = held();
  const t0 = performance.now();
  const snapshot = await loadPolicy(store, 'bench.local');
  times.push(performance.now() - t0);
  gc();
  heapMiB = (held() - before) / 1048576;
  if (snapshot.version < 0) throw new Error('no policy');
}
await store.close();
process.stdout.write(
  `${JSON.stringify({
    first_ms: Math.round(times[0]!),
    best_ms: Math.round(Math.min(...times)),
    snapshot_mib: Number(heapMiB.toFixed(1)),
    rss_mib: Math.round(process.memoryUsage().rss / 1048576),
  })}\n`,
);
