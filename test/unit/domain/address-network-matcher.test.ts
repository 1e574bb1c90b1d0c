import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  formatCidr,
  type IpAddress,
  type IpNetwork,
  ipv4,
  ipv6,
  maskAddress,
  NetworkMatcher,
  networkContainsAddress,
  networksEqual,
  parseCidr,
  parseIp,
} from '../../../src/domain/address/index.ts';

function cidr(text: string): IpNetwork {
  const result = parseCidr(text);
  if (!result.ok) assert.fail(result.message);
  return result.value;
}

function ip(text: string): IpAddress {
  const result = parseIp(text);
  if (!result.ok) assert.fail(result.message);
  return result.value;
}

describe('NetworkMatcher', () => {
  test('empty matcher matches nothing', () => {
    const matcher = new NetworkMatcher<string>();
    assert.equal(matcher.size, 0);
    assert.equal(matcher.lookup(ip('1.2.3.4')), undefined);
    assert.equal(matcher.lookup(ip('::1')), undefined);
    assert.equal(matcher.contains(ip('1.2.3.4')), false);
    assert.equal(matcher.containsIpv4(0), false);
    assert.equal(matcher.match(ip('::1')), undefined);
    assert.deepEqual(matcher.entries(), []);
    matcher.compact();
    assert.equal(matcher.lookup(ip('1.2.3.4')), undefined);
  });

  test('longest prefix wins over nested networks', () => {
    const matcher = new NetworkMatcher<string>();
    matcher.insert(cidr('10.0.0.0/8'), 'eight');
    matcher.insert(cidr('10.1.0.0/16'), 'sixteen');
    matcher.insert(cidr('10.1.2.0/24'), 'twenty-four');
    matcher.insert(cidr('10.1.2.3/32'), 'host');
    assert.equal(matcher.size, 4);
    assert.equal(matcher.lookup(ip('10.1.2.3')), 'host');
    assert.equal(matcher.lookup(ip('10.1.2.4')), 'twenty-four');
    assert.equal(matcher.lookup(ip('10.1.3.4')), 'sixteen');
    assert.equal(matcher.lookup(ip('10.2.3.4')), 'eight');
    assert.equal(matcher.lookup(ip('11.0.0.0')), undefined);
    assert.equal(matcher.lookupIpv4(0x0a010203), 'host');
    assert.ok(matcher.containsIpv4(0x0a020304));
    assert.ok(!matcher.containsIpv4(0x0b000000));
    const found = matcher.match(ip('10.1.2.200'));
    assert.ok(found && formatCidr(found.network) === '10.1.2.0/24' && found.value === 'twenty-four');
  });

  test('insertion order does not matter (shorter prefix inserted last)', () => {
    const matcher = new NetworkMatcher<number>();
    matcher.insert(cidr('192.0.2.128/25'), 25);
    matcher.insert(cidr('192.0.2.0/25'), 250);
    matcher.insert(cidr('192.0.0.0/16'), 16);
    assert.equal(matcher.lookup(ip('192.0.2.129')), 25);
    assert.equal(matcher.lookup(ip('192.0.2.1')), 250);
    assert.equal(matcher.lookup(ip('192.0.3.1')), 16);
  });

  test('prefix 0 matches every address of its family', () => {
    const matcher = new NetworkMatcher<string>();
    matcher.insert(cidr('0.0.0.0/0'), 'all-v4');
    assert.equal(matcher.lookup(ip('255.255.255.255')), 'all-v4');
    assert.equal(matcher.lookup(ip('0.0.0.0')), 'all-v4');
    assert.equal(matcher.lookup(ip('::ffff:8.8.8.8')), 'all-v4');
    assert.equal(matcher.lookup(ip('2001:db8::1')), undefined);
    matcher.insert(cidr('::/0'), 'all-v6');
    assert.equal(matcher.lookup(ip('2001:db8::1')), 'all-v6');
    assert.equal(matcher.lookup(ip('::')), 'all-v6');
    matcher.insert(cidr('8.8.8.8/32'), 'dns');
    assert.equal(matcher.lookup(ip('8.8.8.8')), 'dns');
    assert.equal(matcher.lookup(ip('8.8.8.9')), 'all-v4');
  });

  test('IPv6 longest prefix, including words boundaries', () => {
    const matcher = new NetworkMatcher<number>();
    for (const [text, value] of [
      ['2001:db8::/32', 32],
      ['2001:db8::/64', 64],
      ['2001:db8::/96', 96],
      ['2001:db8::/127', 127],
      ['2001:db8::1/128', 128],
      ['2001:db8:8000::/33', 33],
    ] as const) {
      matcher.insert(cidr(text), value);
    }
    assert.equal(matcher.lookup(ip('2001:db8::1')), 128);
    assert.equal(matcher.lookup(ip('2001:db8::')), 127);
    assert.equal(matcher.lookup(ip('2001:db8::2')), 96);
    assert.equal(matcher.lookup(ip('2001:db8::1:0:0')), 64);
    assert.equal(matcher.lookup(ip('2001:db8:0:1::')), 32);
    assert.equal(matcher.lookup(ip('2001:db8:8000::1')), 33);
    assert.equal(matcher.lookup(ip('2001:db9::')), undefined);
    assert.ok(matcher.contains(ip('2001:db8:ffff::')));
    assert.ok(!matcher.contains(ip('2001:db9::')));
  });

  test('IPv4-mapped networks and addresses use the IPv4 table', () => {
    const matcher = new NetworkMatcher<string>();
    matcher.insert({ address: ipv6([0, 0, 0xffff, 0x0a000000]), prefix: 104 }, 'ten');
    assert.equal(matcher.lookup(ip('10.9.9.9')), 'ten');
    assert.equal(matcher.lookup(ipv6([0, 0, 0xffff, 0x0a090909])), 'ten');
    assert.ok(matcher.contains(ipv6([0, 0, 0xffff, 0x0a090909])));
    assert.ok(matcher.has(cidr('10.0.0.0/8')));
    assert.equal(matcher.match(ipv6([0, 0, 0xffff, 0x0a090909]))?.value, 'ten');
  });

  test('insert replaces, get/has are exact, host bits are cleared', () => {
    const matcher = new NetworkMatcher<string>();
    assert.equal(matcher.insert(cidr('10.0.0.0/8'), 'a'), true);
    assert.equal(matcher.insert(cidr('10.0.0.0/8'), 'b'), false);
    assert.equal(matcher.size, 1);
    assert.equal(matcher.get(cidr('10.0.0.0/8')), 'b');
    assert.equal(matcher.get(cidr('10.0.0.0/9')), undefined);
    assert.ok(!matcher.has(cidr('10.0.0.0/16')));
    matcher.insert({ address: ipv4(0x0a0102ff), prefix: 24 }, 'c');
    assert.equal(matcher.get(cidr('10.1.2.0/24')), 'c');
    assert.throws(() => matcher.insert({ address: ipv4(0), prefix: 33 }, 'x'), RangeError);
    assert.throws(() => matcher.insert({ address: ipv6([0, 0, 0, 0]), prefix: -1 }, 'x'), RangeError);
  });

  test('values may be falsy or undefined', () => {
    const matcher = new NetworkMatcher<number | undefined>();
    matcher.insert(cidr('10.0.0.0/8'), 0);
    matcher.insert(cidr('10.0.0.0/16'), undefined);
    assert.equal(matcher.lookup(ip('10.1.0.0')), 0);
    assert.ok(matcher.contains(ip('10.0.0.1')));
    assert.ok(matcher.has(cidr('10.0.0.0/16')));
  });

  test('remove restores the previous answer and prunes the trie', () => {
    const matcher = new NetworkMatcher<string>();
    const networks = [
      '10.0.0.0/8',
      '10.1.0.0/16',
      '10.1.2.0/24',
      '10.1.3.0/24',
      '2001:db8::/32',
      '2001:db8::/48',
    ];
    for (const text of networks) matcher.insert(cidr(text), text);
    assert.equal(matcher.remove(cidr('10.1.0.0/16')), true);
    assert.equal(matcher.remove(cidr('10.1.0.0/16')), false);
    assert.equal(matcher.remove(cidr('10.9.0.0/16')), false);
    assert.equal(matcher.lookup(ip('10.1.9.9')), '10.0.0.0/8');
    assert.equal(matcher.lookup(ip('10.1.2.9')), '10.1.2.0/24');
    assert.equal(matcher.remove(cidr('10.1.2.0/24')), true);
    assert.equal(matcher.lookup(ip('10.1.2.9')), '10.0.0.0/8');
    assert.equal(matcher.remove(cidr('2001:db8::/32')), true);
    assert.equal(matcher.lookup(ip('2001:db8:1::')), undefined);
    assert.equal(matcher.lookup(ip('2001:db8::1')), '2001:db8::/48');
    assert.equal(matcher.size, 3);
    for (const text of networks) matcher.remove(cidr(text));
    assert.equal(matcher.size, 0);
    assert.deepEqual(matcher.stats().ipv4Nodes + matcher.stats().ipv6Nodes, 0);
    // Freed nodes are reused.
    matcher.insert(cidr('10.0.0.0/8'), 'again');
    assert.equal(matcher.lookup(ip('10.0.0.1')), 'again');
  });

  test('entries lists every network in address order, IPv4 first', () => {
    const matcher = new NetworkMatcher<number>();
    const texts = ['2001:db8::/32', '10.1.0.0/16', '10.0.0.0/8', '192.0.2.0/24', '::/0', '0.0.0.0/0'];
    texts.forEach((text, i) => {
      matcher.insert(cidr(text), i);
    });
    assert.deepEqual(
      matcher.entries().map((e) => `${formatCidr(e.network)}=${e.value}`),
      ['0.0.0.0/0=5', '10.0.0.0/8=2', '10.1.0.0/16=1', '192.0.2.0/24=3', '::/0=4', '2001:db8::/32=0'],
    );
    matcher.clear();
    assert.equal(matcher.size, 0);
    assert.equal(matcher.lookup(ip('10.0.0.1')), undefined);
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: the trie against a naive linear scan.

/** Reference: a list of distinct networks, longest containing prefix wins. */
class NaiveMatcher<T> {
  readonly entries: { network: IpNetwork; value: T }[] = [];

  insert(network: IpNetwork, value: T): void {
    const existing = this.entries.find((e) => networksEqual(e.network, network));
    if (existing) existing.value = value;
    else this.entries.push({ network, value });
  }

  remove(network: IpNetwork): boolean {
    const index = this.entries.findIndex((e) => networksEqual(e.network, network));
    if (index >= 0) this.entries.splice(index, 1);
    return index >= 0;
  }

  lookup(address: IpAddress): { network: IpNetwork; value: T } | undefined {
    let best: { network: IpNetwork; value: T } | undefined;
    for (const entry of this.entries) {
      if (
        networkContainsAddress(entry.network, address) &&
        (!best || entry.network.prefix > best.network.prefix)
      ) {
        best = entry;
      }
    }
    return best;
  }
}

/** Few distinct high bits so that networks nest and addresses hit them. */
const v4Value = fc.oneof(
  fc
    .tuple(fc.constantFrom(0x00, 0x0a, 0xc0, 0xff), fc.integer({ min: 0, max: 0xffffff }))
    .map(([high, low]) => ((high << 24) | low) >>> 0),
  fc
    .tuple(fc.constantFrom(0x0a000000, 0xc0000200), fc.integer({ min: 0, max: 0xff }))
    .map(([base, low]) => base + low),
  fc.integer({ min: 0, max: 0xffffffff }),
);

const v6Word = fc.oneof(
  fc.constantFrom(0, 0xffffffff, 0x20010db8, 0x80000000, 1),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const v6Words = fc
  .tuple(v6Word, v6Word, v6Word, v6Word)
  .map(([a, b, c, d]) => [a, b, a === 0 && b === 0 && c === 0xffff ? 0xfffe : c, d] as const);

const v4NetworkArb: fc.Arbitrary<IpNetwork> = fc
  .tuple(v4Value, fc.nat(32))
  .map(([value, prefix]) => ({ address: maskAddress(ipv4(value), prefix), prefix }) as IpNetwork);
const v6NetworkArb: fc.Arbitrary<IpNetwork> = fc
  .tuple(v6Words, fc.oneof(fc.nat(128), fc.constantFrom(0, 31, 32, 33, 63, 64, 65, 95, 96, 97, 127, 128)))
  .map(([words, prefix]) => ({ address: maskAddress(ipv6(words), prefix), prefix }) as IpNetwork);

const v4AddressArb: fc.Arbitrary<IpAddress> = v4Value.map((v) => ipv4(v));
const v6AddressArb: fc.Arbitrary<IpAddress> = v6Words.map((w) => ipv6(w));

/** An address inside a network: its base with random host bits. */
function inside(network: IpNetwork, noise: readonly [number, number, number, number]): IpAddress {
  const keepHost = (word: number, bitsBefore: number, n: number): number => {
    const netBits = Math.max(0, Math.min(32, network.prefix - bitsBefore));
    const hostMask = netBits === 32 ? 0 : netBits === 0 ? 0xffffffff : (0xffffffff >>> netBits) >>> 0;
    return (word | (n & hostMask)) >>> 0;
  };
  if (network.address.family === 4) return ipv4(keepHost(network.address.value, 0, noise[0]));
  const w = network.address.words;
  return ipv6([
    keepHost(w[0], 0, noise[0]),
    keepHost(w[1], 32, noise[1]),
    keepHost(w[2], 64, noise[2]),
    keepHost(w[3], 96, noise[3]),
  ]);
}

const noiseArb = fc.tuple(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: 0xffffffff }),
);

function scenarioArb(networkArb: fc.Arbitrary<IpNetwork>, addressArb: fc.Arbitrary<IpAddress>) {
  return fc.record({
    networks: fc.array(networkArb, { maxLength: 60, size: 'max' }),
    removals: fc.array(fc.nat(), { maxLength: 30, size: 'max' }),
    probes: fc.array(addressArb, { maxLength: 30, size: 'max' }),
    noise: fc.array(noiseArb, { minLength: 1, maxLength: 10 }),
  });
}

function checkAgainstNaive(
  scenario: {
    networks: IpNetwork[];
    removals: number[];
    probes: IpAddress[];
    noise: (readonly [number, number, number, number])[];
  },
  options: { jumpMinNodes?: number } = {},
): void {
  const matcher = new NetworkMatcher<number>(options);
  const naive = new NaiveMatcher<number>();
  scenario.networks.forEach((network, i) => {
    const added = matcher.insert(network, i);
    assert.equal(added, !naive.entries.some((e) => networksEqual(e.network, network)));
    naive.insert(network, i);
  });
  const probes: IpAddress[] = [...scenario.probes];
  scenario.networks.forEach((network, i) => {
    probes.push(network.address, inside(network, scenario.noise[i % scenario.noise.length]!));
  });
  const compare = (): void => {
    assert.equal(matcher.size, naive.entries.length);
    for (const address of probes) {
      const expected = naive.lookup(address);
      assert.equal(matcher.lookup(address), expected?.value);
      assert.equal(matcher.contains(address), expected !== undefined);
      if (address.family === 4) {
        assert.equal(matcher.lookupIpv4(address.value), expected?.value);
        assert.equal(matcher.containsIpv4(address.value), expected !== undefined);
      }
      const found = matcher.match(address);
      assert.equal(found === undefined, expected === undefined);
      if (found && expected) assert.ok(networksEqual(found.network, expected.network));
    }
    for (const entry of naive.entries) assert.equal(matcher.get(entry.network), entry.value);
    assert.equal(matcher.entries().length, naive.entries.length);
  };
  compare();
  for (const r of scenario.removals) {
    if (scenario.networks.length === 0) break;
    const network = scenario.networks[r % scenario.networks.length]!;
    assert.equal(matcher.remove(network), naive.remove(network));
  }
  compare();
  matcher.compact();
  compare();
  // Re-inserting after removals exercises the free list.
  scenario.networks.forEach((network, i) => {
    matcher.insert(network, i);
    naive.insert(network, i);
  });
  compare();
}

/** The plain walk, and the walk from the jump table (prefix-trie.ts) forced on from the first node. */
function checkBoth(scenario: Parameters<typeof checkAgainstNaive>[0]): void {
  checkAgainstNaive(scenario);
  checkAgainstNaive(scenario, { jumpMinNodes: 1 });
}

describe('NetworkMatcher properties', () => {
  test('IPv4 lookups match a linear scan (with nested prefixes and removals)', () => {
    fc.assert(fc.property(scenarioArb(v4NetworkArb, v4AddressArb), checkBoth), { numRuns: 400 });
  });

  test('IPv6 lookups match a linear scan (with nested prefixes and removals)', () => {
    fc.assert(fc.property(scenarioArb(v6NetworkArb, v6AddressArb), checkBoth), { numRuns: 400 });
  });

  test('mixed families, including IPv4-mapped probes', () => {
    fc.assert(
      fc.property(
        scenarioArb(fc.oneof(v4NetworkArb, v6NetworkArb), fc.oneof(v4AddressArb, v6AddressArb)),
        (scenario) => {
          checkBoth(scenario);
          const matcher = new NetworkMatcher<number>();
          scenario.networks.forEach((network, i) => {
            matcher.insert(network, i);
          });
          for (const address of scenario.probes) {
            if (address.family !== 4) continue;
            const mapped = ipv6([0, 0, 0xffff, address.value]);
            assert.equal(matcher.lookup(mapped), matcher.lookup(address));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a large random table agrees with a linear scan', () => {
    fc.assert(
      fc.property(
        fc.array(v4NetworkArb, { minLength: 200, maxLength: 400 }),
        fc.array(v6NetworkArb, { minLength: 200, maxLength: 400 }),
        fc.array(noiseArb, { minLength: 1, maxLength: 4 }),
        (v4, v6, noise) => {
          checkBoth({
            networks: [...v4, ...v6],
            removals: [3, 17, 42, 99, 150, 151],
            probes: [],
            noise,
          });
        },
      ),
      { numRuns: 10 },
    );
  });
});
