// Encryption keys of stored provider passwords, through the real CLI process (`trunkgate keys …`,
// `trunkgate serve`) on SQLite files and PostgreSQL: rotation from k1 to k2 in batches, an
// interrupted rotation that resumes, the start-up check, and the "done when" flow of issue 6.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ensureRootAccount } from '../../src/bootstrap-root.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openStore } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { basic, ROOT_AUTH_ID, ROOT_AUTH_TOKEN } from '../helpers/app.ts';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/database.ts';
import { type CliResult, runCli, startServerProcess } from '../helpers/server-process.ts';

const KEY = {
  k0: randomBytes(32).toString('base64'),
  k1: randomBytes(32).toString('base64'),
  k2: randomBytes(32).toString('base64'),
};
const K1_ONLY = `k1:${KEY.k1}`;
const K2_K1 = `k2:${KEY.k2},k1:${KEY.k1}`;
const K2_ONLY = `k2:${KEY.k2}`;

/** Everything the child processes printed, searched for passwords at the end. */
const OUTPUTS: string[] = [];
const PASSWORDS: string[] = [];
function password(): string {
  const p = `Rot-${randomBytes(12).toString('base64url')}`;
  PASSWORDS.push(p);
  return p;
}

async function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const r = await runCli(args, env);
  OUTPUTS.push(r.stdout, r.stderr);
  return r;
}

