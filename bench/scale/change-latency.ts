// How long one policy change takes to be applied by every edge process (the goal: "one
// change applied everywhere in under 100 ms"). Reads the edge's log (debug level: each process
// logs "sip policy reloaded" with the version it reached, src/sip/edge/policy-cache.ts) and the
// changes bench/scale.sh made ("<epoch ms before the write> <version written>" per line); for
// each change, the time until the last edge process logged a version at or past it.
//
//   node --import tsx bench/scale/change-latency.ts LOG CHANGES WORKERS
// Prints one JSON line: changes, applied_everywhere, median_ms, max_ms, apply_ms_max, modes.
import { readFileSync } from 'node:fs';

const [logFile, changesFile, workersArg] = process.argv.slice(2);
if (logFile === undefined || changesFile === undefined || workersArg === undefined) {
  process.stderr.write('usage: change-latency.ts LOG CHANGES WORKERS\n');
  process.exit(2);
}
const workers = Number(workersArg);

interface Reload {
  worker: string;
  at: number;
  version: number;
  ms: number;
  mode: string;
}
const reloads: Reload[] = [];
for (const line of readFileSync(logFile, 'utf8').split('\n')) {
  if (!line.includes('"sip policy reloaded"')) continue;
  try {
    const r = JSON.parse(line) as {
      time: string;
      worker?: number;
      version: number;
      ms: number;
      mode?: string;
    };
    reloads.push({
      worker: String(r.worker ?? 'main'),
      at: Date.parse(r.time),
      version: r.version,
      ms: r.ms,
      mode: r.mode ?? 'full',
    });
  } catch {
    // not a log line of ours
  }
}

const latencies: number[] = [];
let everywhere = 0;
let applyMax = 0;
const modes: Record<string, number> = {};
const changes = readFileSync(changesFile, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
for (const [t0, version] of changes) {
  const first = new Map<string, Reload>();
  for (const r of reloads) {
    if (r.version < version) continue;
    const seen = first.get(r.worker);
    if (seen === undefined || r.at < seen.at) first.set(r.worker, r);
  }
  if (first.size < workers) continue;
  everywhere++;
  let last = 0;
  for (const r of first.values()) {
    last = Math.max(last, r.at);
    applyMax = Math.max(applyMax, r.ms);
    modes[r.mode] = (modes[r.mode] ?? 0) + 1;
  }
  latencies.push(last - t0);
}
latencies.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    changes: changes.length,
    applied_everywhere: everywhere,
    median_ms: latencies.length === 0 ? null : latencies[Math.floor(latencies.length / 2)],
    max_ms: latencies.length === 0 ? null : latencies[latencies.length - 1],
    apply_ms_max: applyMax,
    modes,
  })}\n`,
);
