import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AclEntrySpec,
  type AclRuleResult,
  entryLimitMessage,
  parseAclCidr,
  parseAclEntry,
  parseAclEntryList,
} from '../../../src/domain/ip-acl-rules.ts';

function ok<T>(r: AclRuleResult<T>): T {
  if (!r.ok) assert.fail(`${r.code}: ${r.message}`);
  return r.value;
}

function err<T>(r: AclRuleResult<T>) {
  if (r.ok) assert.fail(`expected an error, got ${JSON.stringify(r.value)}`);
  return r;
}

describe('parseAclEntry (SIP Auth shape)', () => {
  test('IPv4 defaults to the single host; IPv6 is stored canonical (RFC 5952)', () => {
    assert.deepEqual(ok(parseAclEntry({ ip: '203.0.113.7' })), {
      family: 4,
      ip: '203.0.113.7',
      cidrPrefix: 32,
      network: '203.0.113.7/32',
      description: null,
    });
    const v6 = ok(parseAclEntry({ ip: '2001:DB8:0::1' }));
    assert.equal(v6.ip, '2001:db8::1');
    assert.equal(v6.cidrPrefix, 128);
    assert.equal(v6.network, '2001:db8::1/128');
    assert.equal(ok(parseAclEntry({ ip: '2001:db8:0:0:0:0:0:0', cidr_prefix: 32 })).network, '2001:db8::/32');
  });

  test('an IPv4-mapped IPv6 address is the IPv4 address', () => {
    const e = ok(parseAclEntry({ ip: '::ffff:10.1.2.3' }));
    assert.equal(e.family, 4);
    assert.equal(e.network, '10.1.2.3/32');
    assert.equal(ok(parseAclEntry({ ip: '::FFFF:10.1.2.0', cidr_prefix: 120 })).network, '10.1.2.0/24');
  });

  test('cidr_prefix 0 means every address and is allowed', () => {
    assert.equal(ok(parseAclEntry({ ip: '0.0.0.0', cidr_prefix: 0 })).network, '0.0.0.0/0');
    assert.equal(ok(parseAclEntry({ ip: '::', cidr_prefix: 0 })).network, '::/0');
  });

  test('cidr_prefix as decimal text (form bodies) and null (single host)', () => {
    assert.equal(ok(parseAclEntry({ ip: '10.0.0.0', cidr_prefix: '8' })).network, '10.0.0.0/8');
    assert.equal(ok(parseAclEntry({ ip: '10.0.0.1', cidr_prefix: null })).network, '10.0.0.1/32');
  });

  test('host bits beyond the prefix name the network to use', () => {
    const e = err(parseAclEntry({ ip: '10.1.2.3', cidr_prefix: 24 }));
    assert.equal(e.code, 'host_bits_set');
    assert.equal(e.field, 'cidr_prefix');
    assert.match(e.message, /use 10\.1\.2\.0\/24/);
    const v6 = err(parseAclEntry({ ip: '2001:db8::1', cidr_prefix: 64 }));
    assert.match(v6.message, /use 2001:db8::\/64/);
  });

  test('prefix out of range for the family, or not a whole number', () => {
    for (const [ip, prefix] of [
      ['10.0.0.0', 33],
      ['2001:db8::', 129],
      ['10.0.0.0', -1],
      ['10.0.0.0', 8.5],
      ['10.0.0.0', '08'],
      ['10.0.0.0', ' 8'],
    ] as const) {
      const e = err(parseAclEntry({ ip, cidr_prefix: prefix }));
      assert.equal(e.code, 'invalid_cidr_prefix', `${ip}/${prefix}`);
      assert.equal(e.field, 'cidr_prefix');
    }
    // Never coerced: false or true is not 0 or 1.
    assert.equal(
      err(parseAclEntry({ ip: '10.0.0.0', cidr_prefix: false as unknown as number })).code,
      'invalid_cidr_prefix',
    );
  });

  test('zone ids, ports, host names, leading zeros and CIDR text in ip are refused, never reinterpreted', () => {
    for (const ip of [
      'fe80::1%eth0',
      '192.0.2.1:5060',
      '[2001:db8::1]',
      'pbx.example.com',
      '010.1.1.1',
      '1.2.3',
      '256.1.1.1',
      ' 10.0.0.1',
      '10.0.0.0/8',
      '',
      '2001:db8:::1',
    ]) {
      const e = err(parseAclEntry({ ip }));
      assert.equal(e.code, 'invalid_ip', ip);
      assert.equal(e.field, 'ip');
    }
    assert.match(err(parseAclEntry({ ip: '10.0.0.0/8' })).message, /cidr_prefix/);
  });

  test('description: at most 255 printable characters; empty means none', () => {
    assert.equal(
      ok(parseAclEntry({ ip: '10.0.0.1', description: 'x'.repeat(255) })).description?.length,
      255,
    );
    assert.equal(ok(parseAclEntry({ ip: '10.0.0.1', description: '' })).description, null);
    const long = err(parseAclEntry({ ip: '10.0.0.1', description: 'x'.repeat(256) }));
    assert.equal(long.code, 'invalid_description');
    assert.equal(long.field, 'description');
    assert.equal(err(parseAclEntry({ ip: '10.0.0.1', description: 'a\nb' })).code, 'invalid_description');
  });

  test('field names carry the entry prefix', () => {
    assert.equal(err(parseAclEntry({ ip: 'x' }, 'entries.3.')).field, 'entries.3.ip');
  });
});

