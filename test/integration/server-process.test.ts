// The real CLI as a process: `node bin/trunkgate.mjs serve|migrate` from the sources, on a temp
// SQLite file with free ports.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { hashToken } from '../../src/domain/account-identity.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { freePort, runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const basic = (id: string, token: string) => `Basic ${Buffer.from(`${id}:${token}`).toString('base64')}`;

/** The "root account created" banner: auth_id and auth_token, printed once. */
function generatedRoot(stdout: string): { authId: string; token: string } | undefined {
  const id = /auth_id:\s+(MA[A-Z0-9]{18})\b/.exec(stdout)?.[1];
  const token = /auth_token:\s+([A-Za-z0-9]{40})\b/.exec(stdout)?.[1];
  return id && token ? { authId: id, token } : undefined;
}

describe('trunkgate serve (process)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-proc-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('first and second start on an empty database without root variables', () => {
    let dbFile: string;
    let first: ServerProcess;
    let root: { authId: string; token: string };

    before(async () => {
      dbFile = join(dir, 'generated.db');
      first = await startServerProcess({ TRUNKGATE_DB: dbFile });
    });

    test('GET /health answers 200 with the database reachable', async () => {
      const res = await fetch(`${first.origin}/health`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body['status'], 'ok');
      assert.equal(body['database'], 'ok');
      assert.match(String(body['api_id']), /^[0-9a-f-]{36}$/);
    });

    test('prints a generated auth_id and auth_token once, and they work', async () => {
      const found = generatedRoot(first.stdout());
      assert.ok(found, `no root credentials in:\n${first.stdout()}`);
      root = found;
      assert.equal(first.stdout().split(root.token).length - 1, 1, 'the token is printed exactly once');
      const res = await fetch(`${first.origin}/v1/Account/${root.authId}/`, {
        headers: { authorization: basic(root.authId, root.token) },
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { auth_id: string }).auth_id, root.authId);
      // Stored as a hash only.
      const db = new SqliteDatabase(dbFile, { readonly: true });
      try {
        const row = db.prepare('select token_hash from accounts where auth_id = ?').get(root.authId) as {
          token_hash: string;
        };
        assert.equal(row.token_hash, hashToken(root.token));
      } finally {
        db.close();
      }
    });

    test('logs are structured: JSON lines with level, time and msg', () => {
      const lines = first
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      assert.ok(lines.length >= 2, first.stdout());
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        assert.equal(typeof entry['level'], 'number');
        assert.ok(!Number.isNaN(Date.parse(String(entry['time']))));
        assert.equal(typeof entry['msg'], 'string');
      }
      assert.ok(!lines.some((l) => l.includes(root.token)), 'the generated token is not logged');
    });

    test('SIGTERM exits 0 gracefully', async () => {
      const exit = await first.stop('SIGTERM');
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.match(first.stdout(), /shutting down gracefully/);
    });

    test('the second start prints nothing new and the same credentials still work', async () => {
      const second = await startServerProcess({ TRUNKGATE_DB: dbFile });
      try {
        assert.equal(generatedRoot(second.stdout()), undefined);
        assert.ok(!second.stdout().includes(root.token));
        assert.ok(!second.stdout().includes('root account created'));
        const res = await fetch(`${second.origin}/v1/Account/${root.authId}/`, {
          headers: { authorization: basic(root.authId, root.token) },
        });
        assert.equal(res.status, 200);
      } finally {
        assert.equal((await second.stop('SIGINT')).code, 0, 'SIGINT exits 0 too');
      }
    });
  });

  describe('with TRUNKGATE_ROOT_AUTH_ID / TRUNKGATE_ROOT_AUTH_TOKEN', () => {
    let server: ServerProcess;
    const authId = 'MAPROCESSTEST0000001';
    const token = 'ProcessTestToken000000000000000000000001';

    before(async () => {
      server = await startServerProcess({
        TRUNKGATE_DB: join(dir, 'from-env.db'),
        TRUNKGATE_ROOT_AUTH_ID: authId,
        TRUNKGATE_ROOT_AUTH_TOKEN: token,
      });
    });
    after(async () => {
      await server.stop('SIGTERM');
    });

    test('the root account is the one from the environment, and nothing is printed', async () => {
      assert.equal(generatedRoot(server.stdout()), undefined);
      assert.ok(!server.stdout().includes(token));
      const res = await fetch(`${server.origin}/v1/Account/${authId}/`, {
        headers: { authorization: basic(authId, token) },
      });
      assert.equal(res.status, 200);
    });

    test('GET /openapi.json is OpenAPI 3.1 and lists the credential paths', async () => {
      const res = await fetch(`${server.origin}/openapi.json`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      assert.match(doc.openapi, /^3\.1\./);
      const paths = Object.keys(doc.paths);
      for (const shape of ['SipAuth', 'Zentrunk']) {
        const list = `/v1/Account/{auth_id}/${shape}/Credential/`;
        const item = `/v1/Account/{auth_id}/${shape}/Credential/{credential_uuid}/`;
        assert.ok(paths.includes(list), `${list} in ${paths.join(', ')}`);
        assert.ok(paths.includes(item), `${item} in ${paths.join(', ')}`);
        assert.deepEqual(Object.keys(doc.paths[list] ?? {}).sort(), ['get', 'post']);
        assert.deepEqual(Object.keys(doc.paths[item] ?? {}).sort(), ['delete', 'get', 'post']);
      }
      assert.ok(paths.includes('/v1/Account/{auth_id}/Subaccount/'));
      // Generated from the schemas: the request body of a create names its fields.
      const create = doc.paths['/v1/Account/{auth_id}/Zentrunk/Credential/']?.['post'] as {
        requestBody: { content: Record<string, { schema: { required: string[] } }> };
        responses: Record<string, unknown>;
      };
      assert.deepEqual(create.requestBody.content['application/json']?.schema.required.sort(), [
        'password',
        'username',
      ]);
      assert.ok(create.responses['201'] && create.responses['422']);
    });

    test('/docs answers 200 HTML', async () => {
      const res = await fetch(`${server.origin}/docs`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await res.text(), /<html/i);
    });
  });

  test('a bad environment value exits non-zero with a message naming the variable', async () => {
    const dbFile = join(dir, 'never.db');
    for (const [name, value] of [
      ['TRUNKGATE_HTTP_PORT', 'abc'],
      ['TRUNKGATE_LOG_LEVEL', 'loud'],
      ['DATABASE_URL', 'mysql://x'],
    ] as const) {
      const r = await runCli(['serve'], { TRUNKGATE_DB: dbFile, [name]: value });
      assert.notEqual(r.code, 0);
      assert.equal(r.code, 78, 'EX_CONFIG');
      assert.match(r.stderr, new RegExp(`invalid configuration: ${name}: `));
    }
    assert.ok(!existsSync(dbFile), 'nothing was created before the configuration was checked');
  });

  test('a taken HTTP port stops the start with exit 1 instead of leaving a half-started process', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const r = await runCli(['serve'], {
        TRUNKGATE_DB: join(dir, 'port-taken.db'),
        TRUNKGATE_HTTP_HOST: '127.0.0.1',
        TRUNKGATE_HTTP_PORT: String(taken),
        TRUNKGATE_SIP_HOST: '127.0.0.1',
        TRUNKGATE_SIP_PORT: String(await freePort()),
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });

  test('a database that cannot be used stops the start with a message naming its variable', async () => {
    const port = await freePort(); // nothing listens there
    const pg = await runCli(['serve'], {
      DATABASE_URL: `postgres://trunkgate:VerySecretPw@127.0.0.1:${port}/trunkgate`,
      TRUNKGATE_HTTP_PORT: String(await freePort()),
      TRUNKGATE_SIP_PORT: String(await freePort()),
    });
    assert.equal(pg.code, 1);
    assert.match(pg.stderr, /cannot use the database .*\(check DATABASE_URL\)/);
    assert.ok(!(pg.stdout + pg.stderr).includes('VerySecretPw'), 'the password is not printed');

    const notADb = join(dir, 'not-a-database.db');
    writeFileSync(notADb, 'this is not an SQLite file, but long enough to have a header page or two');
    for (const args of [['serve'], ['migrate']]) {
      const r = await runCli(args, { TRUNKGATE_DB: notADb, TRUNKGATE_HTTP_PORT: String(await freePort()) });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\(check TRUNKGATE_DB\)/);
    }
  });

  test('`trunkgate migrate` applies every migration to a fresh file, then has nothing to do', async () => {
    const dbFile = join(dir, 'migrate.db');
    const r = await runCli(['migrate'], { TRUNKGATE_DB: dbFile });
    assert.equal(r.code, 0, r.stderr);
    const names = Object.keys(await migrationProvider.getMigrations()).sort();
    assert.match(r.stdout, new RegExp(`applied ${names.join(', ')}`));
    const db = new SqliteDatabase(dbFile, { readonly: true });
    try {
      const applied = (
        db.prepare('select name from kysely_migration order by name').all() as Array<{ name: string }>
      ).map((m) => m.name);
      assert.deepEqual(applied, names);
      const tables = (
        db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>
      ).map((m) => m.name);
      for (const table of ['accounts', 'credentials']) assert.ok(tables.includes(table), table);
      assert.equal(
        (db.prepare('select count(*) as n from accounts').get() as { n: number }).n,
        0,
        'migrate creates no account',
      );
    } finally {
      db.close();
    }
    const again = await runCli(['migrate'], { TRUNKGATE_DB: dbFile });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already up to date/);
  });

  test('an unknown command exits 2 with the usage', async () => {
    const r = await runCli(['frobnicate'], {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    assert.match(r.stderr, /usage: trunkgate/);
  });
});
