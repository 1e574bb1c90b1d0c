import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureKey } from '../../../src/api/plugins/rate-limit.ts';
import { parseIp } from '../../../src/domain/address/index.ts';
import { sourceKey } from '../../../src/state/source-key.ts';

test('one key rule for a source, API and SIP alike: IPv4 as is, IPv6 by its /64', () => {
  assert.equal(sourceKey('192.0.2.7'), '192.0.2.7');
  assert.equal(sourceKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(sourceKey('2001:db8:1:2:bbbb::9'), sourceKey('2001:db8:1:2:aaaa::1'));
  assert.notEqual(sourceKey('2001:db8:1:3::1'), sourceKey('2001:db8:1:2::1'));
  assert.equal(sourceKey('::ffff:192.0.2.7'), '192.0.2.7', 'IPv4-mapped is IPv4');
  const ip = parseIp('2001:db8:1:2:cccc::5');
  assert.ok(ip.ok);
  assert.equal(failureKey(ip.value), `auth:${sourceKey('2001:db8:1:2:cccc::5')}`);
});
