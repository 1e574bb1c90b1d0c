// The CLI's own commands against a real node: `--version`, `status`, and `--help` of `serve` and
// `migrate` (which must not start anything or touch the database).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  freePort,
  REPO_ROOT,
  runCli,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process.ts';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('trunkgate --version and --help', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--version, -v and version print package.json’s version', async () => {
    for (const args of [['--version'], ['-v'], ['version']]) {
      const r = await runCli(args, {});
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `trunkgate ${VERSION}\n`);
    }
  });

  test('--version needs no valid configuration', async () => {
    const r = await runCli(['--version'], { TRUNKGATE_HTTP_PORT: 'not-a-port' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `trunkgate ${VERSION}\n`);
  });

  test('migrate --help prints help and does not migrate (no database file appears)', async () => {
    const db = join(dir, 'never.db');
    const r = await runCli(['migrate', '--help'], { TRUNKGATE_DB: db });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: trunkgate migrate/);
    assert.equal(existsSync(db), false, 'migrate --help created the database');
    // The control: without --help the same command does create and migrate it.
    const real = await runCli(['migrate'], { TRUNKGATE_DB: db });
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /applied 001-accounts-and-credentials/);
    assert.equal(existsSync(db), true);
  });

  test('serve --help prints help, exits 0 and listens on nothing', async () => {
    const port = await freePort();
    const db = join(dir, 'serve-help.db');
    const r = await runCli(['serve', '--help'], { TRUNKGATE_HTTP_PORT: String(port), TRUNKGATE_DB: db });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: trunkgate serve \[--api-only \| --sip-only\]/);
    assert.match(r.stdout, /--sip-only/);
    assert.equal(existsSync(db), false);
  });

  test('an unknown serve option is a usage error (2)', async () => {
    const r = await runCli(['serve', '--bogus'], {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: trunkgate serve/);
  });

  test('trunkgate --help lists status and --version', async () => {
    const r = await runCli(['--help'], {});
    assert.equal(r.code, 0);
    assert.match(r.stdout, /status \[--url URL\]/);
    assert.match(r.stdout, /--version/);
  });
});

describe('trunkgate status against a running node', () => {
  let dir: string;
  let server: ServerProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-cli-status-'));
    server = await startServerProcess({
      TRUNKGATE_DB: join(dir, 'trunkgate.db'),
      TRUNKGATE_SIP_WORKERS: '1',
    });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const expected = (origin: string) =>
    new RegExp(
      `^trunkgate at ${origin.replace(/[.]/g, '\\.')}: ok\\n  database: +ok\\n  redis: +not_configured\\n  rate limits: +per_node\\n  sip edge: +1 worker\\(s\\), state memory\\n$`,
    );

  test('--url: database, Redis, rate limits and the edge; exit 0', async () => {
    const r = await runCli(['status', '--url', server.origin], {});
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, expected(server.origin));
  });

  test('TRUNKGATE_URL, and the configured HTTP host and port, reach the same node', async () => {
    const viaEnv = await runCli(['status'], { TRUNKGATE_URL: server.origin });
    assert.equal(viaEnv.code, 0, viaEnv.stdout + viaEnv.stderr);
    assert.match(viaEnv.stdout, expected(server.origin));
    const viaConfig = await runCli(['status'], {
      TRUNKGATE_HTTP_HOST: '0.0.0.0',
      TRUNKGATE_HTTP_PORT: String(server.port),
    });
    assert.equal(viaConfig.code, 0, viaConfig.stdout + viaConfig.stderr);
    assert.match(viaConfig.stdout, expected(`http://127.0.0.1:${server.port}`));
  });

  test('a node that does not answer: "unreachable", exit 1', async () => {
    const port = await freePort();
    const r = await runCli(['status', '--url', `http://127.0.0.1:${port}`], {});
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^trunkgate at http://127\\.0\\.0\\.1:${port}: unreachable`));
  });

  test('a bad --url is a usage error (2)', async () => {
    const r = await runCli(['status', '--url', 'ftp://x'], {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not an http\(s\) URL/);
  });
});
