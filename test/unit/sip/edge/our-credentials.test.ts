import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNonce } from '../../../../src/sip/auth/nonce.ts';
import { type OurRealm, removeOurCredentials } from '../../../../src/sip/edge/our-credentials.ts';
import { DOMAIN, parseRequest, requestText } from '../../../helpers/edge-stage-fixture.ts';

const KEY = Buffer.alloc(32, 7);
const REALM: OurRealm = { sipDomain: DOMAIN, nonceKey: KEY, nonceTtlSeconds: 300 };
const NOW = 1_750_000_000_000;

function cred(realm: string, nonce: string): string {
  return `Proxy-Authorization: Digest username="u", realm="${realm}", nonce="${nonce}", uri="sip:x@y", response="00"`;
}

test('the SIP domain realm is ours; a custom realm is ours when the nonce is one we issued for it', () => {
  const custom = 'pbx.customer.example';
  const ourNonce = createNonce(KEY, NOW - 1_000_000, custom); // expired long ago: still ours
  const req = parseRequest(
    requestText({
      method: 'BYE',
      uri: 'sip:x@y',
      headers: [
        cred(DOMAIN, 'abc'),
        cred('carrier.example', 'zzz'),
        cred(custom, ourNonce),
        cred(custom, createNonce(Buffer.alloc(32, 9), NOW, custom)),
      ],
    }),
  );
  removeOurCredentials(req, 'Proxy-Authorization', REALM, NOW);
  const left = req.headers.getAll('proxy-authorization');
  assert.equal(left.length, 2);
  assert.match(left[0] ?? '', /realm="carrier\.example"/);
  assert.match(left[1] ?? '', /realm="pbx\.customer\.example"/);
});

test('nothing to remove leaves the headers as they are', () => {
  const req = parseRequest(
    requestText({ method: 'BYE', uri: 'sip:x@y', headers: [cred('carrier.example', 'a')] }),
  );
  const before = req.headers;
  removeOurCredentials(req, 'Proxy-Authorization', REALM, NOW);
  assert.equal(req.headers, before);
  assert.equal(req.headers.getAll('proxy-authorization').length, 1);
});
