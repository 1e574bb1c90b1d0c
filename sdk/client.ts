// The typed trunkgate client: openapi-fetch over the types generated from the app's OpenAPI
// document (sdk/openapi.d.ts, `npm run sdk:generate`). Paths, parameters, bodies and responses are
// checked by the compiler against that document; the web console (console/) and the CLI use it.
import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi.d.ts';

export type { components, paths };

/** HTTP Basic with the account's auth_id and auth_token. */
export interface BasicCredentials {
  baseUrl: string;
  authId: string;
  authToken: string;
  fetch?: (input: Request) => Promise<Response>;
}

/**
 * An API key sent as a Bearer token. `authId` is the account the /v1/Account/{auth_id}/ paths name
 * (the key's account or one of its subaccounts); the key alone is enough for /api/v1/sip-credentials.
 */
export interface ApiKeyCredentials {
  baseUrl: string;
  apiKey: string;
  authId?: string;
  fetch?: (input: Request) => Promise<Response>;
}

export type ClientCredentials = BasicCredentials | ApiKeyCredentials;

/** Every error the API sends: `{api_id, error, code, field?}`, some codes with more members. */
export interface ApiErrorBody {
  api_id: string;
  error: string;
  code: string;
  field?: string;
  [extra: string]: unknown;
}

export type TrunkgateClient = Client<paths> & {
  /** The auth_id the client was made with (undefined for an API key made without one). */
  readonly authId: string | undefined;
};

/** RFC 7617 §2: user-id ":" password, UTF-8, base64. */
function basicHeader(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

export function authorizationHeader(creds: ClientCredentials): string {
  return 'apiKey' in creds ? `Bearer ${creds.apiKey}` : basicHeader(creds.authId, creds.authToken);
}

/** A client for `baseUrl` (e.g. `http://localhost:8080`) that authenticates every request. */
export function createTrunkgateClient(creds: ClientCredentials): TrunkgateClient {
  const client = createFetchClient<paths>({
    baseUrl: creds.baseUrl.replace(/\/+$/, ''),
    headers: { Authorization: authorizationHeader(creds) },
    // Credentials travel in the Authorization header only. Not "include": a browser then neither
    // sends cookies nor opens its own sign-in prompt on a 401 Basic challenge (Fetch standard,
    // HTTP-network-or-cache fetch), so the caller sees the API's error body instead.
    credentials: 'omit',
    ...(creds.fetch ? { fetch: creds.fetch } : {}),
  });
  return Object.assign(client, { authId: creds.authId });
}

/** Whether a response body is the API's error shape. */
export function isApiErrorBody(body: unknown): body is ApiErrorBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { code?: unknown }).code === 'string' &&
    typeof (body as { error?: unknown }).error === 'string'
  );
}
