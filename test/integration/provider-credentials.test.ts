// /api/v1/sip-credentials (seed 002) over the real HTTP stack and database, with Bearer API keys
// made through the real /v1/Account/{auth_id}/ApiKey/ endpoint. The app logs at trace level into
// a buffer, and at the end every captured log line and every response body is searched for the
// passwords and ciphertexts used.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/api/app.ts';
import { ensureRootAccount } from '../../src/bootstrap-root.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openStore } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { basic, ROOT_AUTH_ID, ROOT_AUTH_TOKEN } from '../helpers/app.ts';
import { createTestDatabase, DIALECTS } from '../helpers/database.ts';

const K1 = randomBytes(32).toString('base64');
const BASE = '/api/v1/sip-credentials';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const RESPONSE_KEYS = [
  'authUser',
  'cpsKey',
  'cpsLimit',
  'createdTime',
  'description',
  'domain',
  'hasAuthPassword',
  'id',
  'lastUpdateTime',
  'orgId',
  'providerId',
  'register',
  'registerExpires',
  'registration',
  'server',
  'source',
  'transport',
].sort();

/** Every password this file sends; none may appear in a response or a log line. */
const PASSWORDS = new Set<string>();
function password(label: string): string {
  const p = `Pw-${label}-${randomBytes(9).toString('base64url')}`;
  PASSWORDS.add(p);
  return p;
}
const RESPONSES: string[] = [];
const LOG_LINES: string[] = [];
const CIPHERTEXTS = new Set<string>();

interface Harness {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

/** Like test/helpers/app.ts's buildTestApp, but the app logs (at trace level) into LOG_LINES. */
async function buildLoggedApp(
  dialect: (typeof DIALECTS)[number],
  env: Record<string, string>,
): Promise<Harness> {
  const db = await createTestDatabase(dialect);
  const config = loadConfig({
    TRUNKGATE_DB: db.sqlitePath,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    TRUNKGATE_ROOT_AUTH_ID: ROOT_AUTH_ID,
    TRUNKGATE_ROOT_AUTH_TOKEN: ROOT_AUTH_TOKEN,
    TRUNKGATE_API_RATE_BURST: '100000',
    TRUNKGATE_API_RATE_LIMIT: '100000',
    ...env,
  });
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
  await migrateToLatest(store);
  const services = createServices(config, store);
  await ensureRootAccount(config, services.accounts, createLogger('silent'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      LOG_LINES.push(chunk.toString());
      done();
    },
  });
  // No redaction configured here on purpose: the password must never reach the logger at all.
  const app = await buildApp({ services, logger: pino({ level: 'trace' }, sink) });
  await app.ready();
  return {
    app,
    services,
    close: async () => {
      await app.close();
      await store.close();
      await db.drop();
    },
  };
}

interface Res {
  status: number;
  headers: Record<string, unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: test JSON
  body: any;
  raw: string;
}

