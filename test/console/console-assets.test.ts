// How the API process serves the built console: at /console/ (and / redirects there), without
// API auth, untouched by the API IP allowlist, with a strict CSP; the bundle is small and loads
// nothing from another origin.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { buildConsole } from '../../console/build.ts';
import { buildApp } from '../../src/api/app.ts';
import { CONSOLE_CSP } from '../../src/api/console-assets.ts';
import { basic, buildTestApp, type TestApp } from '../helpers/app.ts';

const FIRST_LOAD_SCRIPT_LIMIT = 200 * 1024;

describe('console assets', () => {
  let t: TestApp;
  let app: FastifyInstance;
  // A build of its own: other tests may serve dist/console/ meanwhile.
  const dir = mkdtempSync(join(tmpdir(), 'trunkgate-console-build-'));
  before(async () => {
    await buildConsole(dir);
    t = await buildTestApp('sqlite');
    app = await buildApp({ services: t.services, consoleDir: dir });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/ redirects to /console/, /console to /console/', async () => {
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/console/');
    const bare = await app.inject({ url: '/console' });
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers.location, '/console/');
  });

  test('the page and its assets: no auth needed, strict CSP, same-origin only', async () => {
    const page = await app.inject({ url: '/console/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['content-security-policy'], CONSOLE_CSP);
    assert.match(CONSOLE_CSP, /default-src 'none'/);
    assert.match(CONSOLE_CSP, /script-src 'self'(;|$)/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.deepEqual(refs.sort(), ['console.css', 'console.js']);
    for (const ref of refs) {
      const res = await app.inject({ url: `/console/${ref}` });
      assert.equal(res.statusCode, 200, ref);
      assert.equal(res.headers['content-security-policy'], CONSOLE_CSP);
    }
    const css = readFileSync(join(dir, 'console.css'), 'utf8');
    assert.doesNotMatch(css, /url\(|@import/, 'the stylesheet loads nothing');
    const missing = await app.inject({ url: '/console/nope.js' });
    assert.equal(missing.statusCode, 404);
  });

  test('an unbuilt console says how to build it', async () => {
    const bare = await buildApp({ services: t.services, consoleDir: join(dir, 'missing') });
    try {
      const res = await bare.inject({ url: '/console/' });
      assert.equal(res.statusCode, 503);
      assert.match(JSON.parse(res.body).error, /npm run build/);
    } finally {
      await bare.close();
    }
  });

  test('the first load is under 200 KB of gzipped script', () => {
    const js = readFileSync(join(dir, 'console.js'));
    const gz = gzipSync(js, { level: 9 }).length;
    assert.ok(gz < FIRST_LOAD_SCRIPT_LIMIT, `console.js is ${gz} bytes gzipped`);
  });

  test('the API IP allowlist guards the API, not the page that signs in', async () => {
    const auth = basic(t.root.authId, t.root.token);
    const added = await app.inject({
      method: 'POST',
      url: `/v1/Account/${t.root.authId}/IPWhitelist/`,
      headers: { authorization: auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ cidr: '52.14.8.9/32', confirm: true }),
    });
    assert.equal(added.statusCode, 201);
    const api = await app.inject({ url: `/v1/Account/${t.root.authId}/`, headers: { authorization: auth } });
    assert.equal(api.statusCode, 403);
    assert.equal(JSON.parse(api.body).code, 'ip_not_allowlisted');
    const page = await app.inject({ url: '/console/' });
    assert.equal(page.statusCode, 200);
  });
});
