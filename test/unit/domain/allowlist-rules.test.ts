import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type IpAddress, parseIp, SPECIAL_RANGES } from '../../../src/domain/address/index.ts';
import {
  type AllowlistEntry,
  type AllowlistPolicy,
  allowlistAdmits,
  type ChangeContext,
  checkSpecialRange,
  PRIVATE_RANGE_CIDRS,
  parseAllowlistCidr,
  planAdd,
  planDelete,
  planEdit,
  splitCidrList,
} from '../../../src/domain/allowlist-rules.ts';

const POLICY: AllowlistPolicy = { limit: 50, allowPrivate: false };
const PRIVATE_OK: AllowlistPolicy = { limit: 50, allowPrivate: true };

function ip(text: string): IpAddress {
  const r = parseIp(text);
  if (!r.ok) assert.fail(r.message);
  return r.value;
}

/** The caller sits inside everything we add unless a test says otherwise: lockout is tested on its own. */
const NO_LOCKOUT: ChangeContext = { clientAddress: null, confirm: true };

function entries(...cidrs: string[]): AllowlistEntry[] {
  return cidrs.map((cidr, i) => ({ entry_id: `e${i + 1}`, cidr }));
}

function refused(plan: { ok: boolean }): { code: string; message: string } & Record<string, unknown> {
  assert.equal(plan.ok, false, `expected a refusal, got ${JSON.stringify(plan)}`);
  return plan as never;
}

describe('seed 003 row "Invalid Format": CIDR notation required', () => {
  test('a bare address is refused with cidr_required, suggesting /32 or /128', () => {
    const v4 = refused(planAdd([], '203.0.114.5', POLICY, NO_LOCKOUT));
    assert.equal(v4.code, 'cidr_required');
    assert.match(v4.message, /203\.0\.114\.5\/32/);
    const v6 = refused(planAdd([], '2606:4700::1111', POLICY, NO_LOCKOUT));
    assert.equal(v6.code, 'cidr_required');
    assert.match(v6.message, /2606:4700::1111\/128/);
  });

  test('malformed addresses and prefixes get the address module’s codes, IPv4 and IPv6', () => {
    const cases: [string, string][] = [
      ['not-an-ip/24', 'invalid_ip'],
      ['8.8.8/24', 'invalid_ip'],
      ['256.8.8.0/24', 'invalid_ip'],
      ['010.8.8.0/24', 'invalid_ip'],
      ['2606:4700:::/32', 'invalid_ip'],
      ['2606:4700::g/32', 'invalid_ip'],
      ['8.8.8.0/33', 'invalid_cidr_prefix'],
      ['8.8.8.0/', 'invalid_cidr_prefix'],
      ['8.8.8.0/024', 'invalid_cidr_prefix'],
      ['2606:4700::/129', 'invalid_cidr_prefix'],
      ['8.8.8.1/24', 'host_bits_set'],
      ['2606:4700::1/32', 'host_bits_set'],
    ];
    for (const [input, code] of cases) {
      const r = refused(planAdd([], input, POLICY, NO_LOCKOUT));
      assert.equal(r.code, code, input);
      assert.ok(r.message.length > 10, input);
    }
  });

  test('host bits set names the network to use instead', () => {
    assert.match(refused(planAdd([], '8.8.8.1/24', POLICY, NO_LOCKOUT)).message, /8\.8\.8\.0\/24/);
    assert.match(refused(planAdd([], '2606:4700::1/32', POLICY, NO_LOCKOUT)).message, /2606:4700::\/32/);
  });

  test('an empty list is refused, not silently accepted', () => {
    for (const input of ['', '   ', ',', ' , ,']) {
      const r = refused(planAdd([], input, POLICY, NO_LOCKOUT));
      assert.equal(r.code, 'invalid_ip', JSON.stringify(input));
      assert.match(r.message, /empty/);
    }
  });

  test('valid input is stored in canonical form', () => {
    const p = parseAllowlistCidr(' 2606:4700:0000:0:0::/32 ');
    assert.ok(p.ok);
    assert.equal(p.cidr, '2606:4700::/32');
    const mapped = parseAllowlistCidr('::ffff:8.8.8.0/120');
    assert.ok(mapped.ok);
    assert.equal(mapped.cidr, '8.8.8.0/24');
  });
});

