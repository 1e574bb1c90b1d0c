// The README's "IP ACLs, trunks and applications" examples, run exactly as written: the block is
// read from README.md and each curl command is replayed through app.inject ($A and $API filled in
// for the test's root account, `| jq -r .field` read from the JSON). On every database.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';
import { REPO_ROOT } from '../helpers/server-process.ts';

const HEADING = '### IP ACLs, trunks and applications';

function readmeBlock(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(HEADING);
  assert.ok(at >= 0, `README.md has no "${HEADING}" section`);
  const start = readme.indexOf('```sh\n', at) + '```sh\n'.length;
  return readme.slice(start, readme.indexOf('```', start));
}

/** Splits a command line into words as bash would: quotes, backslash escapes, $VAR expansion. */
function words(line: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let word: string | null = null;
  const expand = (i: number): [string, number] => {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(line.slice(i));
    if (!m) return ['$', i + 1];
    const value = vars[m[1]!];
    assert.ok(value !== undefined, `$${m[1]} is not set`);
    return [value, i + m[0].length];
  };
  for (let i = 0; i < line.length; ) {
    const c = line[i]!;
    if (c === ' ') {
      if (word !== null) out.push(word);
      word = null;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      word ??= '';
      i++;
      while (line[i] !== '"') {
        if (line[i] === '\\' && '"\\$'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else if (line[i] === '$') {
          const [v, next] = expand(i);
          word += v;
          i = next;
        } else {
          word += line[i++];
        }
      }
      i++;
    } else if (c === '$') {
      const [v, next] = expand(i);
      word = (word ?? '') + v;
      i = next;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== null) out.push(word);
  return out;
}

interface Step {
  command: string;
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, asserted on below
  body: Record<string, any>;
}

async function runCurl(t: TestApp, argv: string[]): Promise<Omit<Step, 'command'>> {
  assert.equal(argv[0], 'curl');
  let method: string | undefined;
  let data: string | undefined;
  let user = '';
  let url = '';
  const headers: Record<string, string> = {};
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-s') continue;
    else if (arg === '-u') user = argv[++i]!;
    else if (arg === '-X') method = argv[++i];
    else if (arg === '-d') data = argv[++i];
    else if (arg === '-H') {
      const [name, ...value] = argv[++i]!.split(':');
      headers[name!.toLowerCase()] = value.join(':').trim();
    } else if (!arg.startsWith('-')) url = arg;
    else assert.fail(`curl option ${arg} is not understood by this test`);
  }
  const res = await t.app.inject({
    method: (method ?? (data === undefined ? 'GET' : 'POST')) as 'GET' | 'POST' | 'DELETE',
    url,
    headers: { ...headers, authorization: `Basic ${Buffer.from(user).toString('base64')}` },
    ...(data === undefined ? {} : { payload: data }),
  });
  return { status: res.statusCode, body: res.body === '' ? {} : JSON.parse(res.body) };
}

async function runBlock(t: TestApp): Promise<{ steps: Step[]; vars: Record<string, string> }> {
  const vars: Record<string, string> = {
    A: `${t.root.authId}:${t.root.token}`,
    API: `/v1/Account/${t.root.authId}`,
  };
  const lines = readmeBlock()
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const steps: Step[] = [];
  for (const line of lines) {
    const assign = /^([A-Z_]+)=\$\((curl .*) \| jq -r \.([a-z_]+)\)$/.exec(line);
    const curl = assign ? assign[2]! : line;
    const result = await runCurl(t, words(curl, vars));
    steps.push({ command: line, ...result });
    if (assign) {
      const value = result.body[assign[3]!];
      assert.equal(typeof value, 'string', `${line} → ${JSON.stringify(result.body)}`);
      vars[assign[1]!] = value;
    }
  }
  return { steps, vars };
}

for (const dialect of DIALECTS) {
  describe(`README: IP ACLs, trunks and applications (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect, { TRUNKGATE_SIP_DOMAIN: 'sip.trunkgate.local' });
    });
    after(() => t.close());

    test('a new user creates an ACL (IPv4 + IPv6), a credential, an outbound trunk and an application', async () => {
      const { steps, vars } = await runBlock(t);
      const find = (pattern: RegExp) => {
        const step = steps.find((s) => pattern.test(s.command));
        assert.ok(step, `no README command matches ${pattern}`);
        return step;
      };
      const last = steps.at(-1)!;
      for (const step of steps.slice(0, -1)) {
        assert.ok(
          step.status >= 200 && step.status < 300,
          `${step.command} → ${step.status} ${JSON.stringify(step.body)}`,
        );
      }

      const acl = find(/^ACL=/);
      assert.equal(acl.status, 201);
      assert.deepEqual(
        acl.body.entries.map((e: { ip: string; cidr_prefix: number }) => `${e.ip}/${e.cidr_prefix}`),
        ['203.0.113.0/24', '2001:db8:10::/48'],
      );
      assert.equal(find(/\/Entry\/$/).body.cidr_prefix, 32);
      assert.deepEqual(find(/Zentrunk\/IPAccessControlList\/\$ACL\/$/).body.ip_addresses, [
        '203.0.113.0/24',
        '2001:db8:10::/48',
        '127.0.0.1/32',
      ]);

      const trunk = find(/Zentrunk\/Trunk\/\$TRUNK\/$/).body;
      assert.equal(trunk.trunk_direction, 'outbound');
      assert.equal(trunk.ipacl_uuid, vars['ACL']);
      assert.equal(trunk.credential_uuid, vars['CRED']);
      assert.equal(trunk.trunk_domain, `${vars['TRUNK']}.sip.trunkgate.local`);

      const app = find(/Application\/\$APP\/$/).body;
      assert.equal(app.sip_auth_type, 'ip_acl_and_credential');
      assert.equal(app.ip_acl_uuid, vars['ACL']);
      assert.equal(app.credential_uuid, vars['CRED']);
      assert.equal(app.sip_uri, `sip:${vars['APP']}@sip.trunkgate.local`);

      assert.match(last.command, /-X DELETE/);
      assert.equal(last.status, 409);
      assert.equal(last.body.code, 'in_use');
      assert.deepEqual(last.body.trunks, [{ trunk_id: vars['TRUNK'], name: 'office-trunk' }]);
      assert.deepEqual(last.body.applications, [{ app_id: vars['APP'], app_name: 'ivr' }]);
    });
  });
}
