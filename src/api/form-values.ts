// Strict conversion of the strings of a form-encoded body or a query string to the types their
// schema declares. A JSON body has real types, and a wrong one is a 400 naming the field, never
// coerced (ajv's coerceTypes would turn null into false, "0x10" into 16 and true into 1) — save the
// two boolean strings Plivo's SDKs send (see convertFormValues). Here a number must be written in decimal and a boolean as true or false;
// anything else stays a string and fails validation with the field named.
const DECIMAL = /^-?(0|[1-9][0-9]{0,15})(\.[0-9]{1,15})?$/;
const INTEGER = /^-?(0|[1-9][0-9]{0,15})$/;

interface SchemaNode {
  type?: string | string[];
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

function typesOf(schema: SchemaNode): Set<string> {
  const types = new Set<string>();
  if (typeof schema.type === 'string') types.add(schema.type);
  else if (Array.isArray(schema.type)) for (const t of schema.type) types.add(t);
  if (schema.anyOf) for (const branch of schema.anyOf) for (const t of typesOf(branch)) types.add(t);
  return types;
}

function convertScalar(value: string, schema: SchemaNode, booleansOnly: boolean): unknown {
  const types = typesOf(schema);
  if (types.size === 0 || types.has('string')) return value;
  if (!booleansOnly && types.has('integer') && INTEGER.test(value)) return Number(value);
  if (!booleansOnly && types.has('number') && DECIMAL.test(value)) return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function convertValue(value: unknown, schema: SchemaNode, booleansOnly: boolean): unknown {
  const types = typesOf(schema);
  if (booleansOnly) return typeof value === 'string' ? convertScalar(value, schema, true) : value;
  if (types.has('array')) {
    // A form field sent once is a string; sent several times, an array.
    const list = Array.isArray(value) ? value : [value];
    const items = schema.items ?? schema.anyOf?.find((b) => b.items !== undefined)?.items;
    return items === undefined
      ? list
      : list.map((v) => (typeof v === 'string' ? convertScalar(v, items, false) : v));
  }
  return typeof value === 'string' ? convertScalar(value, schema, false) : value;
}

/**
 * Converts, in place, the string values of `target` whose property schema is not a string.
 * `booleansOnly` is for JSON bodies: Plivo's SDKs send booleans as the strings "true" and "false"
 * (e.g. `{"enabled":"true"}` when creating a subaccount), so exactly those two are taken for a
 * boolean field; every other wrong type, null included, stays wrong and fails validation.
 */
export function convertFormValues(
  target: Record<string, unknown>,
  schema: unknown,
  { booleansOnly = false }: { booleansOnly?: boolean } = {},
): void {
  const properties = (schema as SchemaNode | undefined)?.properties;
  if (properties === undefined) return;
  for (const [name, propSchema] of Object.entries(properties)) {
    if (!Object.hasOwn(target, name)) continue;
    target[name] = convertValue(target[name], propSchema, booleansOnly);
  }
}
