// NetworkMatcher (src/domain/address/) lookup time at 10³ … 10⁶ networks (issue 8 item 3):
// the ACL check on the edge's hot path. One matcher per size, half IPv4 networks (/16–/32) and half
// IPv6 (/32–/128 in 2000::/3); probes are half inside a stored network (of either family) and half
// random addresses. Each size is timed in ROUNDS rounds of LOOKUPS `contains()` calls (the edge's
// call), the sizes taking turns round by round; the best round is reported, so a round that met a
// GC pause or another process does not count. Time is the process's CPU time (user + system), not
// wall-clock: on a shared machine a thread that is scheduled out would otherwise be charged for
// another's work. The 10³ row is the baseline of the ratio column.
//
//   node --expose-gc --import tsx bench/scale/matcher.ts [sizes=1000,10000,100000,1000000]
import {
  type IpAddress,
  type IpNetwork,
  maskAddress,
  NetworkMatcher,
} from '../../src/domain/address/index.ts';

const sizes = (process.argv[2] ?? '1000,10000,100000,1000000').split(',').map(Number);
const PROBES = 1 << 16;
const LOOKUPS = 2_000_000;
const ROUNDS = 7;

let seed = 0x2545f491;
function random32(): number {
  // xorshift32: deterministic and cheap
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const between = (lo: number, hi: number): number => lo + (random32() % (hi - lo + 1));
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function randomNetwork(i: number): IpNetwork {
  if (i % 2 === 0) {
    const prefix = between(16, 32);
    return { address: maskAddress({ family: 4, value: random32() }, prefix), prefix };
  }
  const prefix = between(32, 128);
  const words = [(random32() & 0x1fffffff) | 0x20000000, random32(), random32(), random32()] as const;
  return { address: maskAddress({ family: 6, words: words.map((w) => w >>> 0) as never }, prefix), prefix };
}

function addressIn(n: IpNetwork): IpAddress {
  if (n.address.family === 4) {
    const host = n.prefix === 32 ? 0 : random32() >>> n.prefix;
    return { family: 4, value: (n.address.value | host) >>> 0 };
  }
  const w = n.address.words;
  const fill = (word: number, before: number): number => {
    const bits = Math.max(0, Math.min(32, n.prefix - before));
    return bits === 32 ? word : (word | (random32() >>> bits)) >>> 0;
  };
  return { family: 6, words: [fill(w[0], 0), fill(w[1], 32), fill(w[2], 64), fill(w[3], 96)] };
}

function randomAddress(i: number): IpAddress {
  return i % 2 === 0
    ? { family: 4, value: random32() }
    : {
        family: 6,
        words: [((random32() & 0x1fffffff) | 0x20000000) >>> 0, random32(), random32(), random32()],
      };
}

interface Row {
  size: number;
  buildMs: number;
  heapMiB: number;
  nsPerLookup: number;
  hitRate: number;
}

interface Case {
  row: Row;
  matcher: NetworkMatcher<true>;
  probes: IpAddress[];
}

function build(size: number): Case {
  gc();
  const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const matcher = new NetworkMatcher<true>();
  const sample: IpNetwork[] = [];
  const t0 = performance.now();
  for (let i = 0; i < size; i++) {
    const n = randomNetwork(i);
    matcher.insert(n, true);
    if (sample.length < PROBES / 2 && random32() % Math.max(1, Math.floor(size / (PROBES / 2))) === 0)
      sample.push(n);
  }
  matcher.compact(); // as the edge's policy loader does after a bulk load
  matcher.contains({ family: 4, value: 0 }); // builds the jump tables (prefix-trie.ts)
  matcher.contains({ family: 6, words: [0x20000000, 0, 0, 0] });
  const buildMs = performance.now() - t0;
  gc();
  const heapMiB = (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0) / 1048576;
  const probes: IpAddress[] = [];
  for (let i = 0; i < PROBES; i++)
    probes.push(i % 2 === 0 && sample.length > 0 ? addressIn(sample[i % sample.length]!) : randomAddress(i));
  return {
    row: { size, buildMs, heapMiB, nsPerLookup: Number.POSITIVE_INFINITY, hitRate: 0 },
    matcher,
    probes,
  };
}

function round(c: Case): void {
  let hits = 0;
  const { matcher, probes } = c;
  const s = process.cpuUsage();
  for (let i = 0; i < LOOKUPS; i++) if (matcher.contains(probes[i & (PROBES - 1)]!)) hits++;
  const used = process.cpuUsage(s);
  const ns = ((used.user + used.system) * 1000) / LOOKUPS;
  if (ns < c.row.nsPerLookup) c.row.nsPerLookup = ns;
  c.row.hitRate = hits / LOOKUPS;
}

function measure(sizes: number[]): Row[] {
  const cases = sizes.map(build);
  for (let r = 0; r < ROUNDS; r++) for (const c of cases) round(c);
  return cases.map((c) => c.row);
}

// Warm the JIT on a small table first so the first measured size is not charged for compilation.
measure([1000]);
const rows = measure(sizes);
const base = rows[0]!.nsPerLookup;
console.log(
  '| networks (½ IPv4, ½ IPv6) | build + compact | matcher memory | CPU ns / lookup (best of 7 × 2M) | × vs 10³ | hits |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.size.toLocaleString('en-US')} | ${r.buildMs.toFixed(0)} ms | ${r.heapMiB.toFixed(1)} MiB | ${r.nsPerLookup.toFixed(1)} | ${(r.nsPerLookup / base).toFixed(2)} | ${(100 * r.hitRate).toFixed(0)} % |`,
  );
}
