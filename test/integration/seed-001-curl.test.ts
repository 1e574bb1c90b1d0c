// Seed 001's curl examples, run with the real `curl` binary against the real server process
// (`trunkgate serve` on a temp SQLite file), host replaced by the local server and the
// AUTH_ID:AUTH_TOKEN / {auth_id} / uuid placeholders filled in. Everything else is verbatim.
//
// The seed's example passwords (`securepassword123!`, `newpassword123!`) have no upper-case letter;
// the Zentrunk path's own password rule (three of upper, lower, digit, symbol —
// src/domain/credential-rules.ts) accepts them, so every example runs exactly as written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const run = promisify(execFile);

const AUTH_ID = 'MASEEDCURL0000000001';
const AUTH_TOKEN = 'SeedCurlToken000000000000000000000000001';
const SEED_UUID = 'f19c4773-4ae6-4b75-92ea-9cf3ea4227d6';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---- The examples, copied verbatim from seed 001 ----

const LIST = `curl -i --user AUTH_ID:AUTH_TOKEN \\
      https://api.plivo.com/v1/Account/{auth_id}/Zentrunk/Credential/`;

const RETRIEVE = `curl -i --user AUTH_ID:AUTH_TOKEN \\
      https://api.plivo.com/v1/Account/{auth_id}/Zentrunk/Credential/f19c4773-4ae6-4b75-92ea-9cf3ea4227d6/`;

const CREATE = `curl -i --user AUTH_ID:AUTH_TOKEN \\
      -H "Content-Type: application/json" \\
      -d '{
        "name": "production-credentials",
        "username": "sipuser123",
        "password": "securepassword123!"
      }' \\
      https://api.plivo.com/v1/Account/{auth_id}/Zentrunk/Credential/`;

const UPDATE = `curl -i --user AUTH_ID:AUTH_TOKEN \\
      -H "Content-Type: application/json" \\
      -d '{"username": "newuser", "password": "newpassword123!"}' \\
      https://api.plivo.com/v1/Account/{auth_id}/Zentrunk/Credential/f19c4773-4ae6-4b75-92ea-9cf3ea4227d6/`;

const DELETE = `curl -X DELETE -i --user AUTH_ID:AUTH_TOKEN \\
      https://api.plivo.com/v1/Account/{auth_id}/Zentrunk/Credential/{credential_uuid}/`;

// "Usage with Trunks" (POST …/Zentrunk/Trunk/) belongs to the Zentrunk trunks issue, not this
// one; it is exercised by that issue's tests.

// ---- Running them ----

/** A JSON body as the tests read it: the response schemas are checked field by field below. */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, asserted on in the tests
type Json = Record<string, any>;

interface CurlResponse {
  status: number;
  headers: Record<string, string>;
  raw: string;
  /** The parsed body; empty when there is none (204). */
  body: Json;
}