describe('seed 003 row "Duplicate Entry"', () => {
  test('the same network again is refused, naming the entry (IPv4 and IPv6, any spelling)', () => {
    const current = entries('8.8.8.0/24', '2606:4700::/32');
    const v4 = refused(planAdd(current, '8.8.8.0/24', POLICY, NO_LOCKOUT));
    assert.equal(v4.code, 'allowlist_duplicate');
    assert.deepEqual(v4['existing'], { entry_id: 'e1', cidr: '8.8.8.0/24' });
    assert.match(v4.message, /entry e1/);
    const v6 = refused(planAdd(current, '2606:4700:0::/32', POLICY, NO_LOCKOUT));
    assert.equal(v6.code, 'allowlist_duplicate');
    assert.deepEqual(v6['existing'], { entry_id: 'e2', cidr: '2606:4700::/32' });
  });

  test('the same network twice in one request is refused', () => {
    const r = refused(planAdd([], '1.1.1.0/24, 1.1.1.0/24', POLICY, NO_LOCKOUT));
    assert.equal(r.code, 'allowlist_duplicate');
    assert.match(r.message, /twice in this request/);
    assert.equal(
      refused(planAdd([], '2606:4700::/32,2606:4700:0:0::/32', POLICY, NO_LOCKOUT)).code,
      'allowlist_duplicate',
    );
  });
});

describe('seed 003 row "Subset Already Exists"', () => {
  test('a network inside an entry is refused with "already covered by" the entry', () => {
    const current = entries('8.8.0.0/16', '2606:4700::/32');
    const v4 = refused(planAdd(current, '8.8.8.8/32', POLICY, NO_LOCKOUT));
    assert.equal(v4.code, 'allowlist_subset');
    assert.match(v4.message, /already covered by 8\.8\.0\.0\/16 \(entry e1\)/);
    assert.deepEqual(v4['coveredBy'], { entry_id: 'e1', cidr: '8.8.0.0/16' });
    const v6 = refused(planAdd(current, '2606:4700:10::/48', POLICY, NO_LOCKOUT));
    assert.equal(v6.code, 'allowlist_subset');
    assert.match(v6.message, /already covered by 2606:4700::\/32 \(entry e2\)/);
  });

  test('inside an earlier network of the same request', () => {
    const r = refused(planAdd([], '1.1.1.0/24, 1.1.1.1/32', POLICY, NO_LOCKOUT));
    assert.equal(r.code, 'allowlist_subset');
    assert.match(r.message, /given earlier in this request/);
  });

  test('a neighbouring network is not a subset', () => {
    const plan = planAdd(entries('8.8.8.0/24'), '8.8.9.0/24', POLICY, NO_LOCKOUT);
    assert.deepEqual(plan, { ok: true, add: ['8.8.9.0/24'] });
  });
});

describe('seed 003 row "Superset Conflict"', () => {
  test('a network around entries is refused, naming every entry to remove first', () => {
    const current = entries('8.8.8.8/32', '8.8.4.4/32', '9.9.9.9/32');
    const r = refused(planAdd(current, '8.8.0.0/16', POLICY, NO_LOCKOUT));
    assert.equal(r.code, 'allowlist_superset');
    assert.match(
      r.message,
      /remove 8\.8\.8\.8\/32 \(entry e1\), 8\.8\.4\.4\/32 \(entry e2\) first, then add 8\.8\.0\.0\/16/,
    );
    assert.deepEqual(r['covers'], [
      { entry_id: 'e1', cidr: '8.8.8.8/32' },
      { entry_id: 'e2', cidr: '8.8.4.4/32' },
    ]);
  });

  test('IPv6', () => {
    const current = entries('2606:4700:10::/48', '2606:4700:20::/48');
    const r = refused(planAdd(current, '2606:4700::/32', POLICY, NO_LOCKOUT));
    assert.equal(r.code, 'allowlist_superset');
    assert.equal((r['covers'] as unknown[]).length, 2);
    assert.match(r.message, /remove 2606:4700:10::\/48 \(entry e1\), 2606:4700:20::\/48 \(entry e2\) first/);
  });

  test('around an earlier network of the same request', () => {
    const r = refused(planAdd([], '1.1.1.1/32, 1.1.1.0/24', POLICY, NO_LOCKOUT));
    assert.equal(r.code, 'allowlist_superset');
    assert.match(r.message, /drop 1\.1\.1\.1\/32 from this request/);
  });
});

