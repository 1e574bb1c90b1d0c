import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkTrunkShape,
  mergeTrunkPatch,
  type OriginationRoute,
  type TrunkShape,
  trunkDomain,
  trunkIdFromDomain,
} from '../../../src/domain/trunk-rules.ts';

const none = { ipacl_uuid: null, credential_uuid: null, primary_uri_uuid: null, fallback_uri_uuid: null };
/** The list primary/fallback stand for, unless the test gives one. */
function slots(p: Partial<TrunkShape>): OriginationRoute[] {
  const list: OriginationRoute[] = [];
  if (p.primary_uri_uuid) list.push({ uri_uuid: p.primary_uri_uuid, priority: 10, weight: 10 });
  if (p.fallback_uri_uuid) list.push({ uri_uuid: p.fallback_uri_uuid, priority: 20, weight: 10 });
  return list;
}
const outbound = (p: Partial<TrunkShape>): TrunkShape => ({
  trunk_direction: 'outbound',
  ...none,
  origination_uris: slots(p),
  ...p,
});
const inbound = (p: Partial<TrunkShape>): TrunkShape => ({
  trunk_direction: 'inbound',
  ...none,
  origination_uris: slots(p),
  ...p,
});
const r = (uri_uuid: string, priority: number, weight = 10): OriginationRoute => ({
  uri_uuid,
  priority,
  weight,
});

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

describe('origination_uris and the Plivo fields', () => {
  test('primary and fallback are the URIs at priorities 10 and 20; others come before or after', () => {
    const shape = mergeTrunkPatch(inbound({}), {
      origination_uris: [r('a', 5, 3), r('b', 5, 1), r('p', 10), r('f', 20, 7), r('z', 30)],
    });
    assert.equal(shape.primary_uri_uuid, 'p');
    assert.equal(shape.fallback_uri_uuid, 'f');
    assert.ok(checkTrunkShape(shape).ok);
  });

  test('a list without priorities 10 or 20 has neither field and is a valid inbound trunk', () => {
    const shape = mergeTrunkPatch(inbound({}), { origination_uris: [r('a', 1, 3), r('b', 1, 1)] });
    assert.equal(shape.primary_uri_uuid, null);
    assert.equal(shape.fallback_uri_uuid, null);
    assert.ok(checkTrunkShape(shape).ok);
  });

  test('setting primary_uri_uuid alone replaces the URI at 10 and keeps the rest', () => {
    const current = mergeTrunkPatch(inbound({}), { origination_uris: [r('p', 10, 99), r('x', 40, 2)] });
    const next = mergeTrunkPatch(current, { primary_uri_uuid: 'q' });
    assert.deepEqual(next.origination_uris, [r('q', 10), r('x', 40, 2)]);
    assert.equal(next.primary_uri_uuid, 'q');
    const noFallback = mergeTrunkPatch(inbound({ primary_uri_uuid: 'p', fallback_uri_uuid: 'f' }), {
      fallback_uri_uuid: null,
    });
    assert.deepEqual(noFallback.origination_uris, [r('p', 10)]);
    assert.equal(noFallback.fallback_uri_uuid, null);
  });

  test('swapping primary and fallback in one request is not a duplicate', () => {
    const next = mergeTrunkPatch(inbound({ primary_uri_uuid: 'p', fallback_uri_uuid: 'f' }), {
      primary_uri_uuid: 'f',
      fallback_uri_uuid: 'p',
    });
    assert.deepEqual(next.origination_uris, [r('f', 10), r('p', 20)]);
    assert.ok(checkTrunkShape(next).ok);
  });

  test('both forms in one request must agree', () => {
    const ok = mergeTrunkPatch(inbound({}), { primary_uri_uuid: 'p', origination_uris: [r('p', 10)] });
    assert.ok(checkTrunkShape(ok).ok);
    const v = violation(
      mergeTrunkPatch(inbound({}), { primary_uri_uuid: 'q', origination_uris: [r('p', 10)] }),
    );
    assert.equal(v.code, 'conflicting_fields');
    assert.equal(v.field, 'primary_uri_uuid');
    assert.equal(
      violation(mergeTrunkPatch(inbound({}), { fallback_uri_uuid: 'f', origination_uris: [r('p', 10)] }))
        .field,
      'fallback_uri_uuid',
    );
  });

  test('duplicates, two URIs at a Plivo priority, ranges and the maximum are refused', () => {
    const dup = violation(inbound({ origination_uris: [r('a', 1), r('a', 2)] }));
    assert.equal(dup.code, 'conflicting_fields');
    assert.match(dup.message, /listed twice/);
    const slot = violation(mergeTrunkPatch(inbound({}), { origination_uris: [r('a', 10), r('b', 10)] }));
    assert.equal(slot.code, 'conflicting_fields');
    assert.match(slot.message, /priority 10 is primary_uri_uuid/);
    const dupViaPlivo = violation(
      mergeTrunkPatch(inbound({ origination_uris: [r('a', 1)] }), { primary_uri_uuid: 'a' }),
    );
    assert.match(dupViaPlivo.message, /listed twice/);
    for (const bad of [r('a', -1), r('a', 65536), r('a', 1.5), r('a', 1, 0), r('a', 1, 65536)]) {
      const v = violation(inbound({ origination_uris: [bad] }));
      assert.equal(v.code, 'validation_failed');
      assert.equal(v.field, 'origination_uris');
    }
    assert.ok(checkTrunkShape(inbound({ origination_uris: [r('a', 0, 1), r('b', 65535, 65535)] })).ok);
    const many = Array.from({ length: 11 }, (_, i) => r(`u${i}`, i === 10 || i === 20 ? 99 : i));
    assert.match(violation(inbound({ origination_uris: many })).message, /at most 10/);
    assert.ok(checkTrunkShape(inbound({ origination_uris: many.slice(0, 10) })).ok);
  });

  test('a fallback needs something tried before it; an outbound trunk lists none', () => {
    assert.equal(
      violation(mergeTrunkPatch(inbound({}), { fallback_uri_uuid: 'f' })).field,
      'primary_uri_uuid',
    );
    assert.ok(
      checkTrunkShape(mergeTrunkPatch(inbound({}), { origination_uris: [r('a', 1), r('f', 20)] })).ok,
    );
    const v = violation(outbound({ credential_uuid: 'c', origination_uris: [r('a', 1)] }));
    assert.equal(v.code, 'field_not_allowed');
    assert.equal(v.field, 'origination_uris');
    const cleared = mergeTrunkPatch(inbound({ origination_uris: [r('a', 1)] }), {
      trunk_direction: 'outbound',
      credential_uuid: 'c',
    });
    assert.deepEqual(cleared.origination_uris, []);
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