for (const dialect of DIALECTS) {
  describe(`provider password keys via the CLI (${dialect})`, () => {
    let db: TestDatabase;
    let baseEnv: Record<string, string>;
    /** id → password, for every credential that has one. */
    const stored = new Map<string, string>();
    let noPasswordId = '';

    /** In-process services with the given keys, closed after fn. */
    async function withServices<T>(keys: string | undefined, fn: (s: Services) => Promise<T>): Promise<T> {
      const config = loadConfig({
        ...baseEnv,
        ...(keys === undefined ? {} : { TRUNKGATE_SECRET_KEYS: keys }),
      });
      const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
      try {
        await migrateToLatest(store);
        const services = createServices(config, store);
        await ensureRootAccount(config, services.accounts, createLogger('silent'));
        return await fn(services);
      } finally {
        await store.close();
      }
    }

    const usage = (keys = K2_K1) => withServices(keys, (s) => s.providerCredentials.countByKeyId());

    /** Every stored password decrypts to what was stored, with the given keys. */
    async function assertAllUsable(keys: string): Promise<void> {
      await withServices(keys, async (s) => {
        for (const [id, pw] of stored) {
          const use = await s.providerCredentials.findForUse(ROOT_AUTH_ID, id);
          assert.equal(use.kind, 'ok', `${id}: ${JSON.stringify(use)}`);
          if (use.kind === 'ok') assert.equal(use.authPassword, pw);
        }
        const none = await s.providerCredentials.findForUse(ROOT_AUTH_ID, noPasswordId);
        assert.equal(none.kind === 'ok' && none.authPassword, null);
      });
    }

    before(async () => {
      db = await createTestDatabase(dialect);
      baseEnv = {
        TRUNKGATE_DB: db.sqlitePath,
        ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
        TRUNKGATE_ROOT_AUTH_ID: ROOT_AUTH_ID,
        TRUNKGATE_ROOT_AUTH_TOKEN: ROOT_AUTH_TOKEN,
        TRUNKGATE_LOG_LEVEL: 'info',
      };
      // Six credentials with a password and one without, all sealed under k1.
      await withServices(K1_ONLY, async (s) => {
        for (let i = 0; i < 7; i++) {
          const pw = i === 3 ? null : password();
          const r = await s.providerCredentials.create(
            ROOT_AUTH_ID,
            {
              server: `carrier${i}.example.com`,
              domain: null,
              authUser: `user${i}`,
              authPassword: pw,
              transport: 'udp',
              description: null,
              cpsLimit: null,
              cpsKey: null,
            },
            { source: 'manual' },
          );
          assert.equal(r.kind, 'ok');
          if (r.kind !== 'ok') continue;
          if (pw === null) noPasswordId = r.credential.id;
          else stored.set(r.credential.id, pw);
        }
      });
    });
    after(() => db.drop());

    test('an interrupted rotation resumes; at the end every credential opens under k2 alone and none is left under k1', async () => {
      assert.deepEqual(await usage(), [{ keyId: 'k1', count: 6 }]);
      const before = await withServices(K2_K1, (s) =>
        s.store.db
          .selectFrom('provider_credentials')
          .select(['id', 'auth_password_ciphertext', 'updated_at'])
          .execute(),
      );

      // Interrupted: stops after one committed batch of 2.
      const first = await cli(['keys', 'rotate', '--batch-size', '2', '--max-batches', '1'], {
        ...baseEnv,
        TRUNKGATE_SECRET_KEYS: K2_K1,
      });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /newest key: "k2"/);
      assert.match(first.stdout, /provider_credentials\.auth_password: 6 under "k1" \(older\)/);
      assert.match(first.stdout, /batch 1: provider_credentials\.auth_password: re-encrypted 2 of 2/);
      assert.match(first.stdout, /re-encrypted 2 secret\(s\) in 1 batch\(es\); 4 still under older keys/);
      assert.match(
        first.stdout,
        /stopped after --max-batches 1; run `trunkgate keys rotate` again to continue/,
      );
      assert.deepEqual(await usage(), [
        { keyId: 'k1', count: 4 },
        { keyId: 'k2', count: 2 },
      ]);
      // Mid-rotation every credential is usable with both keys configured.
      await assertAllUsable(K2_K1);

      // Re-running continues with the rows not yet under k2 (it does not redo the first two).
      const second = await cli(['keys', 'rotate', '--batch-size=2', '--max-batches=1'], {
        ...baseEnv,
        TRUNKGATE_SECRET_KEYS: K2_K1,
      });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /4 under "k1" \(older\), 2 under "k2" \(newest\)/);
      assert.match(second.stdout, /re-encrypted 2 secret\(s\) in 1 batch\(es\); 2 still under older keys/);

      const last = await cli(['keys', 'rotate', '--batch-size', '2'], {
        ...baseEnv,
        TRUNKGATE_SECRET_KEYS: K2_K1,
      });
      assert.equal(last.code, 0, last.stderr);
      assert.match(last.stdout, /re-encrypted 2 secret\(s\) in 1 batch\(es\); 0 still under older keys/);
      assert.match(last.stdout, /done: every stored secret is under "k2"/);

      assert.deepEqual(await usage(), [{ keyId: 'k2', count: 6 }]);
      await assertAllUsable(K2_ONLY);
      const afterRows = await withServices(K2_ONLY, (s) =>
        s.store.db
          .selectFrom('provider_credentials')
          .select(['id', 'auth_password_ciphertext', 'updated_at'])
          .execute(),
      );
      for (const row of afterRows) {
        const old = before.find((b) => b.id === row.id)!;
        assert.equal(
          row.updated_at,
          old.updated_at,
          'rotation is not a user-visible change (lastUpdateTime kept)',
        );
        if (row.id === noPasswordId) assert.equal(row.auth_password_ciphertext, null);
        else {
          assert.notEqual(row.auth_password_ciphertext, old.auth_password_ciphertext);
          assert.match(row.auth_password_ciphertext ?? '', /^v1\.k2\./);
        }
      }

      // Nothing left: a further run is a no-op.
      const again = await cli(['keys', 'rotate'], { ...baseEnv, TRUNKGATE_SECRET_KEYS: K2_K1 });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /re-encrypted 0 secret\(s\) in 0 batch\(es\); 0 still under older keys/);
      const status = await cli(['keys', 'status'], { ...baseEnv, TRUNKGATE_SECRET_KEYS: K2_ONLY });
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /provider_credentials\.auth_password: 6 under "k2" \(newest\)/);
    });

    // Nothing here depends on the database: one dialect is enough.
    if (dialect === DIALECTS[0]) {
      test('usage errors and no key to rotate to', async () => {
        const bad = await cli(['keys', 'rotate', '--batch-size', '0'], {
          ...baseEnv,
          TRUNKGATE_SECRET_KEYS: K2_ONLY,
        });
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--batch-size needs a whole number/);
        const unknown = await cli(['keys', 'spin'], { ...baseEnv, TRUNKGATE_SECRET_KEYS: K2_ONLY });
        assert.equal(unknown.code, 2);
        const noKeys = await cli(['keys', 'rotate'], baseEnv);
        assert.equal(noKeys.code, 78);
        assert.match(noKeys.stderr, /TRUNKGATE_SECRET_KEYS: no key is configured/);
        const gen = await cli(['keys', 'generate'], baseEnv);
        assert.equal(gen.code, 0);
        assert.equal(Buffer.from(gen.stdout.trim(), 'base64').length, 32);
      });
    }

    test('a secret no configured key opens: rotate reports it (exit 1), serve refuses to start (exit 78)', async () => {
      // One credential sealed under k0, a key the other runs do not have.
      const orphan = await withServices(`k0:${KEY.k0}`, async (s) => {
        const r = await s.providerCredentials.create(
          ROOT_AUTH_ID,
          {
            server: 'orphan.example.com',
            domain: null,
            authUser: null,
            authPassword: password(),
            transport: 'udp',
            description: null,
            cpsLimit: null,
            cpsKey: null,
          },
          { source: 'manual' },
        );
        assert.equal(r.kind, 'ok');
        return r.kind === 'ok' ? r.credential.id : '';
      });

      try {
        await orphanChecks(orphan);
      } finally {
        await withServices(K2_ONLY, (s) =>
          s.providerCredentials.delete(ROOT_AUTH_ID, orphan, { force: false }),
        );
      }
    });

    async function orphanChecks(orphan: string): Promise<void> {
      const rotate = await cli(['keys', 'rotate'], { ...baseEnv, TRUNKGATE_SECRET_KEYS: K2_K1 });
      assert.equal(rotate.code, 1);
      assert.match(
        rotate.stderr,
        new RegExp(
          `cannot re-encrypt provider_credentials\\.auth_password row ${orphan}: its key "k0" is not configured`,
        ),
      );
      assert.match(rotate.stdout, /1 failed; 1 still under older keys/);

      const status = await cli(['keys', 'status'], { ...baseEnv, TRUNKGATE_SECRET_KEYS: K2_ONLY });
      assert.equal(status.code, 1);
      assert.match(status.stdout, /1 under "k0" \(NOT CONFIGURED\)/);

      // serve: a clear configuration error at start, before listening.
      for (const keys of [K2_ONLY, undefined]) {
        const env = { ...baseEnv, ...(keys === undefined ? {} : { TRUNKGATE_SECRET_KEYS: keys }) };
        await assert.rejects(startServerProcess(env), (err: Error) => {
          OUTPUTS.push(err.message);
          assert.match(err.message, /exited \(78\) before answering/);
          assert.match(
            err.message,
            /invalid configuration: TRUNKGATE_SECRET_KEYS: 1 secret\(s\) in provider_credentials\.auth_password are encrypted under key id "k0", which is not configured/,
          );
          assert.match(
            err.message,
            keys === undefined ? /This process has no keys/ : /This process has key ids k2/,
          );
          return true;
        });
      }
      // A key under the right id but with the wrong bytes: also refused at start.
      await assert.rejects(
        startServerProcess({ ...baseEnv, TRUNKGATE_SECRET_KEYS: `${K2_ONLY},k0:${KEY.k1}` }),
        (err: Error) => {
          OUTPUTS.push(err.message);
          assert.match(
            err.message,
            /key id "k0" is configured but does not open provider_credentials\.auth_password row/,
          );
          return true;
        },
      );
      // With k0 configured, rotation finishes the job and k0 can then be dropped.
      const fix = await cli(['keys', 'rotate'], {
        ...baseEnv,
        TRUNKGATE_SECRET_KEYS: `${K2_K1},k0:${KEY.k0}`,
      });
      assert.equal(fix.code, 0, fix.stderr);
      assert.match(fix.stdout, /re-encrypted 1 secret\(s\)/);
      const server = await startServerProcess({ ...baseEnv, TRUNKGATE_SECRET_KEYS: K2_ONLY });
      OUTPUTS.push(server.stdout(), server.stderr());
      assert.equal((await server.stop()).code, 0);
    }

    test('done when: store with curl-like calls, read back without the password, rotate with the CLI, still decrypts', async () => {
      const pw = password();
      let server = await startServerProcess({ ...baseEnv, TRUNKGATE_SECRET_KEYS: K2_ONLY });
      let id = '';
      let token = '';
      try {
        const key = await fetch(`${server.origin}/v1/Account/${ROOT_AUTH_ID}/ApiKey/`, {
          method: 'POST',
          headers: {
            authorization: basic(ROOT_AUTH_ID, ROOT_AUTH_TOKEN),
            'content-type': 'application/json',
          },
          body: JSON.stringify({ name: 'carrier-config' }),
        });
        assert.equal(key.status, 201);
        token = ((await key.json()) as { token: string }).token;
        const created = await fetch(`${server.origin}/api/v1/sip-credentials`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            server: 'sip.carrier.example:5060',
            authUser: 'acct-77',
            authPassword: pw,
            cpsLimit: 0.5,
          }),
        });
        const createdText = await created.text();
        OUTPUTS.push(createdText);
        assert.equal(created.status, 201, createdText);
        id = (JSON.parse(createdText) as { id: string }).id;
        const got = await fetch(`${server.origin}/api/v1/sip-credentials/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const gotText = await got.text();
        OUTPUTS.push(gotText);
        const body = JSON.parse(gotText) as Record<string, unknown>;
        assert.equal(body['hasAuthPassword'], true);
        assert.equal(body['cpsLimit'], 0.5);
        assert.ok(!('authPassword' in body));
      } finally {
        await server.stop();
        OUTPUTS.push(server.stdout(), server.stderr());
      }

      // Rotate from k2 to a new k3.
      const k3 = randomBytes(32).toString('base64');
      const rotate = await cli(['keys', 'rotate'], {
        ...baseEnv,
        TRUNKGATE_SECRET_KEYS: `k3:${k3},${K2_ONLY}`,
      });
      assert.equal(rotate.code, 0, rotate.stderr);
      assert.match(rotate.stdout, /done: every stored secret is under "k3"/);

      server = await startServerProcess({ ...baseEnv, TRUNKGATE_SECRET_KEYS: `k3:${k3}` });
      try {
        const got = await fetch(`${server.origin}/api/v1/sip-credentials/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const text = await got.text();
        OUTPUTS.push(text);
        assert.equal(got.status, 200, text);
        assert.equal((JSON.parse(text) as { hasAuthPassword: boolean }).hasAuthPassword, true);
      } finally {
        await server.stop();
        OUTPUTS.push(server.stdout(), server.stderr());
      }
      await withServices(`k3:${k3}`, async (s) => {
        const use = await s.providerCredentials.findForUse(ROOT_AUTH_ID, id);
        assert.equal(use.kind === 'ok' && use.authPassword, pw);
      });
    });
  });
}

describe('no password in any CLI or server output', () => {
  test('searches everything the child processes printed', () => {
    assert.ok(OUTPUTS.join('').includes('re-encrypted'), 'outputs were captured');
    assert.ok(PASSWORDS.length >= 7);
    for (const out of OUTPUTS) {
      for (const p of PASSWORDS) assert.ok(!out.includes(p), 'a process printed a password');
      for (const k of Object.values(KEY)) assert.ok(!out.includes(k), 'a process printed an encryption key');
    }
  });
});