describe('seed 003 row "Private or Special Ranges Blocked"', () => {
  const refusedRanges: [string, string][] = [
    ['127.0.0.1/32', '127.0.0.0/8'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['172.20.0.0/16', '172.16.0.0/12'],
    ['192.168.1.0/24', '192.168.0.0/16'],
    ['169.254.10.0/24', '169.254.0.0/16'],
    ['100.64.0.0/10', '100.64.0.0/10'],
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['198.51.100.0/24', '198.51.100.0/24'],
    ['203.0.113.5/32', '203.0.113.0/24'],
    ['198.18.0.0/15', '198.18.0.0/15'],
    ['224.0.0.0/4', '224.0.0.0/4'],
    ['239.1.2.0/24', '224.0.0.0/4'],
    ['240.0.0.0/4', '240.0.0.0/4'],
    ['255.255.255.255/32', '255.255.255.255/32'],
    ['0.0.0.0/8', '0.0.0.0/8'],
    ['::1/128', '::1/128'],
    ['::/128', '::/128'],
    ['fc00::/7', 'fc00::/7'],
    ['fd12:3456::/32', 'fc00::/7'],
    ['fe80::/10', 'fe80::/10'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:db8:1::/48', '2001:db8::/32'],
    ['ff02::/16', 'ff00::/8'],
    ['2002::/16', '2002::/16'],
  ];

  test('every private, loopback, link-local, CGNAT, documentation, multicast and reserved block, IPv4 and IPv6', () => {
    for (const [input, range] of refusedRanges) {
      const r = refused(planAdd([], input, POLICY, NO_LOCKOUT));
      assert.equal(r.code, 'allowlist_special_range', input);
      assert.equal((r['range'] as { cidr: string }).cidr, range, input);
      assert.match(r.message, /public/, input);
    }
  });

  test('a wide block that would include special space is refused too', () => {
    for (const [input, contains] of [
      ['0.0.0.0/0', '0.0.0.0/8'],
      ['8.0.0.0/5', '10.0.0.0/8'],
      ['::/0', '::/96'],
    ] as const) {
      const r = refused(planAdd([], input, POLICY, NO_LOCKOUT));
      assert.equal(r.code, 'allowlist_special_range', input);
      assert.match(r.message, new RegExp(`contains ${contains.replace(/[./]/g, '\\$&')}`), input);
    }
  });

  test('the message for a private range names the operator setting; documentation space does not', () => {
    assert.match(
      refused(planAdd([], '10.1.0.0/16', POLICY, NO_LOCKOUT)).message,
      /TRUNKGATE_ALLOW_PRIVATE_API_CIDRS=true/,
    );
    assert.doesNotMatch(
      refused(planAdd([], '192.0.2.0/24', POLICY, NO_LOCKOUT)).message,
      /TRUNKGATE_ALLOW_PRIVATE_API_CIDRS/,
    );
  });

  test('with TRUNKGATE_ALLOW_PRIVATE_API_CIDRS, private ranges are accepted, other special space is not', () => {
    for (const ok of [
      '10.0.0.0/8',
      '10.20.0.0/16',
      '172.16.0.0/12',
      '192.168.1.0/24',
      '100.64.0.0/10',
      '127.0.0.1/32',
      '169.254.1.0/24',
      '::1/128',
      'fd00::/8',
      'fe80::/64',
      '8.0.0.0/5',
      // 10/8 plus the public 11/8 next to it
      '10.0.0.0/7',
    ]) {
      const parsed = parseAllowlistCidr(ok);
      assert.ok(parsed.ok, ok);
      assert.equal(checkSpecialRange(parsed.network, true), null, ok);
      assert.ok(planAdd([], ok, PRIVATE_OK, NO_LOCKOUT).ok, ok);
    }
    for (const [bad, range] of [
      ['192.0.2.0/24', '192.0.2.0/24'],
      ['2001:db8::/32', '2001:db8::/32'],
      ['224.0.0.0/4', '224.0.0.0/4'],
      ['ff00::/8', 'ff00::/8'],
      ['240.0.0.0/4', '240.0.0.0/4'],
      ['0.0.0.0/0', '0.0.0.0/8'],
    ] as const) {
      const plan = planAdd([], bad, PRIVATE_OK, NO_LOCKOUT);
      const r = refused(plan);
      assert.equal(r.code, 'allowlist_special_range', bad);
      assert.equal((r['range'] as { cidr: string }).cidr, range, bad);
    }
  });

  test('the private set names only blocks of the special-purpose table', () => {
    const table = new Set(SPECIAL_RANGES.map((r) => r.cidr));
    for (const cidr of PRIVATE_RANGE_CIDRS) assert.ok(table.has(cidr), cidr);
  });

  test('public space is accepted', () => {
    for (const ok of [
      '8.8.8.0/24',
      '1.1.1.1/32',
      '9.0.0.0/8',
      '2606:4700::/32',
      '2001:4860::/32',
      '2a00:1450::/29',
    ]) {
      assert.deepEqual(planAdd([], ok, POLICY, NO_LOCKOUT), { ok: true, add: [ok] }, ok);
    }
  });
});

describe('seed 003 row "Limit Reached (50 CIDRs)"', () => {
  const fifty = Array.from({ length: 50 }, (_, i) => `9.9.${i}.0/24`);

  test('a full list refuses one more, saying to remove one', () => {
    const r = refused(planAdd(entries(...fifty), '8.8.8.0/24', POLICY, NO_LOCKOUT));
    assert.equal(r.code, 'allowlist_limit_reached');
    assert.equal(r['limit'], 50);
    assert.match(r.message, /already has 50 entries.*remove an entry/);
  });

  test('a batch that would overshoot is refused whole, saying how many still fit', () => {
    const r = refused(
      planAdd(entries(...fifty.slice(0, 48)), '8.8.8.0/24, 8.8.9.0/24, 2606:4700::/32', POLICY, NO_LOCKOUT),
    );
    assert.equal(r.code, 'allowlist_limit_reached');
    assert.match(r.message, /adds 3, over the limit of 50; add at most 2/);
  });

  test('exactly up to the limit is fine; the limit is the policy’s', () => {
    assert.ok(planAdd(entries(...fifty.slice(0, 49)), '8.8.8.0/24', POLICY, NO_LOCKOUT).ok);
    const small: AllowlistPolicy = { limit: 2, allowPrivate: false };
    assert.equal(
      refused(planAdd([], '8.8.8.0/24, 8.8.9.0/24, 8.8.10.0/24', small, NO_LOCKOUT)).code,
      'allowlist_limit_reached',
    );
  });

  test('an edit never counts against the limit', () => {
    assert.ok(planEdit(entries(...fifty), 'e1', '8.8.8.0/24', POLICY, NO_LOCKOUT).ok);
  });
});

describe('a comma-separated add is all or nothing', () => {
  test('one bad item refuses the whole request and adds nothing', () => {
    const r = refused(planAdd([], '8.8.8.0/24, 10.0.0.0/8, 1.1.1.0/24', POLICY, NO_LOCKOUT));
    assert.equal(r.code, 'allowlist_special_range');
    assert.equal('add' in r, false);
  });

  test('splitting ignores spaces and empty items', () => {
    assert.deepEqual(splitCidrList(' 192.0.2.0/24 ,1.1.1.1/32,, '), ['192.0.2.0/24', '1.1.1.1/32']);
    assert.deepEqual(planAdd([], '8.8.8.0/24,  2606:4700::/32,', POLICY, NO_LOCKOUT), {
      ok: true,
      add: ['8.8.8.0/24', '2606:4700::/32'],
    });
  });
});

describe('edits are validated against the other entries', () => {
  const current = entries('8.8.8.0/24', '9.9.9.9/32', '2606:4700::/32');

  test('narrowing or widening an entry within itself is fine (it is not compared with itself)', () => {
    assert.deepEqual(planEdit(current, 'e1', '8.8.8.0/25', POLICY, NO_LOCKOUT), {
      ok: true,
      cidr: '8.8.8.0/25',
      changed: true,
    });
    assert.deepEqual(planEdit(current, 'e1', '8.8.0.0/16', POLICY, NO_LOCKOUT), {
      ok: true,
      cidr: '8.8.0.0/16',
      changed: true,
    });
    assert.deepEqual(planEdit(current, 'e1', '8.8.8.0/24', POLICY, NO_LOCKOUT), {
      ok: true,
      cidr: '8.8.8.0/24',
      changed: false,
    });
  });

  test('duplicate, subset and superset of another entry are refused', () => {
    assert.equal(
      refused(planEdit(current, 'e1', '9.9.9.9/32', POLICY, NO_LOCKOUT)).code,
      'allowlist_duplicate',
    );
    assert.equal(refused(planEdit(current, 'e2', '8.8.8.8/32', POLICY, NO_LOCKOUT)).code, 'allowlist_subset');
    assert.equal(
      refused(planEdit(current, 'e1', '9.0.0.0/8', POLICY, NO_LOCKOUT)).code,
      'allowlist_superset',
    );
    assert.equal(
      refused(planEdit(current, 'e1', '2606:4700:1::/48', POLICY, NO_LOCKOUT)).code,
      'allowlist_subset',
    );
  });

  test('format and special-range rules apply; one CIDR only; unknown entry', () => {
    assert.equal(refused(planEdit(current, 'e1', '8.8.8.8', POLICY, NO_LOCKOUT)).code, 'cidr_required');
    assert.equal(
      refused(planEdit(current, 'e1', '192.168.0.0/16', POLICY, NO_LOCKOUT)).code,
      'allowlist_special_range',
    );
    const many = refused(planEdit(current, 'e1', '1.1.1.0/24, 1.0.0.0/24', POLICY, NO_LOCKOUT));
    assert.equal(many.code, 'invalid_ip');
    assert.match(many.message, /one CIDR/);
    assert.deepEqual(planEdit(current, 'nope', '1.1.1.0/24', POLICY, NO_LOCKOUT), {
      ok: false,
      code: 'entry_not_found',
    });
    assert.deepEqual(planDelete(current, 'nope', NO_LOCKOUT), { ok: false, code: 'entry_not_found' });
  });
});

describe('self-lockout (beyond the seed)', () => {
  const me = ip('8.8.8.8');
  const here: ChangeContext = { clientAddress: me, confirm: false };

  test('a first entry that leaves the caller out is refused unless confirmed', () => {
    const r = refused(planAdd([], '1.1.1.0/24', POLICY, here));
    assert.equal(r.code, 'allowlist_lockout');
    assert.equal(r['clientAddress'], '8.8.8.8');
    assert.match(r.message, /8\.8\.8\.8.*confirm: true/);
    assert.deepEqual(planAdd([], '1.1.1.0/24', POLICY, { clientAddress: me, confirm: true }), {
      ok: true,
      add: ['1.1.1.0/24'],
    });
  });

  test('a change that keeps the caller inside needs no confirmation', () => {
    assert.ok(planAdd([], '8.8.8.0/24', POLICY, here).ok);
    assert.ok(planAdd([], '1.1.1.0/24, 8.8.8.8/32', POLICY, here).ok);
    assert.ok(planAdd(entries('8.8.8.0/24'), '1.1.1.0/24', POLICY, here).ok);
  });

  test('deleting or editing away the entry that holds the caller is refused while others remain', () => {
    const current = entries('8.8.8.0/24', '1.1.1.0/24');
    assert.equal(refused(planDelete(current, 'e1', here)).code, 'allowlist_lockout');
    assert.deepEqual(planDelete(current, 'e1', { clientAddress: me, confirm: true }), { ok: true });
    assert.deepEqual(planDelete(current, 'e2', here), { ok: true });
    assert.equal(refused(planEdit(current, 'e1', '8.8.4.0/24', POLICY, here)).code, 'allowlist_lockout');
    assert.ok(planEdit(current, 'e1', '8.8.0.0/16', POLICY, here).ok);
  });

  test('removing the last entry turns the allowlist off and locks nobody out', () => {
    assert.deepEqual(planDelete(entries('1.1.1.0/24'), 'e1', here), { ok: true });
  });

  test('IPv6 callers, and callers whose address is unknown', () => {
    const v6: ChangeContext = { clientAddress: ip('2606:4700::1111'), confirm: false };
    assert.equal(refused(planAdd([], '2001:4860::/32', POLICY, v6)).code, 'allowlist_lockout');
    assert.ok(planAdd([], '2606:4700::/32', POLICY, v6).ok);
    const unknown = refused(planAdd([], '8.8.8.0/24', POLICY, { clientAddress: null, confirm: false }));
    assert.equal(unknown.code, 'allowlist_lockout');
    assert.equal(unknown['clientAddress'], null);
    assert.match(unknown.message, /could not be determined/);
  });

  test('validation comes before the lockout check', () => {
    assert.equal(refused(planAdd([], '10.0.0.0/8', POLICY, here)).code, 'allowlist_special_range');
  });
});

describe('allowlistAdmits', () => {
  test('an empty list admits everyone; otherwise only addresses inside an entry', () => {
    assert.equal(allowlistAdmits([], ip('8.8.8.8')), true);
    assert.equal(allowlistAdmits([], null), true);
    assert.equal(allowlistAdmits(['8.8.8.0/24'], ip('8.8.8.200')), true);
    assert.equal(allowlistAdmits(['8.8.8.0/24'], ip('8.8.9.1')), false);
    assert.equal(allowlistAdmits(['8.8.8.0/24'], ip('::ffff:8.8.8.1')), true);
    assert.equal(allowlistAdmits(['2606:4700::/32'], ip('2606:4700:1::5')), true);
    assert.equal(allowlistAdmits(['2606:4700::/32'], ip('2606:4701::5')), false);
    assert.equal(allowlistAdmits(['8.8.8.0/24'], null), false);
  });
});