/** Fills the placeholders and points the command at the local server; runs it with bash + curl. */
async function curl(example: string, origin: string, credentialUuid?: string): Promise<CurlResponse> {
  let cmd = example
    .replaceAll('https://api.plivo.com', origin)
    .replaceAll('AUTH_ID:AUTH_TOKEN', `${AUTH_ID}:${AUTH_TOKEN}`)
    .replaceAll('{auth_id}', AUTH_ID);
  if (credentialUuid !== undefined) {
    cmd = cmd.replaceAll(SEED_UUID, credentialUuid).replaceAll('{credential_uuid}', credentialUuid);
  }
  assert.ok(!/[{}](auth_id|credential_uuid)|AUTH_(ID|TOKEN)\b/.test(cmd.replace(/-d '[^']*'/s, '')), cmd);
  const { stdout } = await run('bash', ['-c', `${cmd} --silent --show-error`]);
  // curl -i: status line, headers, blank line, body
  const split = stdout.indexOf('\r\n\r\n');
  const head = split < 0 ? stdout : stdout.slice(0, split);
  const raw = split < 0 ? '' : stdout.slice(split + 4);
  const [statusLine, ...headerLines] = head.split('\r\n');
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, raw, body: raw === '' ? {} : (JSON.parse(raw) as Json) };
}

describe('seed 001 curl examples against the real server', () => {
  let dir: string;
  let server: ServerProcess;
  let credentialUuid: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-curl-'));
    server = await startServerProcess({
      TRUNKGATE_DB: join(dir, 'trunkgate.db'),
      TRUNKGATE_ROOT_AUTH_ID: AUTH_ID,
      TRUNKGATE_ROOT_AUTH_TOKEN: AUTH_TOKEN,
      // The most verbose level, to prove below that no secret reaches a log line.
      TRUNKGATE_LOG_LEVEL: 'trace',
    });
  });

  after(async () => {
    const exit = await server.stop('SIGTERM');
    assert.equal(exit.code, 0);
    rmSync(dir, { recursive: true, force: true });
  });

  test('Create, verbatim: 201 with the documented body', async () => {
    const res = await curl(CREATE, server.origin);
    assert.equal(res.status, 201);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(res.body).sort(), ['api_id', 'credential_uuid', 'message']);
    assert.equal(res.body.message, 'credential created successfully.');
    assert.match(res.body.api_id, UUID_RE);
    assert.match(res.body.credential_uuid, UUID_RE);
    credentialUuid = res.body.credential_uuid;
  });

  test('Retrieve: 200 with credential_uuid, name, username (and api_id)', async () => {
    const res = await curl(RETRIEVE, server.origin, credentialUuid);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      api_id: res.body.api_id,
      credential_uuid: credentialUuid,
      name: 'production-credentials',
      username: 'sipuser123',
    });
    assert.match(res.body.api_id, UUID_RE);
  });

  test('List: 200 with meta exactly as the seed shows it', async () => {
    // 21 credentials in all, so that — as in the seed — there is a next page.
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${server.origin}/v1/Account/${AUTH_ID}/Zentrunk/Credential/`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          name: `staging-${i}`,
          username: `sipuser-${i}`,
          password: 'Securepassword123!',
        }),
      });
      assert.equal(r.status, 201);
    }
    const res = await curl(LIST, server.origin);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['api_id', 'meta', 'objects']);
    assert.match(res.body.api_id, UUID_RE);
    assert.deepEqual(res.body.meta, {
      limit: 20,
      offset: 0,
      total_count: 21,
      previous: null,
      next: `v1/Account/${AUTH_ID}/Zentrunk/Credential/?limit=20&offset=20`,
    });
    assert.deepEqual(Object.keys(res.body.meta), ['limit', 'offset', 'total_count', 'previous', 'next']);
    assert.equal(res.body.objects.length, 20);
    for (const o of res.body.objects) {
      assert.deepEqual(Object.keys(o), ['credential_uuid', 'name', 'username']);
    }
    const second = await curl(`${LIST}?limit=20\\&offset=20`, server.origin);
    assert.equal(second.body.objects.length, 1);
    const mine = [...res.body.objects, ...second.body.objects] as Array<Record<string, unknown>>;
    assert.deepEqual(
      mine.find((o) => o['credential_uuid'] === credentialUuid),
      { credential_uuid: credentialUuid, name: 'production-credentials', username: 'sipuser123' },
    );
  });

  test('Update, verbatim: 202 with the documented body', async () => {
    const res = await curl(UPDATE, server.origin, credentialUuid);
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, {
      api_id: res.body.api_id,
      message: 'Credential updated successfully.',
      credential_uuid: credentialUuid,
    });
    assert.match(res.body.api_id, UUID_RE);
    const after = await curl(RETRIEVE, server.origin, credentialUuid);
    assert.equal(after.body.username, 'newuser');
  });

  test('Delete: 204 No Content, and it is gone', async () => {
    const res = await curl(DELETE, server.origin, credentialUuid);
    assert.equal(res.status, 204);
    assert.equal(res.raw, '');
    const gone = await curl(RETRIEVE, server.origin, credentialUuid);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'not_found');
  });

  test('the same commands without credentials are a 401 asking for Basic auth', async () => {
    const res = await curl(LIST.replace('--user AUTH_ID:AUTH_TOKEN ', ''), server.origin);
    assert.equal(res.status, 401);
    assert.match(res.headers['www-authenticate'] ?? '', /^Basic /);
    assert.equal(res.body.code, 'unauthenticated');
  });

  test('no password, token or Authorization value reached the logs (level trace)', () => {
    const logs = server.stdout() + server.stderr();
    assert.match(logs, /incoming request/, 'requests were logged');
    for (const secret of [
      'securepassword123!',
      'Securepassword123!',
      'newpassword123!',
      'Newpassword123!',
      AUTH_TOKEN,
      Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64'),
    ]) {
      assert.ok(!logs.includes(secret), `a secret reached the logs: ${secret.slice(0, 4)}…`);
    }
  });
});
