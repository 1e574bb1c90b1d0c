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
import { accountAuthHook } from './plugins/account-auth.ts';
import { registerErrorHandling } from './plugins/error-handler.ts';
import './request-context.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { sipAuthCredentialRoutes } from './routes/sipauth-credential-routes.ts';
import { subaccountRoutes } from './routes/subaccount-routes.ts';
import { zentrunkCredentialRoutes } from './routes/zentrunk-credential-routes.ts';
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

  app.get(
    '/health',
    { schema: { tags: ['Operations'], summary: 'Liveness and database reachability', security: [] } },
    async (request, reply) => {
      const dbOk = await ping(opts.services.store);
      return reply.code(dbOk ? 200 : 503).send({
        api_id: request.id,
        status: dbOk ? 'ok' : 'degraded',
        database: dbOk ? 'ok' : 'unreachable',
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
    },
    { prefix: '/v1/Account/:auth_id' },
  );

  return app;
}
