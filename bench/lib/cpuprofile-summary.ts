// Summarises V8 .cpuprofile files (node --cpu-prof): self time per function and per source file,
// as a share of the busy (non-idle) samples, and total time (self + callees) for the functions
// named in --inclusive. Used by bench/profile.sh; readable on its own:
//
//   node --import tsx bench/lib/cpuprofile-summary.ts [--top 25] [--inclusive a,b] FILE...
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const args = process.argv.slice(2);
let top = 25;
let inclusive: string[] = [];
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--inclusive') inclusive = (args[++i] ?? '').split(',').filter(Boolean);
  else files.push(args[i]!);
}
if (files.length === 0) {
  process.stderr.write('usage: cpuprofile-summary.ts [--top N] [--inclusive fn,fn] FILE...\n');
  process.exit(2);
}

const root = process.cwd();
function where(f: CallFrame): string {
  if (f.url === '') return '';
  const path = f.url.replace(/^file:\/\//, '');
  const rel = path.startsWith(root)
    ? relative(root, path)
    : path.replace(/^.*node_modules\//, 'node_modules/');
  return `${rel}:${f.lineNumber + 1}`;
}
// (idle) is the event loop waiting; (program) is native work no JS frame is charged with (the
// event loop's own polling and reading, syscalls made outside JS): busy time, reported apart.
const IDLE = new Set(['(idle)']);

const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusiveMs = new Map<string, number>();
let busyMs = 0;
let idleMs = 0;
let wallMs = 0;

for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const totalSamples = p.samples.length || 1;
  const msPerSample = (p.endTime - p.startTime) / 1000 / totalSamples;
  wallMs += (p.endTime - p.startTime) / 1000;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  for (const s of p.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  for (const n of p.nodes) {
    const ms = (hits.get(n.id) ?? n.hitCount ?? 0) * msPerSample;
    if (ms === 0) continue;
    const name = n.callFrame.functionName || '(anonymous)';
    if (IDLE.has(name)) {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const key = `${name} ${where(n.callFrame)}`.trim();
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + ms);
    const fileKey = n.callFrame.url === '' ? `(native) ${name}` : where(n.callFrame).replace(/:\d+$/, '');
    selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + ms);
  }
  // Inclusive time: a sample counts once for a named function on its stack (recursion not doubled).
  if (inclusive.length > 0) {
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const seen = new Map<number, Set<string>>();
    const namesOnStack = (id: number): Set<string> => {
      let s = seen.get(id);
      if (s !== undefined) return s;
      const pid = parent.get(id);
      s = new Set(pid === undefined ? [] : namesOnStack(pid));
      const fn = byId.get(id)?.callFrame.functionName ?? '';
      if (inclusive.includes(fn)) s.add(fn);
      seen.set(id, s);
      return s;
    };
    for (const [id, count] of hits) {
      for (const fn of namesOnStack(id))
        inclusiveMs.set(fn, (inclusiveMs.get(fn) ?? 0) + count * msPerSample);
    }
  }
}

const pct = (ms: number): string => `${((100 * ms) / busyMs).toFixed(1)} %`;
console.log(
  `profiles: ${files.length}; wall ${(wallMs / 1000).toFixed(1)} s; busy ${(busyMs / 1000).toFixed(1)} s (of which (program) ${((selfByFn.get('(program)') ?? 0) / 1000).toFixed(1)} s); idle ${(idleMs / 1000).toFixed(1)} s`,
);
console.log('\n| self time | share of busy | function (file:line) |\n|---|---|---|');
for (const [k, ms] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`| ${ms.toFixed(0)} ms | ${pct(ms)} | \`${k}\` |`);
console.log('\n| self time | share of busy | file |\n|---|---|---|');
for (const [k, ms] of [...selfByFile].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`| ${ms.toFixed(0)} ms | ${pct(ms)} | \`${k}\` |`);
if (inclusive.length > 0) {
  console.log('\n| total time (self + callees) | share of busy | function |\n|---|---|---|');
  for (const fn of inclusive) {
    const ms = inclusiveMs.get(fn) ?? 0;
    console.log(`| ${ms.toFixed(0)} ms | ${pct(ms)} | \`${fn}\` |`);
  }
}
