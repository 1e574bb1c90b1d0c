// Hostile and sloppy inputs on every database: NUL characters, Fastify's own errors, type
// coercion and text encodings. Each answer must be a 4xx in the documented envelope
// {api_id, error, code, field?} with a stable code, never a 500 and never a silently altered value.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { type Api, makeAcl, makeCredential, rootApi, UUID_RE } from '../helpers/acl-trunk-fixtures.ts';
import { basic, buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

interface Sent {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  body: Record<string, any>;
  raw: string;
}

async function send(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  headers: Record<string, string>,
  payload?: string | Buffer,
): Promise<Sent> {
  const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    // asserted below: every answer must be JSON
  }
  return { status: res.statusCode, body, raw: res.body };
}

function assertError(res: Sent, status: number, code: string, field?: string): void {
  assert.equal(res.status, status, res.raw);
  assert.match(String(res.body['api_id']), UUID_RE, `api_id in ${res.raw}`);
  assert.equal(res.body['code'], code, res.raw);
  assert.equal(typeof res.body['error'], 'string', res.raw);
  if (field !== undefined) assert.equal(res.body['field'], field, res.raw);
}

/** Sends raw bytes to a listening app and returns the raw HTTP answer. */
function rawRequest(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function envelopeOf(rawHttp: string): { status: number; body: Record<string, unknown> } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(rawHttp)?.[1]);
  const body = rawHttp.slice(rawHttp.indexOf('\r\n\r\n') + 4);
  return { status, body: JSON.parse(body) as Record<string, unknown> };
}

