import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  formatIp,
  type IpAddress,
  ipEquals,
  ipToBigInt,
  ipv4,
  ipv6,
  isIpv4MappedWords,
  normalizeSourceAddress,
  parseIp,
} from '../../../src/domain/address/index.ts';

function canonical(text: string): string {
  const result = parseIp(text);
  if (!result.ok) assert.fail(`expected ${text} to parse: ${result.message}`);
  return formatIp(result.value);
}

function rejection(text: string): string {
  const result = parseIp(text);
  if (result.ok)
    assert.fail(`expected ${JSON.stringify(text)} to be rejected, got ${formatIp(result.value)}`);
  assert.equal(result.code, 'invalid_ip');
  return result.message;
}

describe('parseIp: IPv4', () => {
  test('accepts dotted quads and returns the 32-bit value', () => {
    const result = parseIp('192.0.2.1');
    assert.deepEqual(result, { ok: true, value: { family: 4, value: 0xc0000201 } });
    assert.equal(canonical('0.0.0.0'), '0.0.0.0');
    assert.equal(canonical('255.255.255.255'), '255.255.255.255');
    assert.equal(canonical('10.0.0.1'), '10.0.0.1');
  });

  test('rejects leading zeros, naming the octet and the octal ambiguity', () => {
    assert.match(rejection('010.1.1.1'), /octet 010 has a leading zero.*octal/);
    assert.match(rejection('1.1.1.00'), /leading zero/);
    assert.match(rejection('1.02.3.4'), /leading zero/);
  });

  test('rejects octets above 255', () => {
    assert.match(rejection('256.1.1.1'), /octet 256 is greater than 255/);
    assert.match(rejection('1.1.1.1000'), /greater than 255/);
  });

  test('rejects shorthand and too many parts', () => {
    assert.match(rejection('10.1'), /exactly 4 dotted octets, this has 2.*shorthand/);
    assert.match(rejection('1.2.3'), /this has 3/);
    assert.match(rejection('1.2.3.4.5'), /this has 5/);
    assert.match(rejection('2130706433'), /bare number/);
    assert.match(rejection('1..2.3'), /octet is empty/);
    assert.match(rejection('1.2.3.'), /octet is empty/);
    assert.match(rejection('.1.2.3'), /octet is empty/);
  });

  test('rejects hex octets, hostnames and signs', () => {
    assert.match(rejection('0x7f.0.0.1'), /hexadecimal/);
    assert.match(rejection('example.com'), /hostnames are not accepted/);
    assert.match(rejection('localhost'), /hostnames/);
    assert.match(rejection('-1.2.3.4'), /character "-"/);
    assert.match(rejection('1.2.3.4\u0000'), /character "\\u0000"/);
  });

  test('rejects ports and suggests the bare address', () => {
    assert.match(rejection('1.2.3.4:5060'), /ports are not allowed; use 1\.2\.3\.4$/);
  });

  test('rejects whitespace and empty input', () => {
    assert.match(rejection(''), /is empty/);
    assert.match(rejection(' 1.2.3.4'), /whitespace/);
    assert.match(rejection('1.2.3.4\n'), /whitespace/);
    assert.match(rejection('1.2.3.4 '), /whitespace/);
  });

  test('rejects a CIDR where an address is expected', () => {
    assert.match(rejection('1.2.3.4/24'), /prefix length/);
  });

  test('rejects full-width digits and other non-ASCII', () => {
    rejection('１.2.3.4');
    rejection('1.2.3.٤');
  });
});

