import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_PAGE, pageMeta, parsePagination } from '../../../src/api/pagination.ts';
import { ApiError } from '../../../src/errors.ts';

function refused(q: { limit?: string; offset?: string }, field: 'limit' | 'offset'): ApiError {
  let caught: unknown;
  try {
    parsePagination(q);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ApiError, `expected an ApiError for ${JSON.stringify(q)}`);
  assert.equal(caught.code, 'invalid_pagination');
  assert.equal(caught.status, 400);
  assert.equal(caught.field, field);
  return caught;
}

describe('parsePagination (Plivo: limit 1–20, default 20; offset ≥ 0, default 0)', () => {
  test('defaults', () => {
    assert.equal(MAX_PAGE, 20);
    assert.deepEqual(parsePagination({}), { limit: 20, offset: 0 });
    assert.deepEqual(parsePagination({ limit: '5' }), { limit: 5, offset: 0 });
    assert.deepEqual(parsePagination({ offset: '40' }), { limit: 20, offset: 40 });
  });

  test('accepts the bounds', () => {
    assert.deepEqual(parsePagination({ limit: '1', offset: '0' }), { limit: 1, offset: 0 });
    assert.deepEqual(parsePagination({ limit: '20', offset: '999999999' }), { limit: 20, offset: 999999999 });
  });

  test('a limit outside 1–20 is a 400, never clamped', () => {
    assert.match(refused({ limit: '0' }, 'limit').message, /limit must be from 1 to 20, got 0/);
    assert.match(refused({ limit: '21' }, 'limit').message, /got 21/);
    assert.match(refused({ limit: '1000' }, 'limit').message, /got 1000/);
  });

  test('non-numbers, signs, fractions and blanks are a 400 naming the field', () => {
    for (const bad of ['', 'ten', '-1', '+5', '2.5', '1e1', ' 5', '0x10']) {
      assert.match(refused({ limit: bad }, 'limit').message, /limit must be a whole number ≥ 1/);
      assert.match(refused({ offset: bad }, 'offset').message, /offset must be a whole number ≥ 0/);
    }
    refused({ offset: '9999999999' }, 'offset'); // too many digits to be a sensible offset
  });

  test('a route may lower the maximum', () => {
    assert.deepEqual(parsePagination({ limit: '5' }, 5), { limit: 5, offset: 0 });
    assert.deepEqual(parsePagination({}, 5), { limit: 5, offset: 0 });
    assert.throws(() => parsePagination({ limit: '6' }, 5), /from 1 to 5/);
  });
});

describe('pageMeta (seed 001 meta: relative next/previous URIs or null)', () => {
  const path = 'v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Credential/';

  test('first page of 109, as in seed 001', () => {
    assert.deepEqual(pageMeta(path, 20, 0, 109), {
      limit: 20,
      offset: 0,
      total_count: 109,
      previous: null,
      next: `${path}?limit=20&offset=20`,
    });
  });

  test('a middle page links both ways', () => {
    const m = pageMeta(path, 20, 40, 109);
    assert.equal(m.previous, `${path}?limit=20&offset=20`);
    assert.equal(m.next, `${path}?limit=20&offset=60`);
  });

  test('the last page has no next', () => {
    const m = pageMeta(path, 20, 100, 109);
    assert.equal(m.next, null);
    assert.equal(m.previous, `${path}?limit=20&offset=80`);
  });

  test('an exact fit has no next', () => {
    assert.equal(pageMeta(path, 10, 0, 10).next, null);
    assert.equal(pageMeta(path, 10, 10, 20).next, null);
  });

  test('previous never goes below 0', () => {
    assert.equal(pageMeta(path, 20, 5, 109).previous, `${path}?limit=20&offset=0`);
  });

  test('an empty list and an offset past the end', () => {
    assert.deepEqual(pageMeta(path, 20, 0, 0), {
      limit: 20,
      offset: 0,
      total_count: 0,
      previous: null,
      next: null,
    });
    const past = pageMeta(path, 5, 50, 3);
    assert.equal(past.next, null);
    assert.equal(past.previous, `${path}?limit=5&offset=45`);
  });
});
