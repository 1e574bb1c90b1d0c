import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type OriginationCandidate,
  originationOrder,
  weightedShuffle,
} from '../../../src/domain/origination-order.ts';
import type { UriHealthStatus } from '../../../src/domain/uri-health.ts';
import { seededRandom } from '../../helpers/seeded-random.ts';

const c = (
  uri_uuid: string,
  priority: number,
  weight = 10,
  health: UriHealthStatus = 'unknown',
): OriginationCandidate => ({ uri_uuid, priority, weight, health });
const ids = (xs: readonly OriginationCandidate[]) => xs.map((x) => x.uri_uuid);

describe('originationOrder', () => {
  test('lowest priority first, whatever the input order', () => {
    const r = originationOrder([c('fallback', 20), c('third', 30), c('primary', 10)], Math.random);
    assert.deepEqual(ids(r.order), ['primary', 'fallback', 'third']);
    assert.deepEqual(r.skipped, []);
  });

  test('down URIs are skipped while another is up', () => {
    const r = originationOrder(
      [c('primary', 10, 10, 'down'), c('fallback', 20, 10, 'up'), c('third', 30, 10, 'unknown')],
      Math.random,
    );
    assert.deepEqual(ids(r.order), ['fallback', 'third']);
    assert.deepEqual(ids(r.skipped), ['primary']);
  });

  test('down URIs are tried last when none is up', () => {
    const r = originationOrder(
      [c('primary', 10, 10, 'down'), c('fallback', 20, 10, 'unknown'), c('third', 30, 10, 'down')],
      Math.random,
    );
    assert.deepEqual(ids(r.order), ['fallback', 'primary', 'third']);
    assert.deepEqual(r.skipped, []);
    const allDown = originationOrder([c('b', 20, 1, 'down'), c('a', 10, 1, 'down')], Math.random);
    assert.deepEqual(ids(allDown.order), ['a', 'b']);
  });

  test('every candidate appears exactly once', () => {
    const random = seededRandom(7);
    const list = [c('a', 5, 1), c('b', 5, 100), c('c', 5, 7), c('d', 6, 1), c('e', 6, 65535)];
    for (let i = 0; i < 200; i++) {
      const r = originationOrder(list, random);
      assert.deepEqual([...ids(r.order)].sort(), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(new Set(ids(r.order).slice(0, 3)), new Set(['a', 'b', 'c']));
    }
  });

  test('1,000 picks over two equal-priority URIs weighted 3:1 land 70–80 % / 20–30 %', () => {
    const random = seededRandom(20261206);
    const list = [c('heavy', 10, 3, 'up'), c('light', 10, 1, 'up')];
    const first = { heavy: 0, light: 0 };
    for (let i = 0; i < 1000; i++) {
      const r = originationOrder(list, random);
      first[r.order[0]!.uri_uuid as 'heavy' | 'light']++;
      assert.equal(r.order.length, 2);
    }
    assert.ok(first.heavy >= 700 && first.heavy <= 800, `heavy first ${first.heavy} times`);
    assert.ok(first.light >= 200 && first.light <= 300, `light first ${first.light} times`);
  });

  test('a source of 0 takes the first item, one just under 1 the last (boundaries of the draw)', () => {
    const items = [
      { id: 'x', weight: 1 },
      { id: 'y', weight: 1 },
    ];
    assert.deepEqual(
      weightedShuffle(items, () => 0).map((i) => i.id),
      ['x', 'y'],
    );
    assert.deepEqual(
      weightedShuffle(items, () => 0.999999).map((i) => i.id),
      ['y', 'x'],
    );
  });
});
