import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  findSpecialRange,
  findSpecialRangeForAddress,
  formatCidr,
  type IpNetwork,
  ipv4,
  ipv6,
  maskAddress,
  networkContains,
  networkContainsAddress,
  networksOverlap,
  parseCidr,
  parseIp,
  SPECIAL_RANGES,
} from '../../../src/domain/address/index.ts';

function cidr(text: string): IpNetwork {
  const result = parseCidr(text);
  if (!result.ok) assert.fail(result.message);
  return result.value;
}

function special(text: string): string | null {
  const range = findSpecialRange(cidr(text));
  return range ? `${range.cidr} ${range.name}` : null;
}

describe('SPECIAL_RANGES table', () => {
  test('every entry is canonical and named', () => {
    for (const range of SPECIAL_RANGES) {
      assert.equal(formatCidr(range.network), range.cidr);
      assert.ok(range.name.length > 0 && range.reference.startsWith('RFC'), range.cidr);
    }
  });

  test('holds the blocks the ACL rules depend on', () => {
    const listed = new Set(SPECIAL_RANGES.map((r) => r.cidr));
    for (const block of [
      '0.0.0.0/8',
      '10.0.0.0/8',
      '100.64.0.0/10',
      '127.0.0.0/8',
      '169.254.0.0/16',
      '172.16.0.0/12',
      '192.0.0.0/24',
      '192.0.2.0/24',
      '192.31.196.0/24',
      '192.52.193.0/24',
      '192.88.99.0/24',
      '192.168.0.0/16',
      '192.175.48.0/24',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '224.0.0.0/4',
      '240.0.0.0/4',
      '255.255.255.255/32',
      '::/128',
      '::1/128',
      '::ffff:0:0/96',
      '64:ff9b::/96',
      '64:ff9b:1::/48',
      '100::/64',
      '2001::/23',
      '2001::/32',
      '2001:db8::/32',
      '2001:10::/28',
      '2001:20::/28',
      '2002::/16',
      '3fff::/20',
      '5f00::/16',
      'fc00::/7',
      'fe80::/10',
      'ff00::/8',
    ]) {
      assert.ok(listed.has(block), block);
    }
  });
});

