// Every test gets a fresh app on a fresh database, closed after (fastify/demo's test/helper.ts).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { ensureRootAccount } from '../../src/bootstrap-root.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services.ts';
import type { DialectName } from '../../src/store/database.ts';
import { openStore } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const ROOT_AUTH_ID = 'MATESTROOT0000000001';
export const ROOT_AUTH_TOKEN = 'RootTokenForTests0000000000000000000000A';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  config: Readonly<Config>;
  db: TestDatabase;
  root: { authId: string; token: string };
  close(): Promise<void>;
}

export async function buildTestApp(dialect: DialectName, env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase(dialect);
  const config = loadConfig({
    TRUNKGATE_DB: db.sqlitePath,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    TRUNKGATE_ROOT_AUTH_ID: ROOT_AUTH_ID,
    TRUNKGATE_ROOT_AUTH_TOKEN: ROOT_AUTH_TOKEN,
    TRUNKGATE_SIP_DOMAIN: 'sip.test.local',
    TRUNKGATE_LOG_LEVEL: 'silent',
    ...env,
  });
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
  await migrateToLatest(store);
  const services = createServices(config, store);
  await ensureRootAccount(config, services.accounts, createLogger('silent'));
  const app = await buildApp({ services });
  await app.ready();
  return {
    app,
    services,
    config,
    db,
    root: { authId: ROOT_AUTH_ID, token: ROOT_AUTH_TOKEN },
    close: async () => {
      await app.close();
      await store.close();
      await db.drop();
    },
  };
}

export function basic(authId: string, token: string): string {
  return `Basic ${Buffer.from(`${authId}:${token}`).toString('base64')}`;
}

export interface Caller {
  authId: string;
  token: string;
}

/** A small client over app.inject: JSON in, parsed JSON out. */
export function client(app: FastifyInstance, who: Caller) {
  const auth = basic(who.authId, who.token);
  async function call(method: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT', path: string, body?: unknown) {
    const res: LightMyRequestResponse = await app.inject({
      method,
      url: path,
      headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    const json = res.body === '' ? undefined : (JSON.parse(res.body) as Record<string, unknown>);
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
    return { status: res.statusCode, headers: res.headers, body: json as Record<string, any>, raw: res.body };
  }
  return {
    get: (p: string) => call('GET', p),
    post: (p: string, b?: unknown) => call('POST', p, b ?? {}),
    delete: (p: string) => call('DELETE', p),
    call,
  };
}
