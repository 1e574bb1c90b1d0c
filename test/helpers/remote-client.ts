// A JSON client over app.inject that chooses the peer address and extra headers of each request:
// what the API IP allowlist, X-Forwarded-For handling and per-address limits look at.
import type { FastifyInstance } from 'fastify';
import { basic } from './app.ts';

export type Credentials =
  | { authId: string; token: string }
  | { bearer: string }
  | { authorization: string }
  | null;

export interface RemoteResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  body: Record<string, any>;
  raw: string;
}

function authorization(who: Credentials): Record<string, string> {
  if (who === null) return {};
  if ('authorization' in who) return { authorization: who.authorization };
  if ('bearer' in who) return { authorization: `Bearer ${who.bearer}` };
  return { authorization: basic(who.authId, who.token) };
}

export function remoteClient(
  app: FastifyInstance,
  who: Credentials,
  remoteAddress: string,
  headers: Record<string, string> = {},
) {
  async function call(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<RemoteResponse> {
    const res = await app.inject({
      method,
      url,
      remoteAddress,
      headers: {
        ...authorization(who),
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>),
      raw: res.body,
    };
  }
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, body: unknown = {}) => call('POST', url, body),
    delete: (url: string) => call('DELETE', url),
  };
}
