// Two API processes writing one SQLite file at the same time: every write succeeds. A deferred
// transaction that reads and then writes cannot wait for the other process's lock (SQLite answers
// SQLITE_BUSY at once to avoid a deadlock), so write transactions must start IMMEDIATE and wait
// out the busy timeout instead (src/store/sqlite-dialect.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { basic, ROOT_AUTH_ID, ROOT_AUTH_TOKEN } from '../helpers/app.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const PER_PROCESS = 60;
const CONCURRENCY = 6;

describe('two API processes on one SQLite file', () => {
  let dir: string;
  const servers: ServerProcess[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-two-'));
    const env = {
      TRUNKGATE_DB: join(dir, 'shared.db'),
      TRUNKGATE_ROOT_AUTH_ID: ROOT_AUTH_ID,
      TRUNKGATE_ROOT_AUTH_TOKEN: ROOT_AUTH_TOKEN,
      TRUNKGATE_QUOTA_IP_ACLS: '10000',
      TRUNKGATE_API_RATE_LIMIT: '100000',
      TRUNKGATE_API_RATE_BURST: '100000',
      TRUNKGATE_LOG_LEVEL: 'warn',
    };
    // Migrate once, so the two processes race on writes and not on creating the schema.
    const migrated = await runCli(['migrate'], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    servers.push(await startServerProcess(env, ['--api-only']));
    servers.push(await startServerProcess(env, ['--api-only']));
  });
  after(async () => {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('concurrent creates and updates through both processes all succeed', async () => {
    const auth = basic(ROOT_AUTH_ID, ROOT_AUTH_TOKEN);
    const failures: string[] = [];
    async function worker(server: ServerProcess, w: number): Promise<void> {
      for (let i = w; i < PER_PROCESS; i += CONCURRENCY) {
        const base = `${server.origin}/v1/Account/${ROOT_AUTH_ID}/Zentrunk/IPAccessControlList/`;
        const created = await fetch(base, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `p${server.port}-${i}`, ip_addresses: ['203.0.113.0/24'] }),
        });
        const body = (await created.json()) as { ipacl_uuid?: string; code?: string };
        if (created.status !== 201) {
          failures.push(`create ${created.status} ${body.code}`);
          continue;
        }
        const updated = await fetch(`${base}${body.ipacl_uuid}/`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ ip_addresses: ['203.0.113.0/24', '198.51.100.0/24'] }),
        });
        if (updated.status !== 202 && updated.status !== 200)
          failures.push(`update ${updated.status} ${await updated.text()}`);
        else await updated.arrayBuffer();
      }
    }
    const work: Promise<void>[] = [];
    for (const s of servers) for (let w = 0; w < CONCURRENCY; w++) work.push(worker(s, w));
    await Promise.all(work);
    assert.deepEqual(failures, []);

    const list = await fetch(
      `${servers[0]!.origin}/v1/Account/${ROOT_AUTH_ID}/Zentrunk/IPAccessControlList/`,
      {
        headers: { authorization: auth },
      },
    );
    const listed = (await list.json()) as { meta: { total_count: number } };
    assert.equal(listed.meta.total_count, PER_PROCESS * servers.length);
    for (const s of servers) assert.doesNotMatch(s.stdout() + s.stderr(), /database is locked|SQLITE_BUSY/);
  });
});
