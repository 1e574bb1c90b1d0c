// The root account across restarts: TRUNKGATE_ROOT_AUTH_ID naming an id the database does not
// hold, while it holds a root already, stops the start with one line instead of adding a second
// root; `trunkgate root rotate-token` replaces a root's token (the old one stops working).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { basic, ROOT_AUTH_ID, ROOT_AUTH_TOKEN } from '../helpers/app.ts';
import { runCli, startServerProcess } from '../helpers/server-process.ts';

describe('root account (real processes, SQLite)', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-root-'));
    env = { TRUNKGATE_DB: join(dir, 'db.sqlite'), TRUNKGATE_LOG_LEVEL: 'warn' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function status(origin: string, authId: string, token: string): Promise<number> {
    const res = await fetch(`${origin}/v1/Account/${authId}/`, {
      headers: { authorization: basic(authId, token) },
    });
    await res.arrayBuffer();
    return res.status;
  }

  test('a generated root; other root variables are refused; rotate-token replaces the token', async () => {
    const first = await startServerProcess(env, ['--api-only']);
    await first.stop();
    const authId = /auth_id:\s+(\S+)/.exec(first.stdout())?.[1];
    const oldToken = /auth_token:\s+(\S+)/.exec(first.stdout())?.[1];
    assert.ok(authId !== undefined && oldToken !== undefined, first.stdout());

    // Variables naming another id: the start fails with one line naming both ids, nothing is created.
    const refused = await runCli(['serve', '--api-only'], {
      ...env,
      TRUNKGATE_HTTP_HOST: '127.0.0.1',
      TRUNKGATE_HTTP_PORT: '0',
      TRUNKGATE_ROOT_AUTH_ID: ROOT_AUTH_ID,
      TRUNKGATE_ROOT_AUTH_TOKEN: ROOT_AUTH_TOKEN,
    });
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    const lines = refused.stderr.trim().split('\n');
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0] ?? '', new RegExp(`${ROOT_AUTH_ID}.*${authId}.*second root`));

    // rotate-token is refused while TRUNKGATE_ROOT_AUTH_TOKEN is set …
    const withVar = await runCli(['root', 'rotate-token'], {
      ...env,
      TRUNKGATE_ROOT_AUTH_ID: authId,
      TRUNKGATE_ROOT_AUTH_TOKEN: ROOT_AUTH_TOKEN,
    });
    assert.equal(withVar.code, 1, withVar.stderr);
    assert.match(withVar.stderr, /TRUNKGATE_ROOT_AUTH_TOKEN is set/);
    // … and otherwise prints a new token once.
    const rotated = await runCli(['root', 'rotate-token'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const newToken = new RegExp(`root account ${authId}: new auth_token ([A-Za-z0-9]{40})`).exec(
      rotated.stdout,
    )?.[1];
    assert.ok(newToken !== undefined && newToken !== oldToken, rotated.stdout);

    const second = await startServerProcess(env, ['--api-only']);
    try {
      assert.equal(await status(second.origin, authId, oldToken), 401);
      assert.equal(await status(second.origin, authId, newToken), 200);
      // The refused start created no account.
      assert.equal(await status(second.origin, ROOT_AUTH_ID, ROOT_AUTH_TOKEN), 401);
    } finally {
      await second.stop();
    }
    // A generated root is printed on the first start only.
    assert.doesNotMatch(second.stdout(), /root account created/);
  });
});
