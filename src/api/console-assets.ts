// The web console: static files built from console/ (`npm run build`, also run by `npm ci`'s
// prepare) into dist/console/, served at /console/ without API auth. They sit outside the
// /v1/Account/{auth_id}/ scope, so neither the API IP allowlist nor the rate limit applies to the
// page itself; every API call the page then makes is checked as any other client's is.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

/**
 * Scripts, styles and API calls from our own origin only; nothing inline, no frames, no plugins.
 * /metrics and /health are same-origin too, so connect-src 'self' covers every call the page makes.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/console/ seen from src/api/ (running the sources) or from dist/api/ (running the build). */
export function defaultConsoleDir(): string {
  const candidates = [
    new URL('../../dist/console/', import.meta.url),
    new URL('../console/', import.meta.url),
  ];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return fileURLToPath(candidates[0]!);
}

const CONSOLE_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // The bundle's name does not change between builds: always revalidate.
  'Cache-Control': 'no-cache',
};

export async function registerConsole(
  app: FastifyInstance,
  dir: string = defaultConsoleDir(),
): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  if (!existsSync(join(dir, 'index.html'))) {
    // A checkout that was never built: say how to build it rather than a bare 404.
    const notBuilt = async () => {
      throw new ApiError('service_unavailable', {
        detail: 'The web console is not built; run `npm run build` (npm ci does it too)',
      });
    };
    app.get('/console/', { schema: { hide: true } }, notBuilt);
    app.get('/console/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(async (scoped) => {
    scoped.addHook('onSend', async (_request, reply) => {
      void reply.headers(CONSOLE_HEADERS);
    });
    // The page itself at /console/ (and /console: the router ignores trailing slashes); the
    // wildcard route of @fastify/static answers only for files, not for the bare prefix.
    const index = readFileSync(join(dir, 'index.html'));
    scoped.get('/console/', { schema: { hide: true } }, async (request, reply) => {
      // The page's relative asset URLs need the trailing slash.
      if (!(request.url.split('?')[0] ?? '').endsWith('/')) return reply.redirect('/console/', 301);
      return reply.type('text/html; charset=utf-8').send(index);
    });
    await scoped.register(fastifyStatic, {
      root: dir,
      prefix: '/console/',
      decorateReply: false,
      index: false,
    });
  });
}