async function inject(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  authorization: string | undefined,
  body?: unknown,
): Promise<Res> {
  const res = await app.inject({
    method,
    url,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  RESPONSES.push(res.body);
  return {
    status: res.statusCode,
    headers: res.headers,
    body: res.body === '' ? undefined : JSON.parse(res.body),
    raw: res.body,
  };
}

/** Creates an API key for `authId` through the real endpoint, authenticating as `basicAs`. */
async function createApiKey(
  app: FastifyInstance,
  authId: string,
  basicAs: { authId: string; token: string },
): Promise<string> {
  const r = await inject(app, 'POST', `/v1/Account/${authId}/ApiKey/`, basic(basicAs.authId, basicAs.token), {
    name: 'provider-credential tests',
  });
  assert.equal(r.status, 201, r.raw);
  return r.body.token as string;
}

function bearerClient(app: FastifyInstance, token: string) {
  const auth = `Bearer ${token}`;
  return {
    get: (url: string) => inject(app, 'GET', url, auth),
    post: (url: string, body: unknown) => inject(app, 'POST', url, auth, body),
    put: (url: string, body: unknown) => inject(app, 'PUT', url, auth, body),
    patch: (url: string, body: unknown) => inject(app, 'PATCH', url, auth, body),
    delete: (url: string) => inject(app, 'DELETE', url, auth),
  };
}

function assertError(r: Res, status: number, code: string, field?: string): void {
  assert.equal(r.status, status, r.raw);
  assert.equal(r.body.code, code, r.raw);
  assert.match(r.body.api_id, UUID_RE);
  assert.equal(typeof r.body.error, 'string');
  if (field !== undefined) assert.equal(r.body.field, field, r.raw);
}

async function storedRow(services: Services, id: string) {
  return services.store.db
    .selectFrom('provider_credentials')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

for (const dialect of DIALECTS) {
  describe(`outbound SIP provider credentials (${dialect})`, () => {
    let h: Harness;
    let api: ReturnType<typeof bearerClient>;
    const root = { authId: ROOT_AUTH_ID, token: ROOT_AUTH_TOKEN };

    before(async () => {
      h = await buildLoggedApp(dialect, { TRUNKGATE_SECRET_KEYS: `k1:${K1}` });
      api = bearerClient(h.app, await createApiKey(h.app, ROOT_AUTH_ID, root));
    });
    after(async () => {
      for (const row of await h.services.store.db
        .selectFrom('provider_credentials')
        .select('auth_password_ciphertext')
        .execute())
        if (row.auth_password_ciphertext !== null) CIPHERTEXTS.add(row.auth_password_ciphertext);
      await h.close();
    });

    test('authentication: an API key (Bearer) of the account is required; Basic is not accepted here', async () => {
      assertError(await inject(h.app, 'GET', BASE, undefined), 401, 'unauthenticated');
      assertError(await inject(h.app, 'GET', BASE, basic(root.authId, root.token)), 401, 'unauthenticated');
      assertError(await inject(h.app, 'GET', BASE, 'Bearer not-a-real-key'), 401, 'unauthenticated');
      const ok = await api.get(BASE);
      assert.equal(ok.status, 200, ok.raw);
    });

    test('the OpenAPI document describes the routes with Bearer auth and no readable password', async () => {
      const doc = (await inject(h.app, 'GET', '/openapi.json', undefined)).body;
      const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
      assert.deepEqual(Object.keys(paths[BASE] ?? {}).sort(), ['get', 'post']);
      assert.deepEqual(Object.keys(paths[`${BASE}/{id}`] ?? {}).sort(), ['delete', 'get', 'patch', 'put']);
      const post = paths[BASE]!['post']!;
      assert.deepEqual(post['security'], [{ bearerAuth: [] }]);
      const responseSchema = JSON.stringify((post['responses'] as Record<string, unknown>)['201']);
      assert.ok(responseSchema.includes('hasAuthPassword') && !responseSchema.includes('"authPassword"'));
      const requestSchema = JSON.stringify(post['requestBody']);
      assert.match(requestSchema, /"authPassword":\{"type":\["string","null"\],"maxLength":64/);
    });

    test('create with only server: the seed defaults (udp, nulls, source manual) and the response shape', async () => {
      const r = await api.post(BASE, { server: 'sip.example.com' });
      assert.equal(r.status, 201, r.raw);
      assert.deepEqual(Object.keys(r.body).sort(), RESPONSE_KEYS);
      assert.match(r.body.id, UUID_RE);
      assert.equal(r.headers['location'], `${BASE}/${r.body.id}`);
      assert.equal(r.body.orgId, ROOT_AUTH_ID);
      assert.equal(r.body.server, 'sip.example.com');
      assert.equal(r.body.transport, 'udp');
      assert.equal(r.body.source, 'manual');
      assert.equal(r.body.providerId, null);
      assert.equal(r.body.hasAuthPassword, false);
      for (const k of ['domain', 'authUser', 'description', 'cpsLimit', 'cpsKey'])
        assert.equal(r.body[k], null, k);
      assert.match(r.body.createdTime, RFC3339_RE);
      assert.equal(r.body.createdTime, r.body.lastUpdateTime);
      const got = await api.get(`${BASE}/${r.body.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, r.body);
      assert.equal((await api.delete(`${BASE}/${r.body.id}`)).status, 204);
    });

    test('the seed example body (explicit nulls) and a full credential; the password is write-only and encrypted', async () => {
      const seed = await api.post(BASE, {
        server: '203.0.113.7:5060',
        domain: null,
        authUser: null,
        authPassword: null,
        transport: 'udp',
        description: null,
        cpsLimit: null,
        cpsKey: null,
      });
      assert.equal(seed.status, 201, seed.raw);
      assert.equal(seed.body.hasAuthPassword, false);

      const pw = password('full');
      const full = await api.post(BASE, {
        server: '[2001:db8::10]:5061',
        domain: 'carrier.example',
        authUser: 'acct-1001',
        authPassword: pw,
        transport: 'tls',
        description: 'Primary carrier trunk',
        cpsLimit: 12.5,
        cpsKey: 'carrier-x',
      });
      assert.equal(full.status, 201, full.raw);
      assert.deepEqual(
        { ...full.body, id: undefined, createdTime: undefined, lastUpdateTime: undefined },
        {
          id: undefined,
          orgId: ROOT_AUTH_ID,
          server: '[2001:db8::10]:5061',
          domain: 'carrier.example',
          authUser: 'acct-1001',
          hasAuthPassword: true,
          transport: 'tls',
          description: 'Primary carrier trunk',
          cpsLimit: 12.5,
          cpsKey: 'carrier-x',
          source: 'manual',
          providerId: null,
          createdTime: undefined,
          lastUpdateTime: undefined,
          register: false,
          registerExpires: 3600,
          registration: { state: 'disabled', expiresAt: null, lastError: null, lastAttemptTime: null },
        },
      );
      assert.ok(!('authPassword' in full.body));
      const got = await api.get(`${BASE}/${full.body.id}`);
      assert.ok(!('authPassword' in got.body));
      assert.equal(got.body.hasAuthPassword, true);

      // At rest: sealed under k1, bound to the row, never the plaintext.
      const row = await storedRow(h.services, full.body.id);
      assert.equal(row?.auth_password_key_id, 'k1');
      assert.match(row?.auth_password_ciphertext ?? '', /^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      assert.ok(!JSON.stringify(row).includes(pw));
      // For use (the SIP side): the service decrypts it.
      const use = await h.services.providerCredentials.findForUse(ROOT_AUTH_ID, full.body.id);
      assert.equal(use.kind, 'ok');
      if (use.kind === 'ok') assert.equal(use.authPassword, pw);
      const noPw = await h.services.providerCredentials.findForUse(ROOT_AUTH_ID, seed.body.id);
      assert.equal(noPw.kind === 'ok' && noPw.authPassword, null);
    });

    test('field limits: exactly at the limit is accepted, one over is a 400 naming the field', async () => {
      const longPassword = password('limit').padEnd(64, 'x').slice(0, 64);
      PASSWORDS.add(longPassword);
      const longServer = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}:5060`;
      assert.equal(longServer.length, 255);
      const atLimit = await api.post(BASE, {
        server: longServer,
        domain: 'd'.repeat(255),
        authUser: 'u'.repeat(255),
        authPassword: longPassword,
        description: 'é'.repeat(255),
        cpsKey: 'k'.repeat(255),
      });
      assert.equal(atLimit.status, 201, atLimit.raw);
      assert.equal(atLimit.body.server, longServer);
      assert.equal(atLimit.body.description, 'é'.repeat(255));

      const over: Array<[string, unknown]> = [
        ['server', 's'.repeat(256)],
        ['domain', 'd'.repeat(256)],
        ['authUser', 'u'.repeat(256)],
        ['authPassword', 'P'.repeat(65)],
        ['description', 'x'.repeat(256)],
        ['cpsKey', 'k'.repeat(256)],
      ];
      for (const [field, value] of over) {
        const r = await api.post(BASE, { server: 'sip.example.com', [field]: value });
        assertError(r, 400, 'validation_failed', field);
        assert.ok(!r.raw.includes('PPPPPPPP'), 'the rejected password is not echoed');
      }
    });

    test('server must be an RFC 3261 hostport; IPv6 in brackets', async () => {
      for (const server of [
        'sip.example.com',
        'sip.example.com:5080',
        '198.51.100.4',
        '[::1]:5060',
        'SIP.EXAMPLE.ORG.',
      ]) {
        const r = await api.post(BASE, { server });
        assert.equal(r.status, 201, `${server}: ${r.raw}`);
        assert.equal(r.body.server, server);
      }
      const bad: Array<[string, RegExp]> = [
        ['2001:db8::1', /brackets, e\.g\. \[2001:db8::1\]/],
        ['sip:sip.example.com', /"sip:" scheme/],
        ['sip.example.com:0', /port/],
        ['sip.example.com:70000', /port/],
        ['999.0.0.1', /IPv4/],
        ['sip.example.com;transport=tcp', /transport is its own field/],
        ['bad_host.example.com', /label/],
        ['sip.example.com\r\nVia: x', /control characters/],
      ];
      for (const [server, re] of bad) {
        const r = await api.post(BASE, { server });
        assertError(r, 400, 'invalid_provider_credential', 'server');
        assert.match(r.body.error, re, server);
      }
      assertError(await api.post(BASE, {}), 400, 'validation_failed', 'server');
      assertError(await api.post(BASE, { server: '' }), 400, 'validation_failed', 'server');
      assertError(await api.post(BASE, { server: null }), 400, 'validation_failed', 'server');
    });

    test('other field rules: transport enum, cpsLimit positive (fractions exact), empty strings, unknown fields', async () => {
      for (const transport of ['udp', 'tcp', 'tls']) {
        const r = await api.post(BASE, { server: 'sip.example.com', transport });
        assert.equal(r.body.transport, transport);
      }
      for (const transport of ['UDP', 'ws', '', null]) {
        const r = await api.post(BASE, { server: 'sip.example.com', transport });
        assertError(r, 400, 'validation_failed', 'transport');
        assert.match(r.body.error, /transport must be one of udp, tcp, tls/);
      }
      // Fractional limits round-trip exactly through both databases (double precision, not float4).
      for (const cpsLimit of [0.5, 0.1, 1 / 3, 12.345678901234567, 1e-9, 2147483647.5]) {
        const r = await api.post(BASE, { server: 'sip.example.com', cpsLimit });
        assert.equal(r.status, 201, r.raw);
        const got = await api.get(`${BASE}/${r.body.id}`);
        assert.equal(got.body.cpsLimit, cpsLimit);
      }
      for (const cpsLimit of [0, -1, -0.5, 'abc']) {
        assertError(
          await api.post(BASE, { server: 'sip.example.com', cpsLimit }),
          400,
          'validation_failed',
          'cpsLimit',
        );
      }
      for (const field of ['domain', 'authUser', 'cpsKey', 'authPassword']) {
        const r = await api.post(BASE, { server: 'sip.example.com', [field]: '' });
        assertError(r, 400, 'invalid_provider_credential', field);
        assert.match(r.body.error, /send null/);
      }
      assertError(
        await api.post(BASE, { server: 'sip.example.com', authUser: 'a\r\nb' }),
        400,
        'invalid_provider_credential',
        'authUser',
      );
      const emptyDescription = await api.post(BASE, { server: 'sip.example.com', description: '' });
      assert.equal(emptyDescription.body.description, '');

      for (const extra of [
        'hasAuthPassword',
        'id',
        'orgId',
        'source',
        'providerId',
        'createdTime',
        'password',
        'cps_limit',
      ]) {
        const r = await api.post(BASE, { server: 'sip.example.com', [extra]: 'x' });
        assertError(r, 400, 'unknown_field', extra);
      }
      assertError(await api.post(BASE, '[1,2]'), 400, 'validation_failed');
      assertError(await api.post(BASE, '{"server": '), 400, 'invalid_json');
    });

    test('list: {items, total, skip, take}, newest first; take 1–1000 (default 20), skip ≥ 0', async () => {
      const { app, services } = h;
      // A separate account, so the counts are exact.
      const sub = await inject(
        app,
        'POST',
        `/v1/Account/${ROOT_AUTH_ID}/Subaccount/`,
        basic(root.authId, root.token),
        {
          name: 'list-tests',
          enabled: true,
        },
      );
      assert.equal(sub.status, 201, sub.raw);
      const subApi = bearerClient(app, await createApiKey(app, sub.body.auth_id, root));
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const r = await subApi.post(BASE, { server: `s${i}.example.com` });
        ids.push(r.body.id);
      }
      const first = await subApi.get(BASE);
      assert.equal(first.status, 200);
      assert.deepEqual(Object.keys(first.body).sort(), ['items', 'skip', 'take', 'total']);
      assert.equal(first.body.total, 25);
      assert.equal(first.body.skip, 0);
      assert.equal(first.body.take, 20);
      assert.equal(first.body.items.length, 20);
      for (const item of first.body.items) {
        assert.deepEqual(Object.keys(item).sort(), RESPONSE_KEYS);
        assert.equal(item.orgId, sub.body.auth_id);
      }
      const second = await subApi.get(`${BASE}?skip=20&take=20`);
      assert.equal(second.body.items.length, 5);
      const seen = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
      assert.deepEqual([...seen].sort(), [...ids].sort(), 'pages cover every credential exactly once');
      // Newest first.
      const times = [...first.body.items, ...second.body.items].map(
        (i: { createdTime: string }) => i.createdTime,
      );
      assert.deepEqual(times, [...times].sort().reverse());
      assert.equal((await subApi.get(`${BASE}?take=1000`)).body.items.length, 25);
      assert.equal((await subApi.get(`${BASE}?take=1`)).body.items.length, 1);
      const beyond = await subApi.get(`${BASE}?skip=100`);
      assert.deepEqual([beyond.body.items, beyond.body.total], [[], 25]);
      for (const q of ['take=0', 'take=1001', 'take=-1', 'take=abc', 'skip=-1', 'skip=1.5']) {
        assertError(await subApi.get(`${BASE}?${q}`), 400, 'invalid_pagination', q.split('=')[0]);
      }
      // The root account's list never shows the subaccount's credentials, nor the other way round.
      const rootList = await api.get(`${BASE}?take=1000`);
      assert.ok(rootList.body.items.every((i: { orgId: string }) => i.orgId === ROOT_AUTH_ID));
      assert.ok(!rootList.body.items.some((i: { id: string }) => ids.includes(i.id)));
      await services.accounts.deleteSubaccount(sub.body.auth_id);
    });

    test('PUT replaces everything: omitted optional fields become null (the password too), transport udp', async () => {
      const pw = password('put');
      const c = await api.post(BASE, {
        server: 'old.example.com',
        domain: 'old.example',
        authUser: 'old-user',
        authPassword: pw,
        transport: 'tcp',
        description: 'old',
        cpsLimit: 3,
        cpsKey: 'old-key',
      });
      const url = `${BASE}/${c.body.id}`;
      await new Promise((r) => setTimeout(r, 5));
      const put = await api.put(url, { server: 'new.example.com:5062', authUser: 'new-user' });
      assert.equal(put.status, 200, put.raw);
      assert.deepEqual(
        {
          server: put.body.server,
          domain: put.body.domain,
          authUser: put.body.authUser,
          hasAuthPassword: put.body.hasAuthPassword,
          transport: put.body.transport,
          description: put.body.description,
          cpsLimit: put.body.cpsLimit,
          cpsKey: put.body.cpsKey,
        },
        {
          server: 'new.example.com:5062',
          domain: null,
          authUser: 'new-user',
          hasAuthPassword: false,
          transport: 'udp',
          description: null,
          cpsLimit: null,
          cpsKey: null,
        },
      );
      assert.equal(put.body.id, c.body.id);
      assert.equal(put.body.createdTime, c.body.createdTime);
      assert.ok(put.body.lastUpdateTime > c.body.lastUpdateTime, 'lastUpdateTime moves');
      const row = await storedRow(h.services, c.body.id);
      assert.equal(row?.auth_password_ciphertext, null);
      assert.equal(row?.auth_password_key_id, null);

      const pw2 = password('put2');
      const put2 = await api.put(url, { server: 'new.example.com', authPassword: pw2 });
      assert.equal(put2.body.hasAuthPassword, true);
      const use = await h.services.providerCredentials.findForUse(ROOT_AUTH_ID, c.body.id);
      assert.equal(use.kind === 'ok' && use.authPassword, pw2);

      assertError(await api.put(url, { authUser: 'x' }), 400, 'validation_failed', 'server');
      assertError(await api.put(url, { server: 'sip:x' }), 400, 'invalid_provider_credential', 'server');
      assertError(await api.put(url, { server: 'x.example.com', nope: 1 }), 400, 'unknown_field', 'nope');
      assertError(
        await api.put(`${BASE}/00000000-0000-4000-8000-000000000000`, { server: 'x.example.com' }),
        404,
        'not_found',
      );
      // A refused PUT changed nothing.
      assert.equal((await api.get(url)).body.server, 'new.example.com');
    });

    test('PATCH changes only what it is sent; null clears a nullable field; the password is kept unless sent', async () => {
      const pw = password('patch');
      const c = await api.post(BASE, {
        server: 'patch.example.com',
        domain: 'patch.example',
        authUser: 'patch-user',
        authPassword: pw,
        transport: 'tcp',
        description: 'before',
        cpsLimit: 5,
        cpsKey: 'patch-key',
      });
      const url = `${BASE}/${c.body.id}`;
      const p1 = await api.patch(url, { cpsLimit: 0.25, description: null });
      assert.equal(p1.status, 200, p1.raw);
      assert.deepEqual(
        { ...p1.body, lastUpdateTime: undefined },
        { ...c.body, cpsLimit: 0.25, description: null, lastUpdateTime: undefined },
      );
      const kept = await h.services.providerCredentials.findForUse(ROOT_AUTH_ID, c.body.id);
      assert.equal(
        kept.kind === 'ok' && kept.authPassword,
        pw,
        'the password survives a PATCH that does not send it',
      );

      const pw2 = password('patch2');
      const p2 = await api.patch(url, { authPassword: pw2 });
      assert.equal(p2.body.hasAuthPassword, true);
      const changed = await h.services.providerCredentials.findForUse(ROOT_AUTH_ID, c.body.id);
      assert.equal(changed.kind === 'ok' && changed.authPassword, pw2);

      const p3 = await api.patch(url, { authPassword: null, domain: null, cpsKey: null, transport: 'tls' });
      assert.deepEqual(
        [
          p3.body.hasAuthPassword,
          p3.body.domain,
          p3.body.cpsKey,
          p3.body.transport,
          p3.body.authUser,
          p3.body.server,
        ],
        [false, null, null, 'tls', 'patch-user', 'patch.example.com'],
      );
      assert.equal((await storedRow(h.services, c.body.id))?.auth_password_ciphertext, null);

      assertError(await api.patch(url, {}), 400, 'validation_failed');
      assertError(await api.patch(url, { server: null }), 400, 'validation_failed', 'server');
      assertError(await api.patch(url, { transport: null }), 400, 'validation_failed', 'transport');
      assertError(await api.patch(url, { cpsLimit: 0 }), 400, 'validation_failed', 'cpsLimit');
      assertError(
        await api.patch(url, { server: '2001:db8::1' }),
        400,
        'invalid_provider_credential',
        'server',
      );
      assertError(await api.patch(url, { hasAuthPassword: true }), 400, 'unknown_field', 'hasAuthPassword');
      assertError(await api.patch(`${BASE}/not-a-uuid`, { description: 'x' }), 404, 'not_found');
    });

    test('another account’s credentials are 404 for every verb', async () => {
      const sub = await inject(
        h.app,
        'POST',
        `/v1/Account/${ROOT_AUTH_ID}/Subaccount/`,
        basic(root.authId, root.token),
        {
          name: 'isolation',
          enabled: true,
        },
      );
      const subApi = bearerClient(h.app, await createApiKey(h.app, sub.body.auth_id, root));
      const mine = await api.post(BASE, { server: 'mine.example.com', authPassword: password('mine') });
      const theirs = await subApi.post(BASE, { server: 'theirs.example.com' });
      assert.equal(theirs.body.orgId, sub.body.auth_id);
      for (const [client, other] of [
        [api, theirs.body.id],
        [subApi, mine.body.id],
      ] as const) {
        const url = `${BASE}/${other}`;
        assertError(await client.get(url), 404, 'not_found');
        assertError(await client.put(url, { server: 'x.example.com' }), 404, 'not_found');
        assertError(await client.patch(url, { description: 'x' }), 404, 'not_found');
        assertError(await client.delete(url), 404, 'not_found');
      }
      assert.equal((await api.get(`${BASE}/${mine.body.id}`)).body.server, 'mine.example.com');
      assert.equal((await subApi.get(`${BASE}/${theirs.body.id}`)).body.server, 'theirs.example.com');
      await h.services.accounts.deleteSubaccount(sub.body.auth_id);
    });

    test('DELETE: 204, then 404; ?force must be a boolean; a referenced credential is 409 unless ?force=true', async () => {
      const a = await api.post(BASE, { server: 'del.example.com' });
      assertError(await api.delete(`${BASE}/${a.body.id}?force=maybe`), 400, 'validation_failed', 'force');
      assert.equal((await api.delete(`${BASE}/${a.body.id}`)).status, 204);
      assertError(await api.delete(`${BASE}/${a.body.id}`), 404, 'not_found');
      assertError(await api.get(`${BASE}/${a.body.id}`), 404, 'not_found');
      const b = await api.post(BASE, { server: 'del2.example.com' });
      assert.equal((await api.delete(`${BASE}/${b.body.id}?force=true`)).status, 204);

      // Nothing in trunkgate refers to provider credentials yet; no reference exists today.
      const c = await api.post(BASE, { server: 'used.example.com' });
      assert.deepEqual(await h.services.providerCredentials.references(ROOT_AUTH_ID, c.body.id), []);
      // A feature that refers to them registers a reference source; this one stands in for it and
      // reports a user for credential c only, through a real query in the delete transaction.
      h.services.providerCredentials.registerReferenceSource({
        resource: 'outbound_route',
        find: async (trx, orgId, credentialId) => {
          const row = await trx
            .selectFrom('provider_credentials')
            .select('id')
            .where('org_id', '=', orgId)
            .where('id', '=', credentialId)
            .where('server', '=', 'used.example.com')
            .executeTakeFirst();
          return row === undefined ? [] : ['route-1'];
        },
      });
      const refused = await api.delete(`${BASE}/${c.body.id}`);
      assertError(refused, 409, 'provider_credential_in_use');
      assert.match(refused.body.error, /used by outbound_route route-1.*\?force=true/);
      assert.deepEqual(refused.body.usedBy, [{ resource: 'outbound_route', id: 'route-1' }]);
      assert.equal((await api.get(`${BASE}/${c.body.id}`)).status, 200, 'a refused delete deletes nothing');
      assertError(await api.delete(`${BASE}/${c.body.id}?force=false`), 409, 'provider_credential_in_use');
      assert.equal((await api.delete(`${BASE}/${c.body.id}?force=true`)).status, 204);
      assertError(await api.get(`${BASE}/${c.body.id}`), 404, 'not_found');
      // Unreferenced credentials are still deleted without force.
      const d = await api.post(BASE, { server: 'free.example.com' });
      assert.equal((await api.delete(`${BASE}/${d.body.id}`)).status, 204);
    });

    test('deleting a subaccount deletes its provider credentials', async () => {
      const sub = await inject(
        h.app,
        'POST',
        `/v1/Account/${ROOT_AUTH_ID}/Subaccount/`,
        basic(root.authId, root.token),
        {
          name: 'cascade',
          enabled: true,
        },
      );
      const subId = sub.body.auth_id as string;
      const subApi = bearerClient(h.app, await createApiKey(h.app, subId, root));
      for (let i = 0; i < 3; i++) {
        const r = await subApi.post(BASE, {
          server: `c${i}.example.com`,
          authPassword: password(`cascade${i}`),
        });
        assert.equal(r.status, 201);
      }
      const count = async (org: string) =>
        Number(
          (
            await h.services.store.db
              .selectFrom('provider_credentials')
              .select((eb) => eb.fn.countAll<string | number>().as('n'))
              .where('org_id', '=', org)
              .executeTakeFirstOrThrow()
          ).n,
        );
      assert.equal(await count(subId), 3);
      const rootBefore = await count(ROOT_AUTH_ID);
      const del = await inject(
        h.app,
        'DELETE',
        `/v1/Account/${ROOT_AUTH_ID}/Subaccount/${subId}/`,
        basic(root.authId, root.token),
      );
      assert.equal(del.status, 204, del.raw);
      assert.equal(await count(subId), 0);
      assert.equal(await count(ROOT_AUTH_ID), rootBefore, 'the parent’s credentials are untouched');
    });

    test('at rest, a ciphertext copied to another row, or a changed key id, fails closed', async () => {
      const pwA = password('tamperA');
      const pwB = password('tamperB');
      const a = await api.post(BASE, { server: 'a.example.com', authPassword: pwA });
      const b = await api.post(BASE, { server: 'b.example.com', authPassword: pwB });
      const rowA = (await storedRow(h.services, a.body.id))!;
      const repo = h.services.providerCredentials;
      await h.services.store.db
        .updateTable('provider_credentials')
        .set({
          auth_password_ciphertext: rowA.auth_password_ciphertext,
          auth_password_key_id: rowA.auth_password_key_id,
        })
        .where('id', '=', b.body.id)
        .execute();
      const copied = await repo.findForUse(ROOT_AUTH_ID, b.body.id);
      assert.deepEqual(copied, { kind: 'undecryptable', reason: 'authentication_failed', keyId: 'k1' });
      assert.ok(!JSON.stringify(copied).includes(pwA));
      const original = await repo.findForUse(ROOT_AUTH_ID, a.body.id);
      assert.equal(original.kind === 'ok' && original.authPassword, pwA);

      // The key id column disagreeing with the sealed value's key id is tampering too.
      await h.services.store.db
        .updateTable('provider_credentials')
        .set({ auth_password_key_id: 'k9' })
        .where('id', '=', a.body.id)
        .execute();
      assert.deepEqual(await repo.findForUse(ROOT_AUTH_ID, a.body.id), {
        kind: 'undecryptable',
        reason: 'malformed',
        keyId: 'k9',
      });
      // The API still serves both (it never decrypts) and reports a stored password.
      assert.equal((await api.get(`${BASE}/${a.body.id}`)).body.hasAuthPassword, true);
      for (const id of [a.body.id, b.body.id]) assert.equal((await api.delete(`${BASE}/${id}`)).status, 204);
    });

    test('cpsKey: credentials of one account sharing a key share the smallest cpsLimit', async () => {
      const repo = h.services.providerCredentials;
      const mk = async (cpsLimit: number | null, cpsKey: string | null) =>
        (await api.post(BASE, { server: 'cps.example.com', cpsLimit, cpsKey })).body.id as string;
      const x1 = await mk(10, 'group-x');
      const x2 = await mk(2.5, 'group-x');
      const x3 = await mk(null, 'group-x');
      const solo = await mk(1, null);
      const y = await mk(7, 'group-y');
      for (const id of [x1, x2, x3]) assert.equal(await repo.effectiveCpsLimit(ROOT_AUTH_ID, id), 2.5);
      assert.equal(await repo.effectiveCpsLimit(ROOT_AUTH_ID, solo), 1);
      assert.equal(await repo.effectiveCpsLimit(ROOT_AUTH_ID, y), 7);
      assert.equal(
        await repo.effectiveCpsLimit(ROOT_AUTH_ID, '00000000-0000-4000-8000-000000000000'),
        undefined,
      );
      // Another account using the same key name is a different group.
      const sub = await inject(
        h.app,
        'POST',
        `/v1/Account/${ROOT_AUTH_ID}/Subaccount/`,
        basic(root.authId, root.token),
        {
          name: 'cps-other',
          enabled: true,
        },
      );
      const subApi = bearerClient(h.app, await createApiKey(h.app, sub.body.auth_id, root));
      const other = await subApi.post(BASE, { server: 'cps.example.com', cpsLimit: 0.1, cpsKey: 'group-x' });
      assert.equal(await repo.effectiveCpsLimit(sub.body.auth_id, other.body.id), 0.1);
      assert.equal(await repo.effectiveCpsLimit(ROOT_AUTH_ID, x1), 2.5);
      // Raising the strictest member's limit raises the group's.
      await api.patch(`${BASE}/${x2}`, { cpsLimit: 20 });
      assert.equal(await repo.effectiveCpsLimit(ROOT_AUTH_ID, x3), 10);
      await h.services.accounts.deleteSubaccount(sub.body.auth_id);
    });

    test('register and registerExpires (extensions): defaults, strict types and ranges on POST, PUT and PATCH', async () => {
      const plain = await api.post(BASE, { server: 'reg.example.com' });
      assert.equal(plain.status, 201, plain.raw);
      assert.equal(plain.body.register, false);
      assert.equal(plain.body.registerExpires, 3600);
      assert.deepEqual(plain.body.registration, {
        state: 'disabled',
        expiresAt: null,
        lastError: null,
        lastAttemptTime: null,
      });
      const asked = await api.post(BASE, { server: 'reg.example.com', register: true, registerExpires: 120 });
      assert.equal(asked.status, 201, asked.raw);
      assert.equal(asked.body.register, true);
      assert.equal(asked.body.registerExpires, 120);
      assert.deepEqual(asked.body.registration, {
        state: 'failed',
        expiresAt: null,
        lastError: 'no registration attempt has been made yet',
        lastAttemptTime: null,
      });
      assert.deepEqual((await api.get(`${BASE}/${asked.body.id}`)).body, asked.body);
      for (const registerExpires of [60, 86400]) {
        const r = await api.post(BASE, { server: 'reg.example.com', registerExpires });
        assert.equal(r.status, 201, r.raw);
        assert.equal(r.body.registerExpires, registerExpires);
      }
      const id = asked.body.id as string;
      const sends = [
        (b: Record<string, unknown>) => api.post(BASE, { server: 'reg.example.com', ...b }),
        (b: Record<string, unknown>) => api.put(`${BASE}/${id}`, { server: 'reg.example.com', ...b }),
        (b: Record<string, unknown>) => api.patch(`${BASE}/${id}`, b),
      ];
      for (const send of sends) {
        // Wrong JSON types are refused, not coerced (ajv would turn "true" or 1 into true).
        for (const register of ['true', 1, 0, null, 'yes', [true]]) {
          const r = await send({ register });
          assertError(r, 400, 'invalid_provider_credential', 'register');
          assert.match(r.body.error, /register must be true or false/);
        }
        for (const registerExpires of ['3600', null, true, [60]]) {
          const r = await send({ registerExpires });
          assertError(r, 400, 'invalid_provider_credential', 'registerExpires');
          assert.match(r.body.error, /registerExpires must be a JSON number of seconds from 60 to 86400/);
        }
        for (const registerExpires of [59, 86401, 60.5, -1, 0]) {
          const r = await send({ registerExpires });
          assertError(r, 400, 'invalid_provider_credential', 'registerExpires');
          assert.match(r.body.error, /whole number of seconds from 60 to 86400/);
        }
      }
      // Nothing above changed the credential.
      assert.deepEqual((await api.get(`${BASE}/${id}`)).body, asked.body);
      // PATCH changes only what it is sent; PUT without them resets to the defaults.
      const patched = await api.patch(`${BASE}/${id}`, { registerExpires: 600 });
      assert.equal(patched.body.register, true);
      assert.equal(patched.body.registerExpires, 600);
      const put = await api.put(`${BASE}/${id}`, { server: 'reg.example.com' });
      assert.equal(put.body.register, false);
      assert.equal(put.body.registerExpires, 3600);
      assert.equal(put.body.registration.state, 'disabled');
    });

    test('registration: recorded attempts show as registered, failed (with the reason) or expired; owner only', async () => {
      const repo = h.services.providerCredentials;
      const made = await api.post(BASE, {
        server: 'carrier.example.com',
        register: true,
        registerExpires: 300,
      });
      const id = made.body.id as string;
      const at = new Date(Date.now() - 1000);
      const expiresAt = new Date(at.getTime() + 300_000);
      const ok = await repo.recordRegistrationAttempt(ROOT_AUTH_ID, id, { ok: true, expiresAt }, at);
      assert.equal(ok.kind, 'recorded');
      const got = await api.get(`${BASE}/${id}`);
      assert.deepEqual(got.body.registration, {
        state: 'registered',
        expiresAt: expiresAt.toISOString(),
        lastError: null,
        lastAttemptTime: at.toISOString(),
      });
      const listed = (await api.get(`${BASE}?take=1000`)).body.items.find((c: { id: string }) => c.id === id);
      assert.deepEqual(listed.registration, got.body.registration);
      // Another field changes nothing about the registration.
      const described = await api.patch(`${BASE}/${id}`, { description: 'main carrier', cpsLimit: 3 });
      assert.deepEqual(described.body.registration, got.body.registration);

      // The carrier refuses the refresh: failed with its reason; control characters are not stored.
      const later = new Date(at.getTime() + 500);
      await repo.recordRegistrationAttempt(
        ROOT_AUTH_ID,
        id,
        { ok: false, error: '403 Forbidden\r\nX-Injected: yes' },
        later,
      );
      assert.deepEqual((await api.get(`${BASE}/${id}`)).body.registration, {
        state: 'failed',
        expiresAt: null,
        lastError: '403 Forbidden X-Injected: yes',
        lastAttemptTime: later.toISOString(),
      });
      // An accepted registration nobody refreshed is not shown as registered.
      const old = new Date(Date.now() - 10_000);
      await repo.recordRegistrationAttempt(
        ROOT_AUTH_ID,
        id,
        { ok: true, expiresAt: new Date(old.getTime() + 5000) },
        old,
      );
      const expired = (await api.get(`${BASE}/${id}`)).body.registration;
      assert.equal(expired.state, 'failed');
      assert.equal(expired.expiresAt, null);
      assert.match(expired.lastError, /expired at .* and was not refreshed/);
      assert.equal(expired.lastAttemptTime, old.toISOString());

      // Another account's credential, or none, is not_found; nothing is written.
      const sub = await inject(
        h.app,
        'POST',
        `/v1/Account/${ROOT_AUTH_ID}/Subaccount/`,
        basic(root.authId, root.token),
        { name: 'registration-other', enabled: true },
      );
      const subApi = bearerClient(h.app, await createApiKey(h.app, sub.body.auth_id, root));
      const theirs = (await subApi.post(BASE, { server: 'carrier.example.com', register: true })).body
        .id as string;
      assert.equal(
        (await repo.recordRegistrationAttempt(ROOT_AUTH_ID, theirs, { ok: true, expiresAt }, at)).kind,
        'not_found',
      );
      assert.equal(
        (await repo.recordRegistrationAttempt(sub.body.auth_id, id, { ok: true, expiresAt }, at)).kind,
        'not_found',
      );
      assert.equal(
        (
          await repo.recordRegistrationAttempt(
            ROOT_AUTH_ID,
            '00000000-0000-4000-8000-000000000000',
            { ok: false, error: 'x' },
            at,
          )
        ).kind,
        'not_found',
      );
      assert.equal((await subApi.get(`${BASE}/${theirs}`)).body.registration.lastAttemptTime, null);
      await h.services.accounts.deleteSubaccount(sub.body.auth_id);

      // register false: disabled, and the recorded attempt is forgotten; asking again starts afresh.
      await repo.recordRegistrationAttempt(ROOT_AUTH_ID, id, { ok: true, expiresAt }, at);
      const off = await api.patch(`${BASE}/${id}`, { register: false });
      assert.deepEqual(off.body.registration, {
        state: 'disabled',
        expiresAt: null,
        lastError: null,
        lastAttemptTime: null,
      });
      const on = await api.patch(`${BASE}/${id}`, { register: true });
      assert.equal(on.body.registration.state, 'failed');
      assert.equal(on.body.registration.lastAttemptTime, null);
      // A new server means the old registration says nothing about this credential.
      await repo.recordRegistrationAttempt(ROOT_AUTH_ID, id, { ok: true, expiresAt }, at);
      assert.equal((await api.get(`${BASE}/${id}`)).body.registration.state, 'registered');
      const moved = await api.patch(`${BASE}/${id}`, { server: 'carrier2.example.com' });
      assert.equal(moved.body.registration.state, 'failed');
      assert.equal(moved.body.registration.lastAttemptTime, null);

      // Deleting the credential deletes its registration row.
      await repo.recordRegistrationAttempt(ROOT_AUTH_ID, id, { ok: true, expiresAt }, at);
      assert.equal((await api.delete(`${BASE}/${id}`)).status, 204);
      const left = await h.services.store.db
        .selectFrom('provider_credential_registrations')
        .select('credential_id')
        .where('credential_id', '=', id)
        .execute();
      assert.deepEqual(left, []);
    });

    test('credentials an integration made show source provider and their providerId', async () => {
      const providerId = '5b0c4f2e-8a51-4f5e-9d9e-3a1f2b7c6d10';
      const made = await h.services.providerCredentials.create(
        ROOT_AUTH_ID,
        {
          server: 'sip.twilio.example',
          domain: null,
          authUser: 'ACxxxx',
          authPassword: password('provider'),
          transport: 'tls',
          description: 'Configured by the Twilio integration',
          cpsLimit: 1,
          cpsKey: null,
        },
        { source: 'provider', providerId },
      );
      assert.equal(made.kind, 'ok');
      if (made.kind !== 'ok') return;
      const got = await api.get(`${BASE}/${made.credential.id}`);
      assert.equal(got.body.source, 'provider');
      assert.equal(got.body.providerId, providerId);
      assert.equal(got.body.hasAuthPassword, true);
      // The database refuses a provider credential without providerId (and a manual one with it).
      await assert.rejects(
        h.services.store.db
          .updateTable('provider_credentials')
          .set({ provider_id: null })
          .where('id', '=', made.credential.id)
          .execute(),
      );
    });
  });

  describe(`outbound SIP provider credentials without an encryption key (${dialect})`, () => {
    let h: Harness;
    let api: ReturnType<typeof bearerClient>;
    before(async () => {
      h = await buildLoggedApp(dialect, {});
      api = bearerClient(
        h.app,
        await createApiKey(h.app, ROOT_AUTH_ID, { authId: ROOT_AUTH_ID, token: ROOT_AUTH_TOKEN }),
      );
    });
    after(() => h.close());

    test('refuses to store a password (400 saying how to set TRUNKGATE_SECRET_KEY); everything else works', async () => {
      const refused = await api.post(BASE, { server: 'sip.example.com', authPassword: password('nokey') });
      assertError(refused, 400, 'secret_key_not_configured', 'authPassword');
      assert.match(refused.body.error, /TRUNKGATE_SECRET_KEY=.*openssl rand -base64 32/);
      const count = await h.services.store.db
        .selectFrom('provider_credentials')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0, 'nothing half-written');

      const ok = await api.post(BASE, { server: 'sip.example.com', authUser: 'u1', authPassword: null });
      assert.equal(ok.status, 201, ok.raw);
      assert.equal(ok.body.hasAuthPassword, false);
      const url = `${BASE}/${ok.body.id}`;
      assertError(
        await api.patch(url, { authPassword: password('nokey2') }),
        400,
        'secret_key_not_configured',
      );
      assertError(
        await api.put(url, { server: 'sip.example.com', authPassword: password('nokey3') }),
        400,
        'secret_key_not_configured',
      );
      assert.equal((await api.patch(url, { description: 'still editable' })).status, 200);
      assert.equal((await api.put(url, { server: 'other.example.com' })).status, 200);
    });
  });
}

describe('no password, ciphertext or key in any response or log line', () => {
  test('searches every captured log line and response body of this file', () => {
    assert.ok(PASSWORDS.size >= 10, 'the file used passwords');
    assert.ok(CIPHERTEXTS.size >= 3, 'the file stored ciphertexts');
    assert.ok(LOG_LINES.length > 100, `logs were captured (${LOG_LINES.length} lines)`);
    assert.ok(
      LOG_LINES.some((l) => l.includes('/api/v1/sip-credentials')),
      'the requests were logged',
    );
    const haystacks: Array<[string, string[]]> = [
      ['log', LOG_LINES],
      ['response', RESPONSES],
    ];
    for (const [what, lines] of haystacks) {
      for (const line of lines) {
        for (const p of PASSWORDS)
          assert.ok(!line.includes(p), `a ${what} contains a password: ${line.slice(0, 200)}`);
        for (const c of CIPHERTEXTS) {
          assert.ok(!line.includes(c), `a ${what} contains a ciphertext`);
          // Nor any recognisable part of one (the nonce or the sealed body).
          for (const part of c.split('.').slice(2))
            assert.ok(!line.includes(part), `a ${what} contains part of a ciphertext`);
        }
        assert.ok(!line.includes(K1), `a ${what} contains the encryption key`);
        assert.ok(!/authPassword"\s*:\s*"/.test(line), `a ${what} carries an authPassword value`);
      }
    }
  });
});
