import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type AddressErrorCode,
  formatCidr,
  hostNetwork,
  type IpAddress,
  type IpNetwork,
  ipv4,
  ipv6,
  maskAddress,
  networkContains,
  networkContainsAddress,
  networkFromAddress,
  networksEqual,
  networksOverlap,
  normalizeNetwork,
  parseCidr,
  parseIp,
  parseNetwork,
} from '../../../src/domain/address/index.ts';

function cidr(text: string): IpNetwork {
  const result = parseCidr(text);
  if (!result.ok) assert.fail(`expected ${text} to parse: ${result.message}`);
  return result.value;
}

function failure(result: ReturnType<typeof parseCidr>, code: AddressErrorCode): string {
  if (result.ok) assert.fail(`expected ${code}, got ${formatCidr(result.value)}`);
  assert.equal(result.code, code, result.message);
  return result.message;
}

describe('parseCidr', () => {
  test('parses and canonicalises networks', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), {
      ok: true,
      value: { address: { family: 4, value: 0x0a000000 }, prefix: 8 },
    });
    assert.equal(formatCidr(cidr('2001:DB8:0::/32')), '2001:db8::/32');
    assert.equal(formatCidr(cidr('192.0.2.7/32')), '192.0.2.7/32');
    assert.equal(formatCidr(cidr('2001:db8::1/128')), '2001:db8::1/128');
  });

  test('accepts prefix 0 (everything)', () => {
    assert.equal(formatCidr(cidr('0.0.0.0/0')), '0.0.0.0/0');
    assert.equal(formatCidr(cidr('::/0')), '::/0');
  });

  test('IPv4-mapped IPv6 networks become IPv4', () => {
    assert.equal(formatCidr(cidr('::ffff:10.0.0.0/104')), '10.0.0.0/8');
    assert.equal(formatCidr(cidr('::FFFF:a00:0/104')), '10.0.0.0/8');
    assert.equal(formatCidr(cidr('::ffff:1.2.3.4/128')), '1.2.3.4/32');
    assert.equal(formatCidr(cidr('::ffff:0.0.0.0/96')), '0.0.0.0/0');
    // Shorter than /96 the block is not wholly mapped space, so it stays IPv6.
    assert.equal(formatCidr(cidr('::/95')), '::/95');
    assert.match(failure(parseCidr('::ffff:10.1.0.0/104'), 'host_bits_set'), /use 10\.0\.0\.0\/8$/);
  });

  test('host bits beyond the prefix are refused with the network to use', () => {
    assert.equal(
      failure(parseCidr('10.1.2.3/24'), 'host_bits_set'),
      '10.1.2.3/24 has host bits set beyond the prefix; use 10.1.2.0/24',
    );
    assert.equal(
      failure(parseCidr('2001:db8::1/64'), 'host_bits_set'),
      '2001:db8::1/64 has host bits set beyond the prefix; use 2001:db8::/64',
    );
    assert.match(failure(parseCidr('1.2.3.4/0'), 'host_bits_set'), /use 0\.0\.0\.0\/0$/);
  });

  test('a bare address needs CIDR notation', () => {
    assert.equal(
      failure(parseCidr('203.0.113.5'), 'cidr_required'),
      '203.0.113.5 is not in CIDR notation; use 203.0.113.5/32',
    );
    assert.equal(
      failure(parseCidr('2001:DB8::5'), 'cidr_required'),
      '2001:db8::5 is not in CIDR notation; use 2001:db8::5/128',
    );
    // Garbage is an invalid address rather than a missing prefix.
    failure(parseCidr('example.com'), 'invalid_ip');
  });

  test('prefix out of range', () => {
    assert.match(
      failure(parseCidr('10.0.0.0/33'), 'invalid_cidr_prefix'),
      /33 is out of range for IPv4 \(0–32\)/,
    );
    assert.match(
      failure(parseCidr('::/129'), 'invalid_cidr_prefix'),
      /129 is out of range for IPv6 \(0–128\)/,
    );
    assert.equal(formatCidr(cidr('::/128')), '::/128');
    assert.equal(formatCidr(cidr('::ffff:0.0.0.0/100')), '0.0.0.0/4');
  });

  test('prefix must be a plain integer', () => {
    for (const text of [
      '10.0.0.0/',
      '10.0.0.0/08',
      '10.0.0.0/+8',
      '10.0.0.0/-8',
      '10.0.0.0/ 8',
      '10.0.0.0/8 ',
      '10.0.0.0/8.0',
      '10.0.0.0/0x8',
      '10.0.0.0/1000',
      '10.0.0.0/8/8',
      '10.0.0.0/٨',
    ]) {
      assert.match(failure(parseCidr(text), 'invalid_cidr_prefix'), /whole number from 0 to 32/, text);
    }
  });

  test('invalid address part', () => {
    assert.match(failure(parseCidr('10.0.0.256/24'), 'invalid_ip'), /octet 256/);
    assert.match(failure(parseCidr('/24'), 'invalid_ip'), /empty/);
    assert.match(failure(parseCidr(' 10.0.0.0/8'), 'invalid_ip'), /whitespace/);
    assert.match(failure(parseCidr('fe80::%eth0/64'), 'invalid_ip'), /zone/);
  });
});

