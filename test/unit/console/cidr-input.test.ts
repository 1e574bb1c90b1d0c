// The "+ Add CIDR Address" input: splitting, finding the CIDR a refusal names, subnet masks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrConcerned, splitCidrs, subnetMask } from '../../../console/src/cidr-input.ts';
import { planAdd } from '../../../src/domain/allowlist-rules.ts';

test('splits on commas and drops blanks', () => {
  assert.deepEqual(splitCidrs(' 34.120.16.0/24,52.14.8.9/32 , ,2a05:d014:1f0::/48 '), [
    '34.120.16.0/24',
    '52.14.8.9/32',
    '2a05:d014:1f0::/48',
  ]);
});

test('finds the typed CIDR the message is about, not a shorter look-alike', () => {
  const typed = ['10.0.0.0/8', '52.14.8.9/32', '10.0.0.0/80'];
  assert.equal(cidrConcerned(typed, '10.0.0.0/80 has an invalid prefix'), 2);
  assert.equal(cidrConcerned(typed, '52.14.8.9/32 is already listed'), 1);
  assert.equal(cidrConcerned(['2001:DB8::/32'], '2001:db8::/32 is documentation space'), 0);
  assert.equal(cidrConcerned(typed, 'The allowlist holds at most 50 entries'), -1);
});

test('the domain rules name the refused CIDR in a way the console finds', () => {
  const existing = [{ entry_id: 'e1', cidr: '34.120.16.0/24' }];
  const typed = '52.14.8.9/32, 34.120.16.128/25';
  const plan = planAdd(
    existing,
    typed,
    { limit: 50, allowPrivate: false },
    { clientAddress: null, confirm: false },
  );
  assert.equal(plan.ok, false);
  if (plan.ok) return;
  assert.equal(plan.code, 'allowlist_subset');
  assert.equal(cidrConcerned(splitCidrs(typed), plan.message), 1);
});

test('subnet masks', () => {
  assert.equal(subnetMask('34.120.16.0/24'), '255.255.255.0');
  assert.equal(subnetMask('34.120.16.0/23'), '255.255.254.0');
  assert.equal(subnetMask('52.14.8.9/32'), '255.255.255.255');
  assert.equal(subnetMask('0.0.0.0/0'), '0.0.0.0');
  assert.equal(subnetMask('2a05:d014:1f0::/48'), '/48 (80 host bits)');
});
