import { type Static, Type } from '@sinclair/typebox';
import { ApiError } from '../errors.ts';

export const PaginationQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ description: 'Results per page, 1–20 (default 20)' })),
    offset: Type.Optional(Type.String({ description: 'Number of results to skip, ≥ 0 (default 0)' })),
  },
  { additionalProperties: true },
);
export type PaginationQueryT = Static<typeof PaginationQuery>;

export const Meta = Type.Object({
  limit: Type.Integer(),
  offset: Type.Integer(),
  total_count: Type.Integer(),
  previous: Type.Union([Type.String(), Type.Null()]),
  next: Type.Union([Type.String(), Type.Null()]),
});

export const MAX_PAGE = 20;

/** Plivo pagination: limit 1–20 (default 20), offset ≥ 0; out of range is a 400, never clamped. */
export function parsePagination(q: PaginationQueryT, maxLimit = MAX_PAGE): { limit: number; offset: number } {
  const limit = q.limit === undefined ? maxLimit : parseWhole(q.limit, 'limit');
  const offset = q.offset === undefined ? 0 : parseWhole(q.offset, 'offset');
  if (limit < 1 || limit > maxLimit)
    throw new ApiError(
      'invalid_pagination',
      { detail: `limit must be from 1 to ${maxLimit}, got ${limit}` },
      { field: 'limit' },
    );
  return { limit, offset };
}

function parseWhole(raw: string, field: string): number {
  if (!/^\d{1,9}$/.test(raw))
    throw new ApiError(
      'invalid_pagination',
      { detail: `${field} must be a whole number ≥ ${field === 'limit' ? 1 : 0}, got "${raw}"` },
      { field },
    );
  return Number(raw);
}

/** `path` is relative without a leading slash, e.g. `v1/Account/MA…/Zentrunk/Credential/`. */
export function pageMeta(path: string, limit: number, offset: number, total: number): Static<typeof Meta> {
  const next = offset + limit < total ? `${path}?limit=${limit}&offset=${offset + limit}` : null;
  const previous = offset > 0 ? `${path}?limit=${limit}&offset=${Math.max(0, offset - limit)}` : null;
  return { limit, offset, total_count: total, previous, next };
}
