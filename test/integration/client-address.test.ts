// Which address a request comes from (issue 5 item 2): the socket's peer, unless the peer is a
// trusted proxy (TRUNKGATE_TRUSTED_PROXIES), in which case the right-most untrusted
// X-Forwarded-For hop. A forwarded header from anyone else must not get a request in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  parseForwardedHop,
  resolveClientAddress,
  trustedProxyMatcher,
} from '../../src/api/client-address.ts';
import { formatIp, type IpAddress } from '../../src/domain/address/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';
import { remoteClient } from '../helpers/remote-client.ts';

function show(a: IpAddress | null): string | null {
  return a === null ? null : formatIp(a);
}

describe('resolveClientAddress', () => {
  const trusted = trustedProxyMatcher(['10.0.0.0/8', '2001:4860:4860::8888', '192.168.1.1']);
  const resolve = (peer: string | undefined, xff?: string | string[]) =>
    show(resolveClientAddress(peer, xff, trusted));

  test('an untrusted peer is the client, whatever it forwards', () => {
    assert.equal(resolve('1.1.1.1'), '1.1.1.1');
    assert.equal(resolve('1.1.1.1', '8.8.8.8'), '1.1.1.1');
    assert.equal(resolve('2606:4700::1', '8.8.8.8, 10.0.0.1'), '2606:4700::1');
    assert.equal(resolve('::ffff:1.1.1.1', '8.8.8.8'), '1.1.1.1');
  });

  test('a trusted peer: the right-most hop that is not a trusted proxy', () => {
    assert.equal(resolve('10.0.0.5', '8.8.8.8'), '8.8.8.8');
    // Hops left of it were written by the client and are ignored.
    assert.equal(resolve('10.0.0.5', '6.6.6.6, 8.8.8.8'), '8.8.8.8');
    // Chained trusted proxies are skipped.
    assert.equal(resolve('10.0.0.5', '6.6.6.6, 8.8.8.8, 10.1.1.1, 192.168.1.1'), '8.8.8.8');
    assert.equal(resolve('2001:4860:4860::8888', '2606:4700::1111'), '2606:4700::1111');
    assert.equal(resolve('::ffff:10.0.0.5', '8.8.8.8'), '8.8.8.8');
    // Repeated headers arrive joined by ", " or as an array.
    assert.equal(resolve('10.0.0.5', ['6.6.6.6', '8.8.8.8']), '8.8.8.8');
  });

  test('a trusted peer without a forwarded header is the client; every hop trusted: the left-most', () => {
    assert.equal(resolve('10.0.0.5'), '10.0.0.5');
    assert.equal(resolve('10.0.0.5', ''), '10.0.0.5');
    assert.equal(resolve('10.0.0.5', '10.9.9.9, 192.168.1.1'), '10.9.9.9');
  });

  test('ports and brackets as proxies write them', () => {
    assert.equal(resolve('10.0.0.5', '8.8.8.8:4711'), '8.8.8.8');
    assert.equal(resolve('10.0.0.5', '[2606:4700::1111]:443'), '2606:4700::1111');
    assert.equal(resolve('10.0.0.5', '[2606:4700::1111]'), '2606:4700::1111');
    assert.equal(resolve('10.0.0.5', ' 2606:4700::1111 '), '2606:4700::1111');
  });

  test('an unreadable hop where the client should be means "unknown" (no allowlist admits it)', () => {
    for (const xff of [
      'unknown',
      'garbage',
      '8.8.8.8, bogus',
      '8.8.8.8,,',
      '[::1',
      '8.8.8.8:port',
      '8.8.8.256',
    ]) {
      assert.equal(resolve('10.0.0.5', xff), null, xff);
    }
    // ...but garbage left of the client is never read.
    assert.equal(resolve('10.0.0.5', 'bogus, 8.8.8.8'), '8.8.8.8');
    assert.equal(resolve(undefined), null);
  });

  test('parseForwardedHop', () => {
    assert.equal(show(parseForwardedHop('::ffff:8.8.8.8')), '8.8.8.8');
    assert.equal(parseForwardedHop('[2606:4700::1]:99999'), null);
    // Unbracketed IPv6 cannot carry a port: the text is read as the address it spells.
    assert.equal(show(parseForwardedHop('2606:4700::1:443')), '2606:4700::1:443');
    assert.equal(parseForwardedHop('_hidden'), null);
  });
});

for (const dialect of DIALECTS) {
  describe(`client address behind trusted proxies (${dialect})`, () => {
    let t: TestApp;
    let path: string;
    before(async () => {
      t = await buildTestApp(dialect, { TRUNKGATE_TRUSTED_PROXIES: '10.0.0.0/8, 2001:4860:4860::8844' });
      path = `/v1/Account/${t.root.authId}/IPWhitelist/`;
      const added = await remoteClient(t.app, { authId: t.root.authId, token: t.root.token }, '8.8.8.8').post(
        path,
        {
          cidr: '8.8.8.0/24, 2606:4700::/32',
        },
      );
      assert.equal(added.status, 201, added.raw);
    });
    after(() => t.close());

    const via = (peer: string, xff?: string) =>
      remoteClient(
        t.app,
        { authId: t.root.authId, token: t.root.token },
        peer,
        xff === undefined ? {} : { 'x-forwarded-for': xff },
      );

    test('X-Forwarded-For from a trusted proxy decides', async () => {
      const inside = await via('10.0.0.5', '8.8.8.8').get(path);
      assert.equal(inside.status, 200);
      assert.equal(inside.body.client_address, '8.8.8.8');
      assert.equal((await via('2001:4860:4860::8844', '2606:4700::1').get(path)).status, 200);
      assert.equal((await via('10.0.0.5', '1.1.1.1').get(path)).status, 403);
      // The client put 8.8.8.8 in the header itself; the proxy appended the real 1.1.1.1.
      assert.equal((await via('10.0.0.5', '8.8.8.8, 1.1.1.1').get(path)).status, 403);
      // The client's own junk left of the real hop is ignored.
      assert.equal((await via('10.0.0.5', '1.1.1.1, 8.8.8.8').get(path)).status, 200);
      // The proxy itself, forwarding nothing, is not on the list.
      assert.equal((await via('10.0.0.5').get(path)).status, 403);
      assert.equal((await via('10.0.0.5', 'unknown').get(path)).status, 403);
    });

    test('a spoofed header from an untrusted peer does not get in', async () => {
      for (const xff of ['8.8.8.8', '10.0.0.5, 8.8.8.8', '2606:4700::1']) {
        const res = await via('1.1.1.1', xff).get(path);
        assert.equal(res.status, 403, xff);
        assert.match(res.body.error, /1\.1\.1\.1/);
      }
      // And an allowed peer is not locked out by a header it happens to carry.
      const ok = await via('8.8.8.8', '1.1.1.1').get(path);
      assert.equal(ok.status, 200);
      assert.equal(ok.body.client_address, '8.8.8.8');
    });
  });
}