describe('parseIp: IPv6', () => {
  test('canonicalises to RFC 5952 text', () => {
    assert.equal(canonical('2001:DB8:0::1'), '2001:db8::1');
    assert.equal(canonical('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonical('::'), '::');
    assert.equal(canonical('0:0:0:0:0:0:0:0'), '::');
    assert.equal(canonical('::1'), '::1');
    assert.equal(canonical('1::'), '1::');
    // A single zero group is not compressed (RFC 5952 §4.2.2).
    assert.equal(canonical('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(canonical('1:2:3:4:5:6:7::'), '1:2:3:4:5:6:7:0');
    // The longest run is compressed (§4.2.1) ...
    assert.equal(canonical('1:0:0:1:0:0:0:1'), '1:0:0:1::1');
    // ... and the first one on a tie (§4.2.3).
    assert.equal(canonical('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonical('1:0:0:0:1:0:0:0'), '1::1:0:0:0');
    assert.equal(canonical('FE80::ABCD:00EF'), 'fe80::abcd:ef');
  });

  test('accepts an embedded IPv4 address in the last 32 bits', () => {
    assert.equal(canonical('::1.2.3.4'), '::102:304');
    assert.equal(canonical('64:ff9b::192.0.2.1'), '64:ff9b::c000:201');
    assert.equal(canonical('1:2:3:4:5:6:1.2.3.4'), '1:2:3:4:5:6:102:304');
  });

  test('rejects an embedded IPv4 address anywhere else or when invalid', () => {
    assert.match(rejection('1.2.3.4::'), /only in the last 32 bits/);
    assert.match(rejection('::1.2.3.4:1'), /only in the last 32 bits/);
    assert.match(rejection('::1.2.3.256'), /greater than 255/);
    assert.match(rejection('::01.2.3.4'), /leading zero/);
    assert.match(rejection('::1.2.3'), /four dotted decimal octets/);
    assert.match(rejection('1:2:3:4:5:6:7:1.2.3.4'), /too many groups/);
    assert.match(rejection('1:2:3:4:5:6::1.2.3.4'), /too many groups/);
  });

  test('rejects zone ids, brackets and ports, suggesting the bare address', () => {
    assert.match(rejection('fe80::1%eth0'), /zone identifiers \(%eth0\) are not allowed; use fe80::1$/);
    assert.match(rejection('[::1]'), /remove the brackets; use ::1$/);
    assert.match(rejection('[::1]:5060'), /remove the brackets and the port; use ::1$/);
    assert.match(rejection('[::1'), /brackets/);
    assert.match(rejection('[1.2.3.4]:80'), /use 1\.2\.3\.4$/);
  });

  test('rejects malformed groups and separators', () => {
    assert.match(rejection('1::2::3'), /"::" may appear only once/);
    assert.match(rejection('::1::'), /only once/);
    assert.match(rejection('1:::2'), /":::"/);
    assert.match(rejection('12345::1'), /group 12345 has more than 4 hex digits/);
    assert.match(rejection('1:2:3:4:5:6:7:8:9'), /too many groups \(9\)/);
    assert.match(rejection('1:2:3:4:5:6:7:8::'), /too many groups \(8\) for an address with "::"/);
    assert.match(rejection('::1:2:3:4:5:6:7:8'), /too many groups/);
    assert.match(rejection('1:2:3:4:5:6:7'), /too few groups \(7 of 8\)/);
    assert.match(rejection(':1::'), /starts with a single ":"/);
    assert.match(rejection('1::2:'), /ends with a single ":"/);
    assert.match(rejection(':'), /starts with a single ":"/);
    assert.match(rejection('g::1'), /character "g"/);
    assert.match(rejection('example.com:5060'), /hostnames and ports/);
  });

  test('IPv4-mapped addresses, in any spelling, are IPv4', () => {
    for (const text of [
      '::ffff:1.2.3.4',
      '::FFFF:1.2.3.4',
      '::ffff:102:304',
      '0:0:0:0:0:ffff:0102:0304',
      '0000:0000:0000:0000:0000:FFFF:1.2.3.4',
    ]) {
      assert.deepEqual(parseIp(text), { ok: true, value: { family: 4, value: 0x01020304 } }, text);
    }
    // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1) and NAT64 addresses stay IPv6.
    const compatible = parseIp('::1.2.3.4');
    assert.ok(compatible.ok && compatible.value.family === 6);
    assert.equal(canonical('::fffe:1.2.3.4'), '::fffe:102:304');
  });
});

describe('normalizeSourceAddress', () => {
  test('maps dual-stack socket addresses to IPv4', () => {
    assert.deepEqual(normalizeSourceAddress('::ffff:127.0.0.1'), { family: 4, value: 0x7f000001 });
    assert.deepEqual(normalizeSourceAddress('127.0.0.1'), { family: 4, value: 0x7f000001 });
    assert.deepEqual(normalizeSourceAddress('::FFFF:7f00:1'), { family: 4, value: 0x7f000001 });
  });

  test('parses IPv6 and drops a zone id', () => {
    const address = normalizeSourceAddress('fe80::1%eth0');
    assert.ok(address);
    assert.equal(formatIp(address), 'fe80::1');
    assert.equal(formatIp(normalizeSourceAddress('2001:db8::5')!), '2001:db8::5');
  });

  test('returns null for non-addresses', () => {
    for (const text of [undefined, null, '', 'localhost', '1.2.3.4:5060', '[::1]', 'fe80::1%', '010.0.0.1']) {
      assert.equal(normalizeSourceAddress(text), null, String(text));
    }
  });
});

describe('helpers', () => {
  test('ipv4 / ipv6 / ipEquals / ipToBigInt', () => {
    assert.deepEqual(ipv4(-1), { family: 4, value: 0xffffffff });
    const a = ipv6([0x20010db8, 0, 0, 1]);
    assert.equal(formatIp(a), '2001:db8::1');
    assert.ok(ipEquals(a, ipv6([0x20010db8, 0, 0, 1])));
    assert.ok(!ipEquals(a, ipv4(1)));
    assert.ok(!ipEquals(ipv4(1), a));
    assert.equal(ipToBigInt(a), 0x20010db8000000000000000000000001n);
    assert.equal(ipToBigInt(ipv4(0xffffffff)), 0xffffffffn);
    // ipv6() keeps a mapped address as IPv6 on purpose.
    assert.ok(isIpv4MappedWords(ipv6([0, 0, 0xffff, 1]).words));
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests

const word = fc.oneof(
  fc.constantFrom(0, 0xffffffff, 0xffff, 0x20010db8),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: 0xffff }),
);
const wordsArb = fc.tuple(word, word, word, word);

/** Renders the eight groups in a random but valid RFC 4291 spelling. */
const spellingArb = wordsArb.chain((words) => {
  const groups = words.flatMap((w) => [w >>> 16, w & 0xffff]);
  return fc
    .record({
      pad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
      upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      compressAt: fc.integer({ min: -1, max: 7 }),
      compressMax: fc.integer({ min: 1, max: 8 }),
      dotted: fc.boolean(),
    })
    .map(({ pad, upper, compressAt, compressMax, dotted }) => {
      const text = groups.map((g, i) => {
        const hex = g.toString(16).padStart(Math.min(4, g.toString(16).length + (pad[i] ?? 0)), '0');
        return upper[i] ? hex.toUpperCase() : hex;
      });
      const parts = dotted ? text.slice(0, 6) : text;
      const tail = dotted
        ? `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`
        : '';
      // Compress the run of zero groups starting at compressAt (within the hex part), if there is one.
      let rendered = [...parts, ...(tail ? [tail] : [])].join(':');
      if (compressAt >= 0 && compressAt < parts.length && groups[compressAt] === 0) {
        let end = compressAt;
        while (end < parts.length && groups[end] === 0 && end - compressAt < compressMax) end++;
        const right = [...parts.slice(end), ...(tail ? [tail] : [])].join(':');
        rendered = `${parts.slice(0, compressAt).join(':')}::${right}`;
      }
      return { words, text: rendered };
    });
});

function expectedAddress(words: readonly number[]): IpAddress {
  const [a = 0, b = 0, c = 0, d = 0] = words;
  return a === 0 && b === 0 && c === 0xffff ? ipv4(d) : ipv6([a, b, c, d]);
}

describe('parseIp properties', () => {
  test('IPv4 round-trips through formatIp', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        const parsed = parseIp(formatIp(ipv4(value)));
        assert.deepEqual(parsed, { ok: true, value: { family: 4, value } });
      }),
      { numRuns: 500 },
    );
  });

  test('every valid IPv6 spelling parses to the same address, and formatIp matches the URL serializer', () => {
    fc.assert(
      fc.property(spellingArb, ({ words, text }) => {
        const parsed = parseIp(text);
        if (!parsed.ok) assert.fail(`${text}: ${parsed.message}`);
        assert.ok(ipEquals(parsed.value, expectedAddress(words)), text);
        if (parsed.value.family === 6) {
          // WHATWG URL serializes IPv6 hosts per RFC 5952 (minus mixed notation, which we skip too).
          assert.equal(`[${formatIp(parsed.value)}]`, new URL(`http://[${text}]/`).hostname);
          assert.deepEqual(parseIp(formatIp(parsed.value)), parsed);
        }
        assert.deepEqual(normalizeSourceAddress(text), parsed.value);
      }),
      { numRuns: 1000 },
    );
  });

  test('agrees with node:net isIP on mutated addresses (zone ids aside)', () => {
    const seed = fc.oneof(
      spellingArb.map((s) => s.text),
      fc.integer({ min: 0, max: 0xffffffff }).map((v) => formatIp(ipv4(v))),
    );
    const mutated = fc
      .tuple(
        seed,
        fc.array(
          fc.tuple(
            fc.constantFrom('insert', 'delete', 'replace'),
            fc.nat(),
            fc.constantFrom(...'0123456789abcdefABCDEFgG:.[]/% '.split('')),
          ),
          { maxLength: 3 },
        ),
      )
      .map(([text, edits]) => {
        let s = text;
        for (const [kind, position, ch] of edits) {
          const at = s.length === 0 ? 0 : position % (s.length + 1);
          if (kind === 'insert') s = s.slice(0, at) + ch + s.slice(at);
          else if (kind === 'delete') s = s.slice(0, at) + s.slice(at + 1);
          else s = s.slice(0, at) + ch + s.slice(at + 1);
        }
        return s;
      });
    fc.assert(
      fc.property(mutated, (text) => {
        const ours = parseIp(text).ok;
        const node = isIP(text) !== 0 && !text.includes('%');
        assert.equal(ours, node, text);
        if (!ours) {
          const result = parseIp(text);
          assert.ok(!result.ok && result.message.length > 0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
