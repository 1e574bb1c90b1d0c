/**
 * Memory and lookup-speed benchmark for NetworkMatcher (not a test; the runner only picks up
 * *.test.ts). One table size and family per process so RSS numbers do not mix:
 *
 *   node --expose-gc --import tsx test/unit/domain/address-network-matcher.bench.ts 4 1000000
 *   node --expose-gc --import tsx test/unit/domain/address-network-matcher.bench.ts 6 1000000
 *
 * IPv4 entries are random /24–/32 networks; IPv6 entries are random /32–/128 networks in
 * 2000::/3. Half of the probes fall inside a stored network, half are random.
 */
import {
  type IpAddress,
  type IpNetwork,
  maskAddress,
  NetworkMatcher,
  normalizeSourceAddress,
} from '../../../src/domain/address/index.ts';

const family = Number(process.argv[2] ?? '4') as 4 | 6;
const count = Number(process.argv[3] ?? '1000000');
const PROBES = 1 << 16;
const LOOKUPS = 1_000_000;

let seed = 0x9e3779b9;
function random32(): number {
  // xorshift32: deterministic, fast, good enough to scatter keys.
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
function randomInt(min: number, max: number): number {
  return min + (random32() % (max - min + 1));
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

function randomNetwork(): IpNetwork {
  if (family === 4) {
    const prefix = randomInt(24, 32);
    return { address: maskAddress({ family: 4, value: random32() }, prefix), prefix } as IpNetwork;
  }
  const prefix = randomInt(32, 128);
  const words = [((random32() & 0x1fffffff) | 0x20000000) >>> 0, random32(), random32(), random32()] as const;
  return { address: maskAddress({ family: 6, words }, prefix), prefix } as IpNetwork;
}

function randomAddressIn(network: IpNetwork | undefined): IpAddress {
  if (family === 4) {
    const base = network?.address.family === 4 ? network.address.value : random32();
    const hostBits = network ? 32 - network.prefix : 32;
    const host = hostBits === 0 ? 0 : random32() >>> (32 - hostBits);
    return { family: 4, value: (base | host) >>> 0 };
  }
  if (network?.address.family !== 6) {
    return {
      family: 6,
      words: [((random32() & 0x1fffffff) | 0x20000000) >>> 0, random32(), random32(), random32()],
    };
  }
  const w = network.address.words;
  const host = (word: number, before: number): number => {
    const netBits = Math.max(0, Math.min(32, network.prefix - before));
    return netBits === 32 ? word : (word | (random32() >>> netBits)) >>> 0;
  };
  return { family: 6, words: [host(w[0], 0), host(w[1], 32), host(w[2], 64), host(w[3], 96)] };
}

gc();
const before = process.memoryUsage();
const matcher = new NetworkMatcher<number>();
const sample: IpNetwork[] = [];
const started = process.hrtime.bigint();
for (let i = 0; i < count; i++) {
  const network = randomNetwork();
  matcher.insert(network, i);
  if (i % Math.max(1, Math.floor(count / 1024)) === 0) sample.push(network);
}
const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
gc();
const after = process.memoryUsage();

const probes: IpAddress[] = [];
for (let i = 0; i < PROBES; i++)
  probes.push(randomAddressIn(i % 2 === 0 ? sample[i % sample.length] : undefined));
const probes4 = new Uint32Array(PROBES);
probes.forEach((p, i) => {
  if (p.family === 4) probes4[i] = p.value;
});
const probeText = probes.map((p) =>
  p.family === 4
    ? `::ffff:${p.value >>> 24}.${(p.value >>> 16) & 255}.${(p.value >>> 8) & 255}.${p.value & 255}`
    : p.words.map((w) => `${(w >>> 16).toString(16)}:${(w & 0xffff).toString(16)}`).join(':'),
);

/** Best of five rounds: the minimum is the least disturbed by other processes on the machine. */
function time(label: string, body: (i: number) => unknown): void {
  let sink = 0;
  for (let i = 0; i < 200_000; i++) if (body(i & (PROBES - 1)) !== undefined) sink++;
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < LOOKUPS; i++) if (body(i & (PROBES - 1)) !== undefined) sink++;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / LOOKUPS);
  }
  console.log(`    ${label.padEnd(42)} ${best.toFixed(1).padStart(7)} ns/op   (hits ${sink})`);
}

const stats = matcher.stats();
console.log(
  `IPv${family}  entries=${matcher.size}  nodes=${family === 4 ? stats.ipv4Nodes : stats.ipv6Nodes}`,
);
console.log(`  build ${buildMs.toFixed(0)} ms (${((buildMs * 1e6) / count).toFixed(0)} ns/insert)`);
console.log(
  `  rss +${mib(after.rss - before.rss)} (total ${mib(after.rss)}), heapUsed +${mib(after.heapUsed - before.heapUsed)}, arrayBuffers +${mib(after.arrayBuffers - before.arrayBuffers)}, typed arrays ${mib(stats.typedArrayBytes)}`,
);
console.log('  as built (records in insertion order since the last growth):');
time('lookup(address)', (i) => matcher.lookup(probes[i]!));
const compactStarted = process.hrtime.bigint();
matcher.compact();
console.log(`  after compact() (${(Number(process.hrtime.bigint() - compactStarted) / 1e6).toFixed(0)} ms):`);
time('lookup(address)', (i) => matcher.lookup(probes[i]!));
time('contains(address)', (i) => (matcher.contains(probes[i]!) ? 1 : undefined));
if (family === 4) time('lookupIpv4(uint32)', (i) => matcher.lookupIpv4(probes4[i]!));
time('normalizeSourceAddress(text) + lookup', (i) => {
  const address = normalizeSourceAddress(probeText[i]!);
  return address ? matcher.lookup(address) : undefined;
});
