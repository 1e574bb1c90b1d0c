// Nullable fields without ajv's coercion surprises. With coerceTypes on, `anyOf [string, null]`
// turns null into "" and `anyOf [number, null]` turns it into 0 (so `cidr_prefix: null` would
// silently mean "every address"). A multi-type `type` keyword leaves a value alone when it already
// has one of the types, so null stays null.
import { Type } from '@sinclair/typebox';

export function NullableString(opts: { description?: string; maxLength?: number } = {}) {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], ...opts });
}

export function NullableNumber(
  opts: { description?: string; exclusiveMinimum?: number; maximum?: number } = {},
) {
  return Type.Unsafe<number | null>({ type: ['number', 'null'], ...opts });
}

export function NullableStringList(opts: { description?: string; maxItems?: number } = {}) {
  return Type.Unsafe<string[] | null>({ type: ['array', 'null'], items: { type: 'string' }, ...opts });
}

/** The friendly name of an object whose name is optional: 1–120 characters, or null for none. */
export const OptionalName = NullableString({ description: 'Friendly name, 1–120 characters; null for none' });
