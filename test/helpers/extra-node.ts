// Another trunkgate node on the database of an existing test app: what a cluster looks like
// (several stateless nodes sharing one database and, optionally, one Redis).
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openStore } from '../../src/store/database.ts';
import type { TestDatabase } from './database.ts';

export interface ExtraNode {
  app: FastifyInstance;
  services: Services;
  config: Readonly<Config>;
  close(): Promise<void>;
}

export async function startExtraNode(db: TestDatabase, env: Record<string, string> = {}): Promise<ExtraNode> {
  const config = loadConfig({
    TRUNKGATE_DB: db.sqlitePath,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    TRUNKGATE_SIP_DOMAIN: 'sip.test.local',
    TRUNKGATE_LOG_LEVEL: 'silent',
    ...env,
  });
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
  const services = createServices(config, store);
  const app = await buildApp({ services });
  await app.ready();
  return {
    app,
    services,
    config,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