describe('parseAclCidr (Zentrunk ip_addresses)', () => {
  test('CIDR text or a bare address for the single host, canonical out', () => {
    assert.equal(ok(parseAclCidr('192.168.0.1', 'ip_addresses.0')).network, '192.168.0.1/32');
    assert.equal(ok(parseAclCidr('10.0.0.0/8', 'ip_addresses.0')).network, '10.0.0.0/8');
    assert.equal(ok(parseAclCidr('2001:DB8::/32', 'ip_addresses.0')).network, '2001:db8::/32');
    assert.equal(ok(parseAclCidr('::ffff:192.0.2.0/120', 'ip_addresses.0')).network, '192.0.2.0/24');
  });

  test('the same refusals as the entry shape', () => {
    const hb = err(parseAclCidr('10.1.2.3/24', 'ip_addresses.2'));
    assert.equal(hb.code, 'host_bits_set');
    assert.equal(hb.field, 'ip_addresses.2');
    assert.match(hb.message, /use 10\.1\.2\.0\/24/);
    assert.equal(err(parseAclCidr('10.0.0.0/33', 'f')).code, 'invalid_cidr_prefix');
    assert.equal(err(parseAclCidr('pbx.example.com', 'f')).code, 'invalid_ip');
    assert.equal(err(parseAclCidr('010.0.0.0/8', 'f')).code, 'invalid_ip');
  });
});

describe('parseAclEntryList', () => {
  const entry = (e: { ip: string; cidr_prefix?: number }, at: string) => parseAclEntry(e, `${at}.`);

  test('all valid: specs in order', () => {
    const specs = ok(
      parseAclEntryList(
        [
          { ip: '10.0.0.0', cidr_prefix: 8 },
          { ip: '2001:db8::', cidr_prefix: 48 },
        ],
        'entries',
        50,
        entry,
      ),
    );
    assert.deepEqual(
      specs.map((s: AclEntrySpec) => s.network),
      ['10.0.0.0/8', '2001:db8::/48'],
    );
  });

  test('the 7th entry bad: the error says which entry and why', () => {
    const items = [
      ...Array.from({ length: 6 }, (_, i) => ({ ip: `192.0.2.${i}` })),
      { ip: '10.1.2.3', cidr_prefix: 24 },
    ];
    const e = err(parseAclEntryList(items, 'entries', 50, entry));
    assert.equal(e.code, 'host_bits_set');
    assert.equal(e.field, 'entries.6.cidr_prefix');
    assert.match(e.message, /^entries\[6\] \(item 7\): .*use 10\.1\.2\.0\/24/);
  });

  test('the same network twice (in any spelling) is a duplicate naming the first', () => {
    const e = err(
      parseAclEntryList(
        [
          { ip: '10.0.0.0', cidr_prefix: 8 },
          { ip: '192.0.2.1' },
          { ip: '::ffff:10.0.0.0', cidr_prefix: 104 },
        ],
        'entries',
        50,
        entry,
      ),
    );
    assert.equal(e.code, 'duplicate_entry');
    assert.equal(e.field, 'entries.2');
    assert.match(e.message, /10\.0\.0\.0\/8 is the same network as entries\[0\]/);
  });

  test('more items than the limit is refused naming the limit', () => {
    const items = Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`);
    const e = err(parseAclEntryList(items, 'ip_addresses', 50, parseAclCidr));
    assert.equal(e.code, 'acl_entry_limit');
    assert.match(e.message, /at most 50/);
    assert.equal(ok(parseAclEntryList(items.slice(0, 50), 'ip_addresses', 50, parseAclCidr)).length, 50);
  });

  test('entryLimitMessage names the limit', () => {
    assert.match(entryLimitMessage(50, 50), /already has 50 entries and may hold at most 50/);
  });
});