describe('findSpecialRange', () => {
  test('networks inside a range get the most specific name', () => {
    assert.equal(special('10.1.2.0/24'), '10.0.0.0/8 Private-Use');
    assert.equal(special('100.64.0.0/10'), '100.64.0.0/10 Shared Address Space (carrier-grade NAT)');
    assert.equal(special('127.0.0.1/32'), '127.0.0.0/8 Loopback');
    assert.equal(special('192.0.0.9/32'), '192.0.0.9/32 Port Control Protocol Anycast');
    assert.equal(special('192.0.0.64/26'), '192.0.0.0/24 IETF Protocol Assignments');
    assert.equal(special('239.1.1.1/32'), '224.0.0.0/4 Multicast');
    assert.equal(special('250.0.0.0/8'), '240.0.0.0/4 Reserved');
    assert.equal(special('255.255.255.255/32'), '255.255.255.255/32 Limited Broadcast');
    assert.equal(special('2001:db8:1::/48'), '2001:db8::/32 Documentation');
    assert.equal(special('2001:0:1::/48'), '2001::/32 TEREDO');
    assert.equal(special('2001:100::/24'), '2001::/23 IETF Protocol Assignments');
    assert.equal(special('fe80::1/128'), 'fe80::/10 Link-Local Unicast');
    assert.equal(special('fd00::/8'), 'fc00::/7 Unique-Local');
    assert.equal(special('ff02::1/128'), 'ff00::/8 Multicast');
    assert.equal(special('::1/128'), '::1/128 Loopback Address');
    assert.equal(special('::/128'), '::/128 Unspecified Address');
    assert.equal(special('3fff:1::/32'), '3fff::/20 Documentation');
    assert.equal(special('5f00:1::/32'), '5f00::/16 Segment Routing (SRv6) SIDs');
  });

  test('networks that contain a range are special too', () => {
    assert.equal(special('0.0.0.0/0'), '0.0.0.0/8 "This network"');
    assert.equal(special('8.0.0.0/5'), '10.0.0.0/8 Private-Use');
    assert.equal(special('192.0.0.0/16'), '192.0.0.0/24 IETF Protocol Assignments');
    assert.equal(special('::/0'), '::/96 Deprecated (IPv4-compatible IPv6 address)');
    assert.equal(special('2000::/3'), '2001::/23 IETF Protocol Assignments');
    assert.equal(special('2001::/16'), '2001::/23 IETF Protocol Assignments');
    // A mapped /96 is canonicalised to 0.0.0.0/0 by the parser; the raw block is named as such.
    assert.equal(special('::ffff:0:0/96'), '0.0.0.0/8 "This network"');
    assert.equal(
      findSpecialRange({ address: ipv6([0, 0, 0xffff, 0]), prefix: 96 })?.name,
      'IPv4-mapped Address',
    );
  });

  test('ordinary public space is not special', () => {
    for (const text of [
      '8.8.8.0/24',
      '1.1.1.1/32',
      '203.0.114.0/24',
      '100.128.0.0/9',
      '172.32.0.0/11',
      '2600::/12',
      '2a00:1450::/32',
      '2001:4860:4860::8888/128',
    ]) {
      assert.equal(special(text), null, text);
    }
  });

  test('agrees with an overlap scan of the table', () => {
    const networkArb = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(32))
        .map(([value, prefix]) => ({ address: maskAddress(ipv4(value), prefix), prefix }) as IpNetwork),
      fc
        .tuple(
          fc.constantFrom(0, 0x20010000, 0x20010db8, 0x3fff0000, 0xfe800000),
          fc.integer({ min: 0, max: 0xffff }),
          fc.nat(64),
        )
        .map(([high, noise, prefix]) => {
          const address = ipv6([(high | (noise & 0xff)) >>> 0, noise << 16, 0, 1]);
          return { address: maskAddress(address, prefix), prefix } as IpNetwork;
        }),
    );
    fc.assert(
      fc.property(networkArb, (network) => {
        const found = findSpecialRange(network);
        const overlapping = SPECIAL_RANGES.filter((r) => networksOverlap(r.network, network));
        assert.equal(found === null, overlapping.length === 0, formatCidr(network));
        if (found) {
          assert.ok(networksOverlap(found.network, network));
          const containing = overlapping.filter((r) => networkContains(r.network, network));
          if (containing.length > 0) {
            assert.equal(found.network.prefix, Math.max(...containing.map((r) => r.network.prefix)));
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('findSpecialRangeForAddress', () => {
  function name(text: string): string | null {
    const address = parseIp(text);
    if (!address.ok) assert.fail(address.message);
    return findSpecialRangeForAddress(address.value)?.cidr ?? null;
  }

  test('classifies single addresses by the most specific range', () => {
    assert.equal(name('10.1.2.3'), '10.0.0.0/8');
    assert.equal(name('::ffff:127.0.0.1'), '127.0.0.0/8');
    assert.equal(name('0.0.0.0'), '0.0.0.0/32');
    assert.equal(name('192.0.0.170'), '192.0.0.170/32');
    assert.equal(name('2001:db8::1'), '2001:db8::/32');
    assert.equal(name('2001::1'), '2001::/32');
    assert.equal(name('fe80::1'), 'fe80::/10');
    assert.equal(name('::1'), '::1/128');
    assert.equal(name('::'), '::/128');
    assert.equal(name('::2'), '::/96');
    assert.equal(name('8.8.8.8'), null);
    assert.equal(name('2606:4700::1111'), null);
    // Raw mapped IPv6 addresses are classified by their IPv4 value.
    assert.equal(findSpecialRangeForAddress(ipv6([0, 0, 0xffff, 0x08080808])), null);
    assert.equal(findSpecialRangeForAddress(ipv6([0, 0, 0xffff, 0x0a000001]))?.cidr, '10.0.0.0/8');
  });

  test('matches a linear scan for random IPv4 addresses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        const address = ipv4(value);
        const scan = SPECIAL_RANGES.filter((r) => networkContainsAddress(r.network, address)).sort(
          (a, b) => b.network.prefix - a.network.prefix,
        )[0];
        assert.equal(findSpecialRangeForAddress(address), scan ?? null);
      }),
      { numRuns: 2000 },
    );
  });
});
