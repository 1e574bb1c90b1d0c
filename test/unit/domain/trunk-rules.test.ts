import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkTrunkShape,
  mergeTrunkPatch,
  type TrunkShape,
  trunkDomain,
  trunkIdFromDomain,
} from '../../../src/domain/trunk-rules.ts';

const none = { ipacl_uuid: null, credential_uuid: null, primary_uri_uuid: null, fallback_uri_uuid: null };
const outbound = (p: Partial<TrunkShape>): TrunkShape => ({ trunk_direction: 'outbound', ...none, ...p });
const inbound = (p: Partial<TrunkShape>): TrunkShape => ({ trunk_direction: 'inbound', ...none, ...p });

function violation(t: TrunkShape) {
  const r = checkTrunkShape(t);
  if (r.ok) assert.fail(`accepted ${JSON.stringify(t)}`);
  return r;
}

describe('checkTrunkShape', () => {
  test('outbound: an ACL, a credential or both', () => {
    assert.ok(checkTrunkShape(outbound({ ipacl_uuid: 'a' })).ok);
    assert.ok(checkTrunkShape(outbound({ credential_uuid: 'c' })).ok);
    assert.ok(checkTrunkShape(outbound({ ipacl_uuid: 'a', credential_uuid: 'c' })).ok);
    const v = violation(outbound({}));
    assert.equal(v.code, 'field_required');
    assert.equal(v.field, 'ipacl_uuid');
    assert.match(v.message, /ipacl_uuid, credential_uuid or both/);
  });

  test('outbound: origination URIs do not apply', () => {
    const v = violation(outbound({ ipacl_uuid: 'a', primary_uri_uuid: 'u' }));
    assert.equal(v.code, 'field_not_allowed');
    assert.equal(v.field, 'primary_uri_uuid');
    assert.equal(
      violation(outbound({ credential_uuid: 'c', fallback_uri_uuid: 'u' })).field,
      'fallback_uri_uuid',
    );
  });

  test('inbound: a primary URI, an optional different fallback, no ACL or credential', () => {
    assert.ok(checkTrunkShape(inbound({ primary_uri_uuid: 'p' })).ok);
    assert.ok(checkTrunkShape(inbound({ primary_uri_uuid: 'p', fallback_uri_uuid: 'f' })).ok);
    const missing = violation(inbound({}));
    assert.equal(missing.code, 'field_required');
    assert.equal(missing.field, 'primary_uri_uuid');
    assert.equal(violation(inbound({ fallback_uri_uuid: 'f' })).field, 'primary_uri_uuid');
    const same = violation(inbound({ primary_uri_uuid: 'p', fallback_uri_uuid: 'p' }));
    assert.equal(same.code, 'conflicting_fields');
    assert.equal(same.field, 'fallback_uri_uuid');
    const acl = violation(inbound({ primary_uri_uuid: 'p', ipacl_uuid: 'a' }));
    assert.equal(acl.code, 'field_not_allowed');
    assert.equal(acl.field, 'ipacl_uuid');
    assert.equal(
      violation(inbound({ primary_uri_uuid: 'p', credential_uuid: 'c' })).field,
      'credential_uuid',
    );
  });
});

describe('mergeTrunkPatch', () => {
  test('fields not sent stay; null clears', () => {
    const current = outbound({ ipacl_uuid: 'a', credential_uuid: 'c' });
    assert.deepEqual(mergeTrunkPatch(current, {}), current);
    assert.deepEqual(mergeTrunkPatch(current, { ipacl_uuid: null }), outbound({ credential_uuid: 'c' }));
    assert.deepEqual(
      mergeTrunkPatch(current, { ipacl_uuid: 'b' }),
      outbound({ ipacl_uuid: 'b', credential_uuid: 'c' }),
    );
  });

  test('a direction change clears the old direction’s fields the request did not mention', () => {
    const current = outbound({ ipacl_uuid: 'a', credential_uuid: 'c' });
    assert.deepEqual(
      mergeTrunkPatch(current, { trunk_direction: 'inbound', primary_uri_uuid: 'p' }),
      inbound({ primary_uri_uuid: 'p' }),
    );
    // …but keeps what it did mention, so the contradiction is reported, not dropped.
    const kept = mergeTrunkPatch(current, {
      trunk_direction: 'inbound',
      primary_uri_uuid: 'p',
      ipacl_uuid: 'a',
    });
    assert.equal(kept.ipacl_uuid, 'a');
    assert.equal(violation(kept).field, 'ipacl_uuid');
    assert.deepEqual(
      mergeTrunkPatch(inbound({ primary_uri_uuid: 'p', fallback_uri_uuid: 'f' }), {
        trunk_direction: 'outbound',
        credential_uuid: 'c',
      }),
      outbound({ credential_uuid: 'c' }),
    );
  });
});

describe('trunk domains', () => {
  test('{trunk_id}.{sip_domain}, and back', () => {
    assert.equal(trunkDomain('21784177241578', 'SIP.Example.com'), '21784177241578.sip.example.com');
    assert.equal(trunkIdFromDomain('21784177241578.sip.example.com', 'sip.example.com'), '21784177241578');
    assert.equal(trunkIdFromDomain('21784177241578.SIP.EXAMPLE.COM.', 'sip.example.com'), '21784177241578');
  });

  test('anything else is not a trunk domain', () => {
    for (const host of [
      'sip.example.com',
      '.sip.example.com',
      '123.other.example.com',
      'abc.sip.example.com',
      '1.2.sip.example.com',
      '123sip.example.com',
      '123.sip.example.com.evil.net',
    ]) {
      assert.equal(trunkIdFromDomain(host, 'sip.example.com'), null, host);
    }
  });
});
