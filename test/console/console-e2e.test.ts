// The web console end to end: a real trunkgate process on a real port, driven in Debian's Chromium.
// Every step checks what the console shows against what the API then holds. Screenshots of each
// page go to test-output/console/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { buildConsole } from '../../console/build.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { type Browser, chromiumSkip, openBrowser, screenshot } from './browser.ts';

const ROOT = 'MACONSOLETEST0000001';
const TOKEN = 'ConsoleTestToken000000000000000000000001';

describe('web console in Chromium', chromiumSkip(), () => {
  let dir: string;
  let env: Record<string, string>;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let apiKeyToken = '';

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${server.origin}/v1/Account/${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${ROOT}:${TOKEN}`).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
    return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, any> };
  }

  async function go(hash: string) {
    await page.goto(`${server.origin}/console/#/${hash}`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  }

  before(async () => {
    await buildConsole();
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-console-'));
    env = {
      TRUNKGATE_DB: join(dir, 'trunkgate.db'),
      TRUNKGATE_ROOT_AUTH_ID: ROOT,
      TRUNKGATE_ROOT_AUTH_TOKEN: TOKEN,
      // 127.0.0.1/32 is the test's own address: it must be allowed on the API IP allowlist.
      TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: 'true',
      TRUNKGATE_SIP_WORKERS: '1',
      TRUNKGATE_LOG_LEVEL: 'warn',
      TRUNKGATE_ALLOWLIST_REFRESH_MS: '200',
    };
    server = await startServerProcess(env);
    browser = await openBrowser(server.origin);
    page = browser.page;
    // Generous: a loaded machine is slow; a hang still fails rather than blocking the suite.
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/ redirects to the console; a wrong token is refused as the API words it; sign-in', async () => {
    await page.goto(`${server.origin}/`);
    assert.equal(new URL(page.url()).pathname, '/console/');
    await page.getByLabel('Auth ID', { exact: true }).fill(ROOT);
    await page.getByLabel('Auth token', { exact: true }).fill('x'.repeat(40));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = await api('GET', `${ROOT}/`).then(() =>
      fetch(`${server.origin}/v1/Account/${ROOT}/`, {
        headers: { authorization: `Basic ${Buffer.from(`${ROOT}:${'x'.repeat(40)}`).toString('base64')}` },
      }),
    );
    const words = ((await refused.json()) as { error: string }).error;
    await page.getByRole('alert').filter({ hasText: words }).waitFor();
    await screenshot(page, '00-sign-in');

    await page.getByLabel('Auth token', { exact: true }).fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.locator('.overview dd code').filter({ hasText: ROOT }).waitFor();
    await page.locator('.status-ok').waitFor();
    await screenshot(page, '01-overview');
    // The secret is in sessionStorage only: nothing in localStorage, no cookie.
    const stored = await page.evaluate(() => ({
      local: window.localStorage.length,
      cookie: document.cookie,
      session: window.sessionStorage.length,
    }));
    assert.deepEqual(stored, { local: 0, cookie: '', session: 1 });
  });

  test('credentials: a weak password is refused at its field; create one', async () => {
    await go('credentials');
    // Keyboard basics: focus moves into the modal and stays there; Escape closes and focus returns.
    const opener = page.getByRole('button', { name: '+ New credential' });
    await opener.click();
    const inDialog = () => page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null);
    assert.equal(await inDialog(), true);
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      assert.equal(await inDialog(), true);
    }
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal(await opener.evaluate((el) => el === document.activeElement), true);
    await opener.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('office-pbx');
    await dialog.getByLabel('Username', { exact: true }).fill('office-pbx');
    await dialog.getByLabel('Password', { exact: true }).fill('short');
    await dialog.getByRole('button', { name: 'Create credential' }).click();
    const weak = await api('POST', `${ROOT}/Zentrunk/Credential/`, {
      username: 'probe-user',
      password: 'short',
    });
    await dialog
      .locator('.field.has-error')
      .filter({ hasText: 'Password' })
      .filter({ hasText: weak.body['error'] })
      .waitFor();
    await screenshot(page, '02-credentials-error');
    await dialog.getByLabel('Password', { exact: true }).fill('Correct4HorseBattery');
    await dialog.getByRole('button', { name: 'Create credential' }).click();
    await page.getByRole('cell', { name: 'office-pbx', exact: true }).first().waitFor();
    await screenshot(page, '03-credentials');
    const list = await api('GET', `${ROOT}/Zentrunk/Credential/`);
    assert.deepEqual(
      list.body['objects'].map((c: { username: string }) => c.username),
      ['office-pbx'],
    );
  });

  test('IP ACLs: an ACL with an IPv6 entry; the host-bits message at the field', async () => {
    await go('ip-acls');
    await page.getByRole('button', { name: '+ New IP ACL' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('office-pbx');
    await dialog.getByLabel('IP address', { exact: true }).fill('2001:DB8:10::');
    await dialog.getByLabel('Prefix length', { exact: true }).fill('48');
    await dialog.getByRole('button', { name: 'Create ACL' }).click();
    await page.locator('code.chip').filter({ hasText: '2001:db8:10::/48' }).waitFor();

    await page.getByRole('button', { name: 'Entries of office-pbx' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('IP address', { exact: true }).fill('10.1.2.3');
    await dialog.getByLabel('Prefix length', { exact: true }).fill('24');
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    const err = dialog.locator('.field.has-error .field-error');
    await err.waitFor();
    assert.match((await err.textContent()) ?? '', /use 10\.1\.2\.0\/24/);
    await screenshot(page, '04-ip-acl-host-bits');
    await dialog.getByLabel('IP address', { exact: true }).fill('198.51.100.7');
    await dialog.getByLabel('Prefix length', { exact: true }).fill('');
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    await dialog.getByRole('cell', { name: '198.51.100.7/32', exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await screenshot(page, '05-ip-acls');
    const acls = await api('GET', `${ROOT}/Zentrunk/IPAccessControlList/`);
    assert.deepEqual(acls.body['objects'][0].ip_addresses, ['2001:db8:10::/48', '198.51.100.7/32']);
  });

  test('trunks: an outbound trunk using the ACL and the credential shows its domain', async () => {
    const acl = (await api('GET', `${ROOT}/Zentrunk/IPAccessControlList/`)).body['objects'][0]
      .ipacl_uuid as string;
    const cred = (await api('GET', `${ROOT}/Zentrunk/Credential/`)).body['objects'][0]
      .credential_uuid as string;
    await go('trunks');
    await page.getByRole('button', { name: '+ New trunk' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('office-trunk');
    await dialog.getByLabel('IP ACL', { exact: true }).selectOption(acl);
    await dialog.getByLabel('Credential', { exact: true }).selectOption(cred);
    await dialog.getByLabel('CPS limit', { exact: true }).fill('5');
    await dialog.getByLabel('MD5', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Create trunk' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const trunks = await api('GET', `${ROOT}/Zentrunk/Trunk/`);
    const trunk = trunks.body['objects'][0];
    assert.equal(trunk.ipacl_uuid, acl);
    assert.equal(trunk.credential_uuid, cred);
    assert.equal(trunk.cps_limit, 5);
    assert.deepEqual(trunk.digest_algorithms, ['MD5']);
    const domain = page.locator('code.trunk-domain');
    assert.equal((await domain.textContent()) ?? '', trunk.trunk_domain);
    assert.match(trunk.trunk_domain, new RegExp(`^${trunk.trunk_id}\\.`));
    await page.getByRole('button', { name: 'Copy the trunk domain of office-trunk' }).click();
    await page.getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), trunk.trunk_domain);
    await screenshot(page, '06-trunks');

    // In use: deleting the ACL is refused and the console lists the trunk.
    await go('ip-acls');
    await page.getByRole('button', { name: 'Delete IP ACL office-pbx' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').locator('.in-use').filter({ hasText: 'office-trunk' }).waitFor();
    await screenshot(page, '07-ip-acl-in-use');
    await page.keyboard.press('Escape');
  });

  test('IP Whitelisting: two CIDRs at once, a subset refused, the lockout confirmation, edit, delete', async () => {
    await go('ip-whitelist');
    await page.locator('code.client-address').filter({ hasText: '127.0.0.1' }).waitFor();
    await page.getByRole('button', { name: '+ Add CIDR Address' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('CIDR addresses', { exact: true }).fill('34.120.16.0/24, 127.0.0.1/32');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const row24 = page.getByRole('row').filter({ hasText: '34.120.16.0/24' });
    await row24.getByRole('cell', { name: '255.255.255.0', exact: true }).waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: '127.0.0.1/32' })
      .getByRole('cell', { name: '255.255.255.255', exact: true })
      .waitFor();
    await screenshot(page, '08-ip-whitelist');

    // A subset: refused, with the API's message next to the CIDR it concerns.
    await page.getByRole('button', { name: '+ Add CIDR Address' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('CIDR addresses', { exact: true }).fill('52.14.8.9/32, 34.120.16.128/25');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    const refused = dialog.locator('.typed-cidrs li.has-error');
    await refused.waitFor();
    assert.equal((await refused.locator('code').textContent()) ?? '', '34.120.16.128/25');
    assert.match(
      (await refused.locator('.field-error').textContent()) ?? '',
      /34\.120\.16\.128\/25 is already covered by .*34\.120\.16\.0\/24/,
    );
    await screenshot(page, '09-ip-whitelist-subset');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal((await api('GET', `${ROOT}/IPWhitelist/`)).body['meta'].total_count, 2);

    // Editing our own entry away would lock us out: the dialog names the address; cancel keeps it.
    await page.getByRole('button', { name: 'Edit 127.0.0.1/32' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('CIDR address', { exact: true }).fill('52.14.8.9/32');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const lockout = page.getByRole('dialog', { name: 'Lock out your own address?' });
    await lockout.locator('strong.address').filter({ hasText: '127.0.0.1' }).waitFor();
    await lockout.getByRole('button', { name: 'Yes, lock out 127.0.0.1' }).waitFor();
    await screenshot(page, '10-ip-whitelist-lockout');
    await lockout.getByRole('button', { name: 'Cancel' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const afterCancel = (await api('GET', `${ROOT}/IPWhitelist/`)).body['objects'].map(
      (e: { cidr: string }) => e.cidr,
    );
    assert.deepEqual([...afterCancel].sort(), ['127.0.0.1/32', '34.120.16.0/24']);

    // Edit: /24 → /23.
    await page.getByRole('button', { name: 'Edit 34.120.16.0/24' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('CIDR address', { exact: true }).fill('34.120.16.0/23');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('row')
      .filter({ hasText: '34.120.16.0/23' })
      .getByRole('cell', { name: '255.255.254.0', exact: true })
      .waitFor();

    // Delete: the /23.
    await page.getByRole('button', { name: 'Delete 34.120.16.0/23' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('row').filter({ hasText: '34.120.16.0/23' }).waitFor({ state: 'detached' });

    // Add one more, then delete our own entry and confirm the lockout: the console is then refused
    // as the API words it, until the break-glass command clears the list.
    await page.getByRole('button', { name: '+ Add CIDR Address' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('CIDR addresses', { exact: true }).fill('52.14.8.9/32');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('row').filter({ hasText: '52.14.8.9/32' }).waitFor();
    await page.getByRole('button', { name: 'Delete 127.0.0.1/32' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Lock out your own address?' })
      .getByRole('button', { name: 'Yes, lock out 127.0.0.1' })
      .click();
    const locked = await api('GET', `${ROOT}/`);
    assert.equal(locked.status, 403);
    await page.reload();
    await page.getByRole('alert').filter({ hasText: locked.body['error'] }).first().waitFor();
    await screenshot(page, '11-ip-whitelist-locked-out');
    const cleared = await runCli(['allowlist', 'clear', ROOT], env);
    assert.equal(cleared.code, 0, cleared.stderr);
    for (let i = 0; i < 300 && (await api('GET', `${ROOT}/`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal((await api('GET', `${ROOT}/`)).status, 200);
  });

  test('API keys: the token is shown once, with a copy button', async () => {
    await go('api-keys');
    // Back from the lockout: the account switcher is there again.
    await page.getByLabel('Account', { exact: true }).waitFor();
    await page.getByRole('button', { name: '+ New API key' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('ci-deploy');
    await page.getByRole('dialog').getByRole('button', { name: 'Create API key' }).click();
    const secret = page.getByTestId('secret-once');
    await secret.waitFor();
    apiKeyToken = (await secret.textContent()) ?? '';
    assert.match(apiKeyToken, /^tgk_[A-Za-z0-9_-]{40}$/);
    await page.getByRole('button', { name: 'Copy the token' }).click();
    await page.getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), apiKeyToken);
    await screenshot(page, '12-api-key-token-once');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('cell', { name: 'ci-deploy', exact: true }).waitFor();
    // Shown once: not on the page any more, not in storage; the list has its prefix only.
    assert.equal((await page.content()).includes(apiKeyToken), false);
    assert.equal(
      await page.evaluate((t) => JSON.stringify({ ...window.sessionStorage }).includes(t), apiKeyToken),
      false,
    );
    await page.getByRole('cell', { name: `${apiKeyToken.slice(0, 12)}…` }).waitFor();
    await screenshot(page, '13-api-keys');
    const works = await fetch(`${server.origin}/v1/Account/${ROOT}/`, {
      headers: { authorization: `Bearer ${apiKeyToken}` },
    });
    assert.equal(works.status, 200);
  });

  test('provider credentials with the API key; the effective group limit', async () => {
    await go('provider-credentials');
    await page.getByLabel('API key', { exact: true }).fill(apiKeyToken);
    await page.getByRole('button', { name: 'Use this key' }).click();
    for (const [server, limit] of [
      ['sip.carrier.example:5060', '2'],
      ['sip2.carrier.example', '0.5'],
    ] as const) {
      await page.getByRole('button', { name: '+ New provider credential' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Server', { exact: true }).fill(server);
      await dialog.getByLabel('CPS limit', { exact: true }).fill(limit);
      await dialog.getByLabel('CPS key', { exact: true }).fill('carrier-x');
      await dialog.getByRole('button', { name: 'Create provider credential' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }
    const row = page.getByRole('row').filter({ hasText: 'sip.carrier.example:5060' });
    await row.locator('td.effective-limit').filter({ hasText: '0.5 /s' }).waitFor();
    await screenshot(page, '14-provider-credentials');
  });

  test('subaccounts: create one (token shown once) and switch into it', async () => {
    await go('subaccounts');
    await page.getByRole('button', { name: '+ New subaccount' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('team-a');
    await page.getByRole('dialog').getByRole('button', { name: 'Create subaccount' }).click();
    await page.getByTestId('secret-once').waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    const subs = await api('GET', `${ROOT}/Subaccount/`);
    const sub = subs.body['objects'][0].auth_id as string;
    await screenshot(page, '15-subaccounts');

    await page.getByRole('button', { name: 'Switch to team-a' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Acting on subaccount ${sub}` })
      .waitFor();
    assert.equal(await page.getByLabel('Account', { exact: true }).inputValue(), sub);
    await go('credentials');
    await page.getByText('No credentials yet.').waitFor();
    await page.getByRole('button', { name: '+ New credential' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Username', { exact: true }).fill('team-a-pbx');
    await dialog.getByLabel('Password', { exact: true }).fill('Correct4HorseBattery');
    await dialog.getByRole('button', { name: 'Create credential' }).click();
    await page.getByRole('cell', { name: 'team-a-pbx', exact: true }).waitFor();
    await screenshot(page, '16-subaccount-credentials');
    const subCreds = await api('GET', `${sub}/Zentrunk/Credential/`);
    assert.deepEqual(
      subCreds.body['objects'].map((c: { username: string }) => c.username),
      ['team-a-pbx'],
    );
    const rootCreds = await api('GET', `${ROOT}/Zentrunk/Credential/`);
    assert.deepEqual(
      rootCreds.body['objects'].map((c: { username: string }) => c.username),
      ['office-pbx'],
    );
    await page.getByRole('button', { name: `Back to ${ROOT}` }).click();
    await page.getByRole('cell', { name: 'office-pbx', exact: true }).first().waitFor();
    await go('overview');
    await page.locator('.sub-list').filter({ hasText: sub }).waitFor();
    await screenshot(page, '01-overview-with-subaccount');
  });

  test('origination URIs and applications pages', async () => {
    await go('origination-uris');
    await page.getByRole('button', { name: '+ New origination URI' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('URI', { exact: true }).fill('sip:pbx.example.com:5060;transport=tcp');
    await dialog.getByRole('button', { name: 'Create URI' }).click();
    await page.getByRole('cell', { name: 'sip:pbx.example.com:5060;transport=tcp', exact: true }).waitFor();
    await screenshot(page, '17-origination-uris');

    await go('applications');
    await page.getByRole('button', { name: '+ New application' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('ivr');
    await dialog.getByLabel('Answer URL', { exact: true }).fill('not a url');
    await dialog.getByRole('button', { name: 'Create application' }).click();
    await dialog.locator('.field.has-error').filter({ hasText: 'Answer URL' }).waitFor();
    await dialog.getByLabel('Answer URL', { exact: true }).fill('https://example.com/answer');
    await dialog.getByRole('button', { name: 'Create application' }).click();
    await page.getByRole('cell', { name: 'ivr', exact: true }).waitFor();
    await screenshot(page, '18-applications');
  });

  test('lists page 20 at a time', async () => {
    // 21 URIs with the one made above.
    for (let i = 1; i <= 20; i++) {
      const r = await api('POST', `${ROOT}/Zentrunk/URI/`, {
        name: `pbx-${i}`,
        uri: `pbx${i}.example.com:5060`,
      });
      assert.equal(r.status, 201);
    }
    await go('origination-uris');
    const pager = page.getByRole('navigation', { name: 'origination URIs pages' });
    await pager.getByText('1–20 of 21 origination URIs').waitFor();
    assert.equal(await page.locator('tbody tr').count(), 20);
    await pager.getByRole('button', { name: 'Next page' }).click();
    await pager.getByText('21–21 of 21 origination URIs').waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1);
    assert.equal(await pager.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await screenshot(page, '19-paging');
  });

  test('sign out forgets the secret; an API key signs in too', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => window.sessionStorage.length), 0);
    await page.getByLabel('An API key', { exact: true }).check();
    await page.getByLabel('Auth ID', { exact: true }).fill(ROOT);
    await page.getByLabel('API key', { exact: true }).fill(apiKeyToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.locator('.overview dd code').filter({ hasText: ROOT }).waitFor();
  });
});
