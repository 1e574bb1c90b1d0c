// Finishes the OpenAPI document @fastify/swagger generates from the route schemas: one operationId
// per operation, every error response a $ref to the one Error schema (whose `code` is the enum of
// the error registry, src/errors.ts), and the statuses every account path can answer — 401 (no or
// bad credentials), 403 (API IP allowlist, subaccount limits), 404 (not this caller's), 429 (rate
// limit, auth-failure block) — documented on each of them. docs/errors.md lists the same codes;
// test/unit/api/error-registry-docs.test.ts keeps the three in step.
import { ERROR_CODES } from '../errors.ts';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const ERROR_REF = { $ref: '#/components/schemas/Error' };
/** Answered by the auth, allowlist and rate-limit stages before any route runs. */
const ACCOUNT_PATH_STATUSES = ['401', '403', '404', '429'] as const;
const STATUS_TEXT: Readonly<Record<string, string>> = {
  '400': 'Bad request: a field is malformed or breaks a rule (`field` names it)',
  '401': 'No credentials, or wrong ones (Basic auth_id:auth_token, or a Bearer API key)',
  '403': 'Refused: the API IP allowlist, or a subaccount acting beyond its rights',
  '404': 'Not found, or not this caller’s (another account’s objects are never revealed)',
  '405': 'Method not allowed',
  '408': 'The request was not received completely in time',
  '409': 'Conflict: a duplicate, or the object is in use',
  '413': 'Body too large',
  '414': 'URI too long',
  '415': 'Unsupported body encoding or media type',
  '422': 'Required parameters missing',
  '431': 'Request headers too large',
  '429': 'Rate limited, or the address is blocked after failed authentications; see Retry-After',
  '500': 'Internal error; nothing leaks',
  '503': 'Unavailable',
};

export const ERROR_SCHEMA = {
  type: 'object',
  required: ['api_id', 'error', 'code'],
  additionalProperties: true,
  properties: {
    api_id: { type: 'string', format: 'uuid', description: 'A fresh id for this API call' },
    error: { type: 'string', description: 'A message a person can act on' },
    code: {
      type: 'string',
      enum: [...ERROR_CODES],
      description: 'Stable machine-readable code; docs/errors.md says what each means',
    },
    field: { type: 'string', description: 'The request field the error is about, when there is one' },
  },
  description:
    'Every error the API answers. Some codes add members: in_use has "trunks" and "applications", allowlist_lockout "client_address", provider_credential_in_use "usedBy".',
} as const;

function pascal(words: readonly string[]): string {
  return words
    .flatMap((w) => w.split(/[^A-Za-z0-9]+/))
    .filter((w) => w !== '')
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
}

/**
 * `GET /v1/Account/{auth_id}/Zentrunk/Trunk/` → listZentrunkTrunks,
 * `POST …/Zentrunk/Trunk/{trunk_id}/` → updateZentrunkTrunk, `GET /health` → getHealth.
 */
export function operationIdFor(method: string, path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  const account = segments[0] === 'v1' && segments[1] === 'Account';
  const bearerApi = segments[0] === 'api';
  const rest = account ? segments.slice(3) : bearerApi ? segments.slice(2) : segments;
  const names = rest.filter((s) => !s.startsWith('{'));
  const last = segments.at(-1) ?? '';
  const item = last.startsWith('{') || (account && rest.length === 0);
  const named = pascal(names.length === 0 ? ['Account'] : names);
  // Resources read as singular nouns (`sip-credentials` → SipCredential); lists as plural.
  const noun = (account || bearerApi) && named.endsWith('s') ? named.slice(0, -1) : named;
  const plural = `${noun}s`;
  switch (method) {
    case 'get':
      return item || !(account || bearerApi) ? `get${noun}` : `list${plural}`;
    case 'post':
      return item ? `update${noun}` : `create${noun}`;
    case 'patch':
      return `update${noun}`;
    case 'put':
      return `replace${noun}`;
    case 'delete':
      return `delete${noun}`;
    default:
      return `${method}${noun}`;
  }
}

function isAccountPath(path: string): boolean {
  return path.startsWith('/v1/Account/') || path.startsWith('/api/v1/');
}

/** Mutates and returns the document @fastify/swagger built (its `transformObject` hook). */
export function finishOpenApiDocument<T extends object>(doc: T): T {
  const d = doc as Json;
  const components = (d['components'] ?? {}) as Json;
  const schemas = (components['schemas'] ?? {}) as Json;
  // The route schemas register the error body as a shared schema; the document has it once, here.
  for (const [name, schema] of Object.entries(schemas)) {
    if ((schema as Json)['title'] === 'Error') delete schemas[name];
  }
  schemas['Error'] = ERROR_SCHEMA;
  components['schemas'] = schemas;
  d['components'] = components;

  const paths = (d['paths'] ?? {}) as Record<string, Json>;
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (op === undefined) continue;
      if (typeof op['operationId'] !== 'string') op['operationId'] = operationIdFor(method, path);
      const id = op['operationId'] as string;
      const other = seen.get(id);
      if (other !== undefined) throw new Error(`operationId ${id} is used by ${other} and ${method} ${path}`);
      seen.set(id, `${method} ${path}`);
      const responses = (op['responses'] ?? {}) as Record<string, Json>;
      if (isAccountPath(path)) for (const s of ACCOUNT_PATH_STATUSES) responses[s] ??= {};
      for (const status of Object.keys(responses)) {
        if (Number(status) < 400) continue;
        responses[status] = {
          description: STATUS_TEXT[status] ?? 'Error',
          content: { 'application/json': { schema: ERROR_REF } },
          ...(status === '429' || status === '503'
            ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } }
            : {}),
        };
      }
      op['responses'] = responses;
    }
  }
  return doc;
}
