import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CpsSettings, cpsBucketKey, effectiveCpsLimit } from '../../../src/domain/cps.ts';

function cred(id: string, cpsLimit: number | null, cpsKey: string | null, orgId = 'MAORG'): CpsSettings {
  return { id, orgId, cpsLimit, cpsKey };
}

describe('effectiveCpsLimit: credentials sharing a cpsKey share one limit, the smallest wins', () => {
  test('without a cpsKey a credential has its own limit, whatever others say', () => {
    assert.equal(effectiveCpsLimit(cred('a', 10, null)), 10);
    assert.equal(effectiveCpsLimit(cred('a', null, null)), null);
    assert.equal(effectiveCpsLimit(cred('a', 10, null), [cred('b', 1, null), cred('c', 2, 'k')]), 10);
  });

  test('alone in its group a credential keeps its own limit', () => {
    assert.equal(effectiveCpsLimit(cred('a', 5, 'carrier-x')), 5);
    assert.equal(effectiveCpsLimit(cred('a', 5, 'carrier-x'), []), 5);
  });

  test('differing limits in one group: the smallest wins, for every member', () => {
    const group = [cred('a', 10, 'carrier-x'), cred('b', 2.5, 'carrier-x'), cred('c', 7, 'carrier-x')];
    for (const member of group) assert.equal(effectiveCpsLimit(member, group), 2.5, member.id);
  });

  test('a member without a cpsLimit is bound by the group limit; a group with no limits has none', () => {
    const group = [cred('a', null, 'k'), cred('b', 4, 'k')];
    assert.equal(effectiveCpsLimit(group[0]!, group), 4);
    assert.equal(effectiveCpsLimit(cred('x', null, 'k'), [cred('y', null, 'k')]), null);
  });

  test('fractional limits compare exactly', () => {
    assert.equal(effectiveCpsLimit(cred('a', 0.5, 'k'), [cred('b', 0.25, 'k'), cred('c', 0.3, 'k')]), 0.25);
  });

  test('only the same account and the same key count', () => {
    const self = cred('a', 10, 'k');
    const noise = [cred('b', 1, 'k', 'MAOTHER'), cred('c', 2, 'other-key'), cred('d', 3, null)];
    assert.equal(effectiveCpsLimit(self, noise), 10);
    // The credential itself in the list is harmless (its own current limit is used).
    assert.equal(effectiveCpsLimit(self, [cred('a', 1, 'k'), cred('e', 20, 'k')]), 10);
  });

  test('keys are compared exactly (case-sensitive)', () => {
    assert.equal(effectiveCpsLimit(cred('a', 10, 'K'), [cred('b', 1, 'k')]), 10);
  });
});

describe('cpsBucketKey: where a credential’s calls are counted', () => {
  test('one bucket per account and key, or per credential without a key', () => {
    assert.equal(cpsBucketKey(cred('a', 1, 'k')), cpsBucketKey(cred('b', 9, 'k')));
    assert.notEqual(cpsBucketKey(cred('a', 1, 'k')), cpsBucketKey(cred('a', 1, 'k', 'MAOTHER')));
    assert.notEqual(cpsBucketKey(cred('a', 1, null)), cpsBucketKey(cred('b', 1, null)));
    assert.equal(cpsBucketKey(cred('a', 1, null)), 'MAORG/credential/a');
    assert.equal(cpsBucketKey(cred('a', 1, 'k')), 'MAORG/key/k');
  });
});
