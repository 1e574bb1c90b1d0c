/**
 * Result of parsing one protocol element. Protocol outcomes are values, not exceptions:
 * every parser in this directory returns a `Parsed<T>` instead of throwing.
 */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail<T = never>(reason: string): Parsed<T> {
  return { ok: false, reason };
}