describe('parseNetwork (ACL entry shape)', () => {
  test('defaults to a single host', () => {
    assert.equal(formatCidr(ok(parseNetwork('203.0.113.5'))), '203.0.113.5/32');
    assert.equal(formatCidr(ok(parseNetwork('2001:db8::5', null))), '2001:db8::5/128');
    assert.equal(formatCidr(ok(parseNetwork('::ffff:203.0.113.5'))), '203.0.113.5/32');
  });

  test('takes the prefix as a number or as strict decimal text', () => {
    assert.equal(formatCidr(ok(parseNetwork('10.0.0.0', 8))), '10.0.0.0/8');
    assert.equal(formatCidr(ok(parseNetwork('10.0.0.0', '8'))), '10.0.0.0/8');
    assert.equal(formatCidr(ok(parseNetwork('0.0.0.0', 0))), '0.0.0.0/0');
    assert.equal(formatCidr(ok(parseNetwork('::ffff:10.0.0.0', 104))), '10.0.0.0/8');
  });

  test('errors', () => {
    const code = (result: ReturnType<typeof parseNetwork>): string => (result.ok ? 'ok' : result.code);
    assert.equal(code(parseNetwork('10.0.0.0', 33)), 'invalid_cidr_prefix');
    assert.equal(code(parseNetwork('::', 129)), 'invalid_cidr_prefix');
    assert.equal(code(parseNetwork('10.0.0.0', -1)), 'invalid_cidr_prefix');
    assert.equal(code(parseNetwork('10.0.0.0', 8.5)), 'invalid_cidr_prefix');
    assert.equal(code(parseNetwork('10.0.0.0', Number.NaN)), 'invalid_cidr_prefix');
    assert.equal(code(parseNetwork('10.0.0.0', '08')), 'invalid_cidr_prefix');
    assert.equal(code(parseNetwork('10.0.0.0', ' 8')), 'invalid_cidr_prefix');
    assert.equal(code(parseNetwork('10.0.0.0', true as unknown as number)), 'invalid_cidr_prefix');
    assert.equal(code(parseNetwork('10.1.2.3', 24)), 'host_bits_set');
    assert.equal(code(parseNetwork('10.0.0.0.0', 8)), 'invalid_ip');
    assert.equal(code(parseNetwork(42 as unknown as string)), 'invalid_ip');
    const slash = parseNetwork('10.0.0.0/8');
    assert.ok(!slash.ok && slash.code === 'invalid_ip' && /cidr_prefix/.test(slash.message));
    const range = parseNetwork('10.0.0.0', 33);
    assert.ok(!range.ok && range.message === 'cidr_prefix 33 is out of range for IPv4 (0–32)');
    const host = parseNetwork('10.1.2.3', 24);
    assert.ok(
      !host.ok && host.message === '10.1.2.3/24 has host bits set beyond the prefix; use 10.1.2.0/24',
    );
  });
});

function ok<T>(result: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!result.ok) assert.fail(result.message);
  return result.value;
}

