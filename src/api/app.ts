// Builds the HTTP app as a plugin tree; never listens (src/server.ts does).
import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { ping } from '../store/database.ts';
import { registerConsole } from './console-assets.ts';
import { accountAuthHook, bearerAuthHook } from './plugins/account-auth.ts';
import { registerErrorHandling } from './plugins/error-handler.ts';
import './request-context.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { apiKeyRoutes } from './routes/api-key-routes.ts';
import { applicationRoutes } from './routes/application-routes.ts';
import { ipWhitelistRoutes } from './routes/ip-whitelist-routes.ts';
import { providerCredentialRoutes } from './routes/provider-credential-routes.ts';
import { sipAuthCredentialRoutes } from './routes/sipauth-credential-routes.ts';
import { sipAuthIpAclRoutes } from './routes/sipauth-ip-acl-routes.ts';
import { subaccountRoutes } from './routes/subaccount-routes.ts';
import { zentrunkCredentialRoutes } from './routes/zentrunk-credential-routes.ts';
import { zentrunkIpAclRoutes } from './routes/zentrunk-ip-acl-routes.ts';
import { zentrunkTrunkRoutes } from './routes/zentrunk-trunk-routes.ts';
import { zentrunkUriRoutes } from './routes/zentrunk-uri-routes.ts';
import { ErrorBody } from './schemas/common.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export interface AppOptions {
  services: Services;
  /** A pino logger; none means silent (tests). */
  logger?: Logger;
  /** Where the built web console is (default dist/console/); see src/api/console-assets.ts. */
  consoleDir?: string;
  /** The SIP edge running beside the API, for /metrics and /health. */
  edge?: {
    metrics(): Promise<{ contentType: string; body: string }>;
    health(): { backend: string; degraded: boolean; workers: number };
  };
}

/** Never log secrets: auth headers are redacted, request bodies are never logged. */
export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger as FastifyBaseLogger } : { logger: false }),
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 200 },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('services', opts.services);
  // The app is the counters' user: close their Redis connection with it.
  app.addHook('onClose', async () => opts.services.counters.close());
  app.decorateRequest('caller', null as never);
  app.decorateRequest('account', null as never);
  app.decorateRequest('authMethod', 'basic');
  registerErrorHandling(app);

  // JSON with an empty body (SDKs send Content-Type on DELETE) is an empty object, not an error.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, {});
    return defaultJson(request, body.toString(), done);
  });
  await app.register(formbody);

  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'trunkgate API',
        version: '0.1.0',
        description:
          'Access control for SIP trunks. Plivo-compatible resources under /v1/Account/{auth_id}/ with HTTP Basic auth (auth_id:auth_token).',
      },
      components: {
        securitySchemes: {
          basicAuth: { type: 'http', scheme: 'basic' },
          bearerAuth: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ basicAuth: [] }, { bearerAuth: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerConsole(app, opts.consoleDir);

  app.get(
    '/health',
    { schema: { tags: ['Operations'], summary: 'Liveness; database and Redis reachability', security: [] } },
    async (request, reply) => {
      const dbOk = await ping(opts.services.store);
      // Without Redis the API still serves (per-node rate limits), so it is degraded but not a 503.
      const counters = await opts.services.counters.probe();
      return reply.code(dbOk ? 200 : 503).send({
        api_id: request.id,
        status: dbOk && counters.redis !== 'unreachable' ? 'ok' : 'degraded',
        database: dbOk ? 'ok' : 'unreachable',
        redis: counters.redis,
        rate_limits: counters.backend === 'redis' ? 'shared' : 'per_node',
        ...(opts.edge ? { sip_edge: opts.edge.health() } : {}),
      });
    },
  );

  await app.register(
    async (scoped) => {
      scoped.addHook('onRequest', accountAuthHook(opts.services));
      await scoped.register(accountRoutes);
      await scoped.register(subaccountRoutes);
      await scoped.register(sipAuthCredentialRoutes);
      await scoped.register(zentrunkCredentialRoutes);
      await scoped.register(sipAuthIpAclRoutes);
      await scoped.register(zentrunkIpAclRoutes);
      await scoped.register(zentrunkUriRoutes);
      await scoped.register(zentrunkTrunkRoutes);
      await scoped.register(applicationRoutes);
      await scoped.register(ipWhitelistRoutes);
      await scoped.register(apiKeyRoutes);
    },
    { prefix: '/v1/Account/:auth_id' },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const m = opts.edge ? await opts.edge.metrics() : { contentType: 'text/plain; version=0.0.4', body: '' };
    return reply.type(m.contentType).send(m.body);
  });

  // Seed 002's family: API keys (Bearer) only; the key's account is the resources' orgId.
  await app.register(
    async (scoped) => {
      scoped.addHook('onRequest', bearerAuthHook(opts.services));
      await scoped.register(providerCredentialRoutes);
    },
    { prefix: '/api/v1/sip-credentials' },
  );

  return app;
}
