// Text that cannot be stored exactly as sent is refused, not altered: PostgreSQL's text type holds
// no U+0000 (SQLite would store it and answer differently), and a lone UTF-16 surrogate has no
// UTF-8 form, so either database would keep U+FFFD instead of what the caller sent.
import { ApiError } from '../errors.ts';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type TextProblem = { readonly kind: 'nul' | 'surrogate'; readonly field: string };

/** The first string inside `value` (objects and arrays walked) that cannot be stored faithfully. */
export function findTextProblem(value: unknown, path = ''): TextProblem | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { kind: 'nul', field: path };
    if (LONE_SURROGATE.test(value)) return { kind: 'surrogate', field: path };
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findTextProblem(value[i], path === '' ? String(i) : `${path}.${i}`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path === '' ? k : `${path}.${k}`;
      // A key is input too (it lands in messages as an unknown field's name).
      const pk = findTextProblem(k, field);
      if (pk !== undefined) return pk;
      const p = findTextProblem(v, field);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

export function textProblemError(problem: TextProblem, where: string): ApiError {
  const field = problem.field === '' ? where : problem.field;
  if (problem.kind === 'nul') return new ApiError('invalid_character', { field }, { field });
  return new ApiError(
    'invalid_encoding',
    { detail: `${field} holds a lone UTF-16 surrogate, which has no UTF-8 form; send valid Unicode text` },
    { field },
  );
}

/** Throws the 400 for the first unstorable string in `value`. */
export function assertStorableText(value: unknown, where: string): void {
  const problem = findTextProblem(value);
  if (problem !== undefined) throw textProblemError(problem, where);
}
