// The resource commands (accounts, credentials, acls, uris, trunks, apps) run as the real CLI
// against a real node over HTTP, through the typed client: create, list, delete, the API's own
// refusals passed through (exit 1 with its message and code), and usage errors (exit 2).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const AUTH_ID = 'MACLIRESOURCES000001';
const AUTH_TOKEN = 'CliResourcesToken00000000000000000000001';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('trunkgate resource commands against a running node', { timeout: 600_000 }, () => {
  let dir: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-cli-res-'));
    server = await startServerProcess({
      TRUNKGATE_DB: join(dir, 'trunkgate.db'),
      TRUNKGATE_ROOT_AUTH_ID: AUTH_ID,
      TRUNKGATE_ROOT_AUTH_TOKEN: AUTH_TOKEN,
      TRUNKGATE_SIP_WORKERS: '1',
      TRUNKGATE_SIP_DOMAIN: 'sip.cli.test',
    });
    env = { TRUNKGATE_URL: server.origin, TRUNKGATE_AUTH_ID: AUTH_ID, TRUNKGATE_AUTH_TOKEN: AUTH_TOKEN };
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the API itself says, to check the CLI against. */
  async function apiGet(path: string): Promise<{ objects: Array<Record<string, unknown>> }> {
    const res = await fetch(`${server.origin}/v1/Account/${AUTH_ID}/${path}`, {
      headers: { authorization: `Basic ${Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64')}` },
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { objects: Array<Record<string, unknown>> };
  }

  test('credentials, acls, trunks, apps: create → list → in-use refusal → delete', async () => {
    const cred = await cli(['credentials', 'create', '--username', 'cli-pbx', '--name', 'from the CLI'], {
      TRUNKGATE_CREDENTIAL_PASSWORD: 'securepassword123!',
    });
    assert.equal(cred.code, 0, cred.stderr);
    const credId = cred.stdout.trim();
    assert.match(credId, UUID);
    assert.ok(!cred.stdout.includes('securepassword123!') && !cred.stderr.includes('securepassword123!'));

    const acl = await cli([
      'acls',
      'create',
      '--name',
      'office',
      '--cidr',
      '203.0.113.0/24',
      '--cidr',
      '2001:DB8::/48',
    ]);
    assert.equal(acl.code, 0, acl.stderr);
    const aclId = acl.stdout.trim();
    assert.match(aclId, UUID);

    const trunk = await cli([
      'trunks',
      'create',
      '--direction',
      'outbound',
      '--name',
      'cli-trunk',
      '--acl',
      aclId,
      '--credential',
      credId,
      '--cps',
      '3',
    ]);
    assert.equal(trunk.code, 0, trunk.stderr);
    const trunkId = trunk.stdout.trim();

    const app = await cli([
      'apps',
      'create',
      '--name',
      'cli-ivr',
      '--answer-url',
      'https://example.com/answer',
      '--auth-type',
      'ip_acl',
      '--acl',
      aclId,
    ]);
    assert.equal(app.code, 0, app.stderr);
    const appId = app.stdout.trim();

    // The lists are what the API holds, as tables…
    const trunks = await cli(['trunks', 'list']);
    assert.equal(trunks.code, 0, trunks.stderr);
    assert.equal(
      trunks.stdout,
      `trunk_id\tname\ttrunk_direction\ttrunk_domain\ttrunk_status\n${trunkId}\tcli-trunk\toutbound\t${trunkId}.sip.cli.test\tenabled\n`,
    );
    const acls = await cli(['acls', 'list']);
    assert.equal(
      acls.stdout,
      `ipacl_uuid\tname\tip_addresses\n${aclId}\toffice\t203.0.113.0/24,2001:db8::/48\n`,
    );
    // …or as JSON lines, equal to the API's own objects.
    const credsJson = await cli(['credentials', 'list', '--json']);
    assert.equal(credsJson.code, 0, credsJson.stderr);
    assert.deepEqual(
      credsJson.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      (await apiGet('Zentrunk/Credential/')).objects,
    );
    const apps = await cli(['apps', 'list', '--json']);
    const [appRow] = apps.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(appRow.app_id, appId);
    assert.equal(appRow.sip_uri, `sip:${appId}@sip.cli.test`);

    // The API's refusal, as the API words it, exit 1.
    const inUse = await cli(['acls', 'delete', aclId]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /^trunkgate acls: .*\(409 in_use\)\n$/);

    for (const [resource, id] of [
      ['apps', appId],
      ['trunks', trunkId],
      ['acls', aclId],
      ['credentials', credId],
    ] as const) {
      const del = await cli([resource, 'delete', id]);
      assert.equal(del.code, 0, `${resource} delete: ${del.stderr}`);
      assert.equal(del.stdout, '');
    }
    assert.equal((await apiGet('Zentrunk/Trunk/')).objects.length, 0);
    assert.equal((await apiGet('Zentrunk/Credential/')).objects.length, 0);
    const gone = await cli(['trunks', 'delete', trunkId]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /404 not_found/);
  });

  test('uris: an inbound trunk through its primary URI', async () => {
    const uri = await cli([
      'uris',
      'create',
      '--uri',
      'sip:pbx.example.com:5060;transport=tcp',
      '--name',
      'pbx',
    ]);
    assert.equal(uri.code, 0, uri.stderr);
    const uriId = uri.stdout.trim();
    const listed = await cli(['uris', 'list']);
    assert.match(
      listed.stdout,
      new RegExp(`^uri_uuid\\tname\\turi\\n${uriId}\\tpbx\\tsip:pbx\\.example\\.com:5060;transport=tcp\\n$`),
    );
    const trunk = await cli(['trunks', 'create', '--direction', 'inbound', '--primary-uri', uriId]);
    assert.equal(trunk.code, 0, trunk.stderr);
    assert.equal((await cli(['trunks', 'delete', trunk.stdout.trim()])).code, 0);
    assert.equal((await cli(['uris', 'delete', uriId])).code, 0);
  });

  test('accounts: subaccounts, with the token shown once on stderr; --account acts on one', async () => {
    const sub = await cli(['accounts', 'create', '--name', 'team-cli']);
    assert.equal(sub.code, 0, sub.stderr);
    const subId = sub.stdout.trim();
    assert.match(subId, /^SA[A-Z0-9]{18}$/);
    const token = /auth_token \(shown once\): (\S+)/.exec(sub.stderr)?.[1] ?? '';
    assert.equal(token.length, 40);
    const list = await cli(['accounts', 'list']);
    assert.match(list.stdout, new RegExp(`\\n${subId}\\tteam-cli\\ttrue\\t`));

    // The parent creates in the subaccount; the subaccount, signed in itself, sees it.
    const acl = await cli(['acls', 'create', '--account', subId, '--cidr', '198.51.100.0/24']);
    assert.equal(acl.code, 0, acl.stderr);
    const asSub = await cli(['acls', 'list', '--json'], {
      TRUNKGATE_AUTH_ID: subId,
      TRUNKGATE_AUTH_TOKEN: token,
    });
    assert.equal(JSON.parse(asSub.stdout.trim()).ipacl_uuid, acl.stdout.trim());
    // A subaccount cannot reach its parent: the API's 404.
    const up = await cli(['acls', 'list', '--account', AUTH_ID], {
      TRUNKGATE_AUTH_ID: subId,
      TRUNKGATE_AUTH_TOKEN: token,
    });
    assert.equal(up.code, 1);
    assert.match(up.stderr, /404/);

    assert.equal((await cli(['accounts', 'delete', subId])).code, 0);
    assert.doesNotMatch((await cli(['accounts', 'list'])).stdout, new RegExp(subId));
  });

  test('an API key works as TRUNKGATE_API_KEY (with --account), wrong credentials are the API’s 401', async () => {
    const res = await fetch(`${server.origin}/v1/Account/${AUTH_ID}/ApiKey/`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'cli' }),
    });
    const { token } = (await res.json()) as { token: string };
    const viaKey = await runCli(['trunks', 'list', '--account', AUTH_ID], {
      TRUNKGATE_URL: server.origin,
      TRUNKGATE_API_KEY: token,
    });
    assert.equal(viaKey.code, 0, viaKey.stderr);
    assert.match(viaKey.stdout, /^trunk_id\t/);
    const wrong = await cli(['trunks', 'list'], { TRUNKGATE_AUTH_TOKEN: 'x'.repeat(40) });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /\(401 unauthenticated\)/);
  });

  test('usage errors exit 2 and say what is wrong; secrets never come from the command line', async () => {
    const cases: Array<[string[], RegExp, Record<string, string>?]> = [
      [['trunks', 'create'], /--direction is required/],
      [['trunks', 'frobnicate'], /unknown command "frobnicate"/],
      [['acls', 'create', '--name', 'x'], /give at least one --cidr/],
      [['acls', 'list', '--password', 'x'], /unknown option --password/],
      [['credentials', 'create', '--username', 'u'], /TRUNKGATE_CREDENTIAL_PASSWORD/],
      [['apps', 'delete'], /missing the id to delete/],
      [['apps', 'list'], /no credentials/, { TRUNKGATE_AUTH_ID: '', TRUNKGATE_AUTH_TOKEN: '' }],
    ];
    for (const [args, why, extra] of cases) {
      const r = await cli(args, extra);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, why, args.join(' '));
    }
    const help = await cli(['trunks', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: trunkgate trunks <list\|create\|delete>/);
  });

  test('a node that is not there: exit 1, "cannot reach the API"', async () => {
    const r = await runCli(['acls', 'list'], { ...env, TRUNKGATE_URL: 'http://127.0.0.1:1' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach the API/);
  });
});