for (const dialect of DIALECTS) {
  describe(`input hardening (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    let auth: string;
    let base: string;
    let acl: string;
    const json = () => ({ authorization: auth, 'content-type': 'application/json' });
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
      auth = basic(t.root.authId, t.root.token);
      base = `/v1/Account/${t.root.authId}`;
      acl = await makeAcl(root);
    });
    after(() => t.close());

    describe('NUL characters are refused before they reach the database', () => {
      test('in the account id of the path, without credentials', async () => {
        assertError(await send(t.app, 'GET', '/v1/Account/%00/', {}), 400, 'invalid_character', 'auth_id');
      });
      test('in the account id of the path, with credentials', async () => {
        const res = await send(t.app, 'GET', `/v1/Account/MA%00/Subaccount/`, { authorization: auth });
        assertError(res, 400, 'invalid_character', 'auth_id');
      });
      test('in the Basic-auth user or password: a malformed credential', async () => {
        assertError(
          await send(t.app, 'GET', `${base}/`, { authorization: basic('MA\u0000', t.root.token) }),
          401,
          'unauthenticated',
        );
        assertError(
          await send(t.app, 'GET', `${base}/`, {
            authorization: basic(t.root.authId, `${t.root.token}\u0000`),
          }),
          401,
          'unauthenticated',
        );
      });
      test('in a resource id of the path', async () => {
        for (const path of [
          '/Zentrunk/Credential/%00/',
          '/SipAuth/Credential/%00/',
          '/Zentrunk/Trunk/%00/',
          '/Application/a%00b/',
          '/Zentrunk/IPAccessControlList/%00/',
        ]) {
          const res = await send(t.app, 'GET', base + path, { authorization: auth });
          assert.equal(res.status, 400, `${path}: ${res.raw}`);
          assertError(res, 400, 'invalid_character');
        }
      });
      test('in a query value', async () => {
        const res = await send(t.app, 'GET', `${base}/Zentrunk/Trunk/?ipacl_uuid=%00`, {
          authorization: auth,
        });
        assertError(res, 400, 'invalid_character', 'ipacl_uuid');
      });
      test('in a reference field or any string of a body', async () => {
        const res = await send(
          t.app,
          'POST',
          `${base}/Zentrunk/Trunk/`,
          json(),
          JSON.stringify({ trunk_direction: 'outbound', ipacl_uuid: 'x\u0000' }),
        );
        assertError(res, 400, 'invalid_character', 'ipacl_uuid');
        const nested = await send(
          t.app,
          'POST',
          `${base}/Zentrunk/IPAccessControlList/`,
          json(),
          JSON.stringify({ name: 'nul', ip_addresses: ['203.0.113.0/24', '\u0000'] }),
        );
        assertError(nested, 400, 'invalid_character', 'ip_addresses.1');
      });
    });

    describe("Fastify's own errors carry the envelope", () => {
      test('414: a path segment over the length limit, without echoing the URL', async () => {
        const long = 'A'.repeat(300);
        const res = await send(t.app, 'GET', `/v1/Account/${long}/`, { authorization: auth });
        assertError(res, 414, 'uri_too_long');
        assert.ok(!res.raw.includes(long), res.raw);
      });
      test('400: a malformed percent-encoding in the URL', async () => {
        assertError(
          await send(t.app, 'GET', '/v1/Account/%E0%A4%A/', { authorization: auth }),
          400,
          'invalid_url_encoding',
        );
      });
      test('400: invalid JSON; 415: an unknown or malformed content type', async () => {
        assertError(await send(t.app, 'POST', `${base}/Zentrunk/Trunk/`, json(), '{'), 400, 'invalid_json');
        assertError(
          await send(
            t.app,
            'POST',
            `${base}/Zentrunk/Trunk/`,
            { authorization: auth, 'content-type': ';;' },
            '{}',
          ),
          415,
          'unsupported_media_type',
        );
      });
      test('431 and 400 from the HTTP parser, over a real socket', async () => {
        const port = await listen(t.app);
        const big = envelopeOf(
          await rawRequest(port, `GET ${base}/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
        );
        assert.equal(big.status, 431);
        assert.equal(big.body['code'], 'request_header_too_large');
        assert.match(String(big.body['api_id']), UUID_RE);
        const bad = envelopeOf(await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n`));
        assert.equal(bad.status, 400);
        assert.equal(bad.body['code'], 'malformed_request');
        assert.match(String(bad.body['api_id']), UUID_RE);
      });
    });

    describe('no silent coercion of JSON values', () => {
      test('null is not false: {"enabled": null} is refused', async () => {
        const app = await root.create('/Application/', {
          app_name: 'coerce',
          answer_url: 'https://example.com/a',
        });
        const res = await send(
          t.app,
          'POST',
          `${base}/Application/${app.app_id}/`,
          json(),
          JSON.stringify({ enabled: null }),
        );
        assertError(res, 400, 'validation_failed', 'enabled');
        assert.equal((await root.get(`/Application/${app.app_id}/`)).body.enabled, true);
      });
      test('cps_limit takes numbers only: "0x10", true and "" are refused', async () => {
        for (const cps of ['0x10', true, '', '10']) {
          const res = await send(
            t.app,
            'POST',
            `${base}/Zentrunk/Trunk/`,
            json(),
            JSON.stringify({ trunk_direction: 'outbound', ipacl_uuid: acl, cps_limit: cps }),
          );
          assertError(res, 400, 'validation_failed', 'cps_limit');
        }
      });
      test('strings take strings only: username 12345678 is refused', async () => {
        const res = await send(
          t.app,
          'POST',
          `${base}/Zentrunk/Credential/`,
          json(),
          JSON.stringify({ username: 12345678, password: 'Str0ngPassword1' }),
        );
        assertError(res, 400, 'validation_failed', 'username');
        const cred = await makeCredential(root);
        assert.match(cred, UUID_RE);
      });
      test('provider credentials: authPassword true is refused', async () => {
        const key = await send(t.app, 'POST', `${base}/ApiKey/`, json(), JSON.stringify({ name: 'coerce' }));
        assert.equal(key.status, 201, key.raw);
        const res = await send(
          t.app,
          'POST',
          '/api/v1/sip-credentials/',
          { authorization: `Bearer ${key.body['token']}`, 'content-type': 'application/json' },
          JSON.stringify({ server: 'sip.example.com', authPassword: true }),
        );
        assertError(res, 400, 'validation_failed', 'authPassword');
      });
      test('form-encoded bodies still work, with strict conversion of numbers and booleans', async () => {
        const form = { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' };
        const ok = await send(
          t.app,
          'POST',
          `${base}/Zentrunk/Trunk/`,
          form,
          `trunk_direction=outbound&ipacl_uuid=${acl}&cps_limit=2.5&secure=true`,
        );
        assert.equal(ok.status, 201, ok.raw);
        const got = await root.get(`/Zentrunk/Trunk/${ok.body['trunk_id']}/`);
        assert.equal(got.body.cps_limit, 2.5);
        assert.equal(got.body.secure, true);
        for (const bad of ['cps_limit=0x10', 'cps_limit=', 'secure=1', 'secure=yes']) {
          const res = await send(
            t.app,
            'POST',
            `${base}/Zentrunk/Trunk/`,
            form,
            `trunk_direction=outbound&ipacl_uuid=${acl}&${bad}`,
          );
          assertError(res, 400, 'validation_failed', bad.slice(0, bad.indexOf('=')));
        }
      });
    });

    describe('text encodings are refused rather than altered', () => {
      const url = () => `${base}/Zentrunk/IPAccessControlList/`;
      test('invalid UTF-8 in a JSON body', async () => {
        const body = Buffer.concat([
          Buffer.from('{"name":"bad'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('"}'),
        ]);
        assertError(await send(t.app, 'POST', url(), json(), body), 400, 'invalid_encoding');
      });
      test('a lone surrogate escaped in JSON', async () => {
        const res = await send(
          t.app,
          'POST',
          url(),
          json(),
          '{"name":"lone \\ud800 surrogate","ip_addresses":["203.0.113.0/24"]}',
        );
        assertError(res, 400, 'invalid_encoding', 'name');
      });
      test('invalid UTF-8 in a form-encoded body', async () => {
        const res = await send(
          t.app,
          'POST',
          url(),
          { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
          'name=bad%FF&ip_addresses=203.0.113.0/24',
        );
        assertError(res, 400, 'invalid_encoding');
      });
      test('a charset other than UTF-8 is 415', async () => {
        const body = Buffer.from(
          JSON.stringify({ name: 'utf16', ip_addresses: ['203.0.113.0/24'] }),
          'utf16le',
        );
        const res = await send(
          t.app,
          'POST',
          url(),
          { authorization: auth, 'content-type': 'application/json; charset=utf-16' },
          body,
        );
        assertError(res, 415, 'unsupported_charset');
        const ok = await send(
          t.app,
          'POST',
          url(),
          { authorization: auth, 'content-type': 'application/json; charset=UTF-8' },
          JSON.stringify({ name: 'utf8-explicit', ip_addresses: ['203.0.113.0/24'] }),
        );
        assert.equal(ok.status, 201, ok.raw);
      });
      test('a Content-Encoding other than identity is 415', async () => {
        const res = await send(
          t.app,
          'POST',
          url(),
          { ...json(), 'content-encoding': 'gzip' },
          gzipSync(JSON.stringify({ name: 'gz', ip_addresses: ['203.0.113.0/24'] })),
        );
        assertError(res, 415, 'unsupported_content_encoding');
      });
    });
  });
}

async function listen(app: FastifyInstance): Promise<number> {
  if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  assert.ok(addr !== null && typeof addr === 'object');
  return addr.port;
}
