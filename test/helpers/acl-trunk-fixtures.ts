// Shared by the IP ACL, URI, trunk, application and in-use suites: a client that checks every
// response's envelope, and one-call fixtures for the objects trunks and applications reference.
import assert from 'node:assert/strict';
import { type Caller, client, type TestApp } from './app.ts';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const PASSWORD = 'Str0ngPassword1';

type Client = ReturnType<typeof client>;
export type Res = Awaited<ReturnType<Client['get']>>;

/** DESIGN.md: every body carries a fresh api_id; every error a stable code and a message. */
export function checkEnvelope(res: Res): Res {
  if (res.status === 204) {
    assert.equal(res.raw, '');
    return res;
  }
  assert.match(String(res.body?.api_id), UUID_RE, `api_id in ${res.raw}`);
  if (res.status >= 400) {
    assert.equal(typeof res.body.code, 'string', `code in ${res.raw}`);
    assert.equal(typeof res.body.error, 'string');
    assert.ok(res.body.error.length > 10, res.raw);
  }
  return res;
}

export interface Api {
  authId: string;
  base: string;
  get(path: string): Promise<Res>;
  post(path: string, body?: unknown): Promise<Res>;
  delete(path: string): Promise<Res>;
  /** POST that must answer 201; returns the body. */
  create(path: string, body: unknown): Promise<Res['body']>;
}

/** A checked client for one account; paths are relative to /v1/Account/{auth_id}. */
export function api(t: TestApp, who: Caller, authId = who.authId): Api {
  const c = client(t.app, who);
  const base = `/v1/Account/${authId}`;
  const self: Api = {
    authId,
    base,
    get: async (p) => checkEnvelope(await c.get(base + p)),
    post: async (p, b) => checkEnvelope(await c.post(base + p, b)),
    delete: async (p) => checkEnvelope(await c.delete(base + p)),
    create: async (p, b) => {
      const res = await self.post(p, b);
      assert.equal(res.status, 201, `${p}: ${res.raw}`);
      return res.body;
    },
  };
  return self;
}

export function rootApi(t: TestApp): Api {
  return api(t, { authId: t.root.authId, token: t.root.token });
}

export async function createSubaccount(root: Api, name: string): Promise<Caller> {
  const body = await root.create('/Subaccount/', { name, enabled: true });
  return { authId: body.auth_id, token: body.auth_token };
}

let counter = 0;

export async function makeAcl(a: Api, cidrs: string[] = ['203.0.113.0/24']): Promise<string> {
  return (await a.create('/Zentrunk/IPAccessControlList/', { name: `acl-${++counter}`, ip_addresses: cidrs }))
    .ipacl_uuid;
}

export async function makeCredential(a: Api): Promise<string> {
  return (await a.create('/Zentrunk/Credential/', { username: `user-${++counter}`, password: PASSWORD }))
    .credential_uuid;
}

export async function makeUri(a: Api, uri = 'sip:pbx.example.com:5060'): Promise<string> {
  return (await a.create('/Zentrunk/URI/', { name: `uri-${++counter}`, uri })).uri_uuid;
}