describe('network relations', () => {
  test('contains / overlap / equal', () => {
    const slash8 = cidr('10.0.0.0/8');
    const slash24 = cidr('10.1.2.0/24');
    const other = cidr('192.0.2.0/24');
    assert.ok(networkContains(slash8, slash24));
    assert.ok(!networkContains(slash24, slash8));
    assert.ok(networkContains(slash8, slash8));
    assert.ok(networksOverlap(slash8, slash24) && networksOverlap(slash24, slash8));
    assert.ok(!networksOverlap(slash8, other));
    assert.ok(networksEqual(slash8, cidr('10.0.0.0/8')));
    assert.ok(!networksEqual(slash8, cidr('10.0.0.0/9')));
    assert.ok(networkContains(cidr('0.0.0.0/0'), other));
    // Families never relate, even 0.0.0.0/0 and ::/0.
    assert.ok(!networksOverlap(cidr('0.0.0.0/0'), cidr('::/0')));
    assert.ok(!networksEqual(cidr('0.0.0.0/0'), cidr('::/0')));
    assert.ok(networkContainsAddress(slash8, ok(parseIp('10.255.0.1'))));
    assert.ok(!networkContainsAddress(slash8, ok(parseIp('11.0.0.0'))));
    assert.ok(networkContainsAddress(cidr('2001:db8::/32'), ok(parseIp('2001:db8:ffff::1'))));
    assert.ok(!networkContainsAddress(cidr('2001:db8::/32'), ok(parseIp('10.0.0.1'))));
  });

  test('helpers', () => {
    assert.equal(formatCidr(hostNetwork(ipv4(0x01020304))), '1.2.3.4/32');
    assert.equal(formatCidr(hostNetwork(ipv6([0x20010db8, 0, 0, 1]))), '2001:db8::1/128');
    assert.equal(formatCidr({ address: maskAddress(ipv4(0x0a0102ff), 24), prefix: 24 }), '10.1.2.0/24');
    assert.equal(
      formatCidr(normalizeNetwork({ address: ipv6([0, 0, 0xffff, 0x0a0102ff]), prefix: 120 })),
      '10.1.2.0/24',
    );
    assert.equal(formatCidr(ok(networkFromAddress(ipv6([0, 0, 0xffff, 0x0a000000]), 104))), '10.0.0.0/8');
    const bad = networkFromAddress(ipv4(0), 40);
    assert.ok(!bad.ok && bad.code === 'invalid_cidr_prefix');
  });
});

// ---------------------------------------------------------------------------------------------
// Containment and overlap against a naive bigint model.

interface Model {
  family: 4 | 6;
  bits: number;
  base: bigint;
  prefix: number;
}

function toModel(network: IpNetwork): Model {
  const bits = network.address.family === 4 ? 32 : 128;
  let value = 0n;
  if (network.address.family === 4) value = BigInt(network.address.value);
  else for (const w of network.address.words) value = (value << 32n) | BigInt(w);
  return { family: network.address.family, bits, base: value, prefix: network.prefix };
}

function modelContains(a: Model, b: Model): boolean {
  if (a.family !== b.family || a.prefix > b.prefix) return false;
  const shift = BigInt(a.bits - a.prefix);
  return a.base >> shift === b.base >> shift;
}

const word = fc.oneof(
  fc.constantFrom(0, 0xffffffff, 0x0a000000, 0x20010db8),
  fc.integer({ min: 0, max: 0xffffffff }),
);

/** Networks that nest often: few distinct high bits, random prefix lengths. */
const networkArb: fc.Arbitrary<IpNetwork> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(0, 0x0a000000, 0xc0000200, 0xffffffff),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.nat(32),
    )
    .map(([high, low, prefix]) => {
      const value = (high & 0xff000000) | (low & 0x00ffffff);
      return { address: maskAddress(ipv4(value), prefix), prefix } as IpNetwork;
    }),
  fc.tuple(word, word, word, word, fc.nat(128)).map(([a, b, c, d, prefix]) => {
    // Avoid mapped space: parsers never yield IPv6 networks there.
    const address = maskAddress(ipv6([a, b, c === 0xffff ? 0xfffe : c, d]), prefix);
    return { address, prefix } as IpNetwork;
  }),
);

function modelOf(address: IpAddress): Model {
  return toModel(hostNetwork(address));
}

describe('relation properties', () => {
  test('networkContains / networksOverlap / networksEqual match the bigint model', () => {
    fc.assert(
      fc.property(networkArb, networkArb, (a, b) => {
        const ma = toModel(a);
        const mb = toModel(b);
        assert.equal(networkContains(a, b), modelContains(ma, mb));
        assert.equal(networksOverlap(a, b), modelContains(ma, mb) || modelContains(mb, ma));
        assert.equal(
          networksEqual(a, b),
          ma.family === mb.family && ma.prefix === mb.prefix && ma.base === mb.base,
        );
        assert.equal(networkContainsAddress(a, b.address), modelContains(ma, modelOf(b.address)));
      }),
      { numRuns: 2000 },
    );
  });

  test('formatCidr output parses back to the same network', () => {
    fc.assert(
      fc.property(networkArb, (network) => {
        const reparsed = parseCidr(formatCidr(network));
        assert.ok(reparsed.ok && networksEqual(reparsed.value, network), formatCidr(network));
      }),
      { numRuns: 1000 },
    );
  });

  test('host bits anywhere are reported with the masked network', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(32), (value, prefix) => {
        const text = `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}/${prefix}`;
        const result = parseCidr(text);
        const masked = maskAddress(ipv4(value), prefix);
        if (masked.family === 4 && masked.value === value >>> 0) {
          assert.ok(result.ok);
        } else {
          assert.ok(!result.ok && result.code === 'host_bits_set');
          assert.ok(result.message.endsWith(`use ${formatCidr({ address: masked, prefix } as IpNetwork)}`));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
