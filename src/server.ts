// Process entry: read config, open the store, migrate, listen (HTTP and, when enabled, SIP),
// close gracefully on SIGTERM/SIGINT.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.ts';
import { ensureRootAccount } from './bootstrap-root.ts';
import type { Config } from './config.ts';
import { assertStoredSecretsOpen } from './domain/secrets/key-check.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServices, type Services } from './services.ts';
import { type EdgeRuntime, startEdgeRuntime } from './sip/edge/edge-runtime.ts';
import { openStore } from './store/database.ts';
import { migrateToLatest } from './store/migrate.ts';

export interface ServeOptions {
  api: boolean;
  sip: boolean;
}

export interface RunningServer {
  services: Services;
  app: FastifyInstance | undefined;
  httpAddress: string | undefined;
  edge: EdgeRuntime | undefined;
  close(): Promise<void>;
}

export async function startServer(
  config: Readonly<Config>,
  opts: ServeOptions,
  log: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
  log.info({ database: store.describe }, 'opening database');
  const closers: Array<() => Promise<void>> = [];
  let services: Services;
  let edge: EdgeRuntime | undefined;
  let app: FastifyInstance | undefined;
  let httpAddress: string | undefined;
  try {
    const { applied } = await migrateToLatest(store);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    services = createServices(config, store);
    // Stored secrets no configured key opens are a configuration error now, not a failure at first use.
    await assertStoredSecretsOpen(services.encryptedColumns, services.secretBox.keyring).catch(
      async (err: unknown) => {
        await store.close();
        throw err;
      },
    );

    const root = await ensureRootAccount(config, services.accounts, log);
    if (root.kind === 'generated') {
      // Printed once, to stdout only: the token is not stored anywhere but as a hash.
      process.stdout.write(
        `\n  trunkgate root account created\n  auth_id:    ${root.authId}\n  auth_token: ${root.authToken}\n  (shown once; set TRUNKGATE_ROOT_AUTH_ID/TRUNKGATE_ROOT_AUTH_TOKEN to choose your own)\n\n`,
      );
    }

    if (opts.sip) {
      edge = await startEdgeRuntime(config, store, log);
      const e = edge;
      closers.push(() => e.close());
    }
    if (opts.api) {
      app = await buildApp({ services, logger: log, ...(edge ? { edge } : {}) });
      const a = app;
      closers.push(() => a.close());
      httpAddress = await app.listen({ host: config.httpHost, port: config.httpPort });
    }
  } catch (err) {
    // A step failed (e.g. the HTTP port is taken): stop what already runs, so the process exits
    // with the error instead of lingering half-started.
    for (const c of closers) await c().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
  closers.push(() => store.close());

  let closing: Promise<void> | undefined;
  return {
    services,
    app,
    httpAddress,
    edge,
    close() {
      closing ??= (async () => {
        for (const c of closers) await c();
      })();
      return closing;
    },
  };
}

export function installSignalHandlers(server: RunningServer, log: Logger): void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down gracefully');
    const timer = setTimeout(() => {
      log.error('graceful shutdown took over 10 s; exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
