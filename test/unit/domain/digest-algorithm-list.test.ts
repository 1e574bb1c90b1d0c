import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkDigestAlgorithmList,
  deserializeDigestAlgorithms,
  serializeDigestAlgorithms,
} from '../../../src/domain/digest-algorithm-list.ts';
import { generateNumericId, NUMERIC_ID_PATTERN } from '../../../src/domain/resource-ids.ts';

describe('digest_algorithms of a trunk or application', () => {
  test('names in any case, order kept, stored as JSON', () => {
    const r = checkDigestAlgorithmList(['md5', 'SHA-256']);
    assert.ok(r.ok);
    assert.deepEqual(r.value, ['MD5', 'SHA-256']);
    assert.equal(serializeDigestAlgorithms(r.value), '["MD5","SHA-256"]');
    assert.deepEqual(deserializeDigestAlgorithms('["MD5","SHA-256"]'), ['MD5', 'SHA-256']);
    assert.equal(serializeDigestAlgorithms(null), null);
    assert.equal(deserializeDigestAlgorithms(null), null);
  });

  test('empty, unknown and repeated names are refused', () => {
    const empty = checkDigestAlgorithmList([]);
    assert.ok(!empty.ok && /at least one/.test(empty.message));
    const unknown = checkDigestAlgorithmList(['SHA-1']);
    assert.ok(!unknown.ok && /"SHA-1" is not supported/.test(unknown.message));
    const sess = checkDigestAlgorithmList(['MD5-sess']);
    assert.ok(!sess.ok);
    const twice = checkDigestAlgorithmList(['MD5', 'md5']);
    assert.ok(!twice.ok && /twice/.test(twice.message));
    assert.throws(() => deserializeDigestAlgorithms('"MD5"'));
  });
});

describe('numeric ids (trunk_id, app_id)', () => {
  test('18 digits, no leading zero, distinct', () => {
    const ids = new Set(Array.from({ length: 200 }, generateNumericId));
    assert.equal(ids.size, 200);
    for (const id of ids) assert.match(id, NUMERIC_ID_PATTERN);
  });
});
