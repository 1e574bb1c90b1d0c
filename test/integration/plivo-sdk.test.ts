// The real Plivo Node SDK (npm `plivo`), pointed at a real listening trunkgate with its `url`
// client option, manages subaccounts and reads the account — on every database.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import plivo from 'plivo';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The SDK's typings describe few of the fields it returns; these are the ones it reads (camelCased).
interface SdkSubaccount {
  id?: string;
  authId: string;
  authToken?: string;
  apiId?: string;
  name: string;
  enabled: boolean;
  account: string;
  resourceUri: string;
  created: string;
  modified: string;
  update(name: string, enabled?: boolean): Promise<{ apiId: string; message: string }>;
  delete(cascade?: boolean): Promise<boolean>;
}
interface SdkList extends Array<SdkSubaccount> {
  meta: { limit: number; offset: number; totalCount: number; previous: string | null; next: string | null };
}
interface SdkClient {
  accounts: { get(): Promise<Record<string, unknown>> };
  subaccounts: {
    create(
      name: string,
      enabled?: boolean,
    ): Promise<{ apiId: string; authId: string; authToken: string; message: string }>;
    get(id: string): Promise<SdkSubaccount>;
    list(params?: { limit?: number; offset?: number }): Promise<SdkList>;
    update(id: string, name: string, enabled?: boolean): Promise<{ apiId: string; message: string }>;
    delete(id: string, cascade?: boolean): Promise<boolean>;
  };
}

/**
 * Asserts the SDK call fails with trunkgate's error message. (The SDK maps statuses to classes such
 * as AuthenticationError, but its ES5-compiled Error subclasses come out as plain Errors, so the
 * message — which the SDK takes from our `error` field — is what a caller can rely on.)
 */
async function rejectsWith(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

const UNAUTHENTICATED = /^Authentication failed/;
const NOT_FOUND = /^No subaccount with id SA[A-Z0-9]{18} was found/;

for (const dialect of DIALECTS) {
  describe(`Plivo Node SDK against trunkgate (${dialect})`, () => {
    let t: TestApp;
    let port: number;
    let root: SdkClient;

    function sdk(authId: string, authToken: string): SdkClient {
      return new plivo.Client(authId, authToken, {
        url: `http://127.0.0.1:${port}/v1/Account/${authId}`,
      }) as unknown as SdkClient;
    }

    before(async () => {
      t = await buildTestApp(dialect);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      port = (t.app.server.address() as AddressInfo).port;
      root = sdk(t.root.authId, t.root.token);
    });
    after(() => t.close());

    test('accounts.get() reads the account', async () => {
      const a = await root.accounts.get();
      assert.equal(a['accountType'], 'standard');
      assert.equal(a['name'], 'root');
      assert.equal(a['resourceUri'], `/v1/Account/${t.root.authId}/`);
      assert.match(String(a['apiId']), UUID_RE);
      for (const k of [
        'address',
        'autoRecharge',
        'billingMode',
        'cashCredits',
        'city',
        'state',
        'timezone',
      ]) {
        assert.ok(a[k] !== undefined, `${k} is set`);
      }
    });

    test('a wrong token is refused with trunkgate’s 401 message', async () => {
      await rejectsWith(
        sdk(t.root.authId, 'WrongToken000000000000000000000000000000').accounts.get(),
        UNAUTHENTICATED,
      );
    });

    test('subaccounts: create → get → list → update → delete', async () => {
      const created = await root.subaccounts.create('sdk-team', true);
      assert.equal(created.message, 'created');
      assert.match(created.authId, /^SA[A-Z0-9]{18}$/);
      assert.match(created.authToken, /^[A-Za-z0-9]{40}$/);
      assert.match(created.apiId, UUID_RE);
      const id = created.authId;

      const got = await root.subaccounts.get(id);
      assert.equal(got.authId, id);
      assert.equal(got.name, 'sdk-team');
      assert.equal(got.enabled, true);
      assert.equal(got.account, `/v1/Account/${t.root.authId}/`);
      assert.equal(got.resourceUri, `/v1/Account/${t.root.authId}/Subaccount/${id}/`);
      assert.ok(!Number.isNaN(Date.parse(got.created)));
      assert.equal(got.authToken, undefined, 'the token is shown only once');

      // The subaccount's own credentials work through the SDK too.
      const asSub = sdk(id, created.authToken);
      const me = await asSub.accounts.get();
      assert.equal(me['accountType'], 'subaccount');
      assert.equal(me['name'], 'sdk-team');

      const list = await root.subaccounts.list();
      assert.equal(list.meta.totalCount, 1);
      assert.equal(list.meta.limit, 20);
      assert.equal(list.meta.offset, 0);
      assert.equal(list.length, 1);
      assert.equal(list[0]?.id, id, 'the SDK takes the id from auth_id');

      const upd = await root.subaccounts.update(id, 'sdk-team-renamed', false);
      assert.equal(upd.message, 'changed');
      assert.match(upd.apiId, UUID_RE);
      const after = await root.subaccounts.get(id);
      assert.equal(after.name, 'sdk-team-renamed');
      assert.equal(after.enabled, false);
      // Disabled: its own SDK client is now refused.
      await rejectsWith(asSub.accounts.get(), UNAUTHENTICATED);

      // update without `enabled` leaves it as it is
      await root.subaccounts.update(id, 'sdk-team-2');
      const again = await root.subaccounts.get(id);
      assert.equal(again.name, 'sdk-team-2');
      assert.equal(again.enabled, false);

      assert.equal(await root.subaccounts.delete(id), true);
      await rejectsWith(root.subaccounts.get(id), NOT_FOUND);
      await rejectsWith(root.subaccounts.delete(id), NOT_FOUND);
      const row = await t.services.store.db
        .selectFrom('accounts')
        .select('auth_id')
        .where('auth_id', '=', id)
        .executeTakeFirst();
      assert.equal(row, undefined);
    });

    test('create without `enabled` makes a disabled subaccount (Plivo’s default)', async () => {
      const created = await root.subaccounts.create('sdk-default');
      assert.equal((await root.subaccounts.get(created.authId)).enabled, false);
      await rejectsWith(sdk(created.authId, created.authToken).accounts.get(), UNAUTHENTICATED);
      assert.equal(await root.subaccounts.delete(created.authId, true), true, 'cascade=true is accepted');
    });

    test('list pages with limit and offset; objects update and delete themselves', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await root.subaccounts.create(`page-${i}`, true)).authId);
      const page = await root.subaccounts.list({ limit: 2, offset: 0 });
      assert.equal(page.length, 2);
      assert.equal(page.meta.totalCount, 3);
      assert.equal(page.meta.next, `v1/Account/${t.root.authId}/Subaccount/?limit=2&offset=2`);
      const rest = await root.subaccounts.list({ limit: 2, offset: 2 });
      assert.equal(rest.length, 1);
      assert.equal(rest.meta.next, null);
      assert.deepEqual([...page, ...rest].map((s) => s.authId).sort(), [...ids].sort());

      // Methods on the listed objects (Subaccount.update / Subaccount.delete).
      const first = page[0];
      assert.ok(first);
      const res = await first.update('renamed-from-list', true);
      assert.equal(res.message, 'changed');
      assert.equal((await root.subaccounts.get(first.authId)).name, 'renamed-from-list');
      assert.equal(await first.delete(), true);
      assert.equal((await root.subaccounts.list()).meta.totalCount, 2);

      await rejectsWith(root.subaccounts.list({ limit: 21 }), /limit must be from 1 to 20, got 21/);
      for (const id of ids.filter((i) => i !== first.authId)) await root.subaccounts.delete(id);
    });

    test('a subaccount cannot manage subaccounts; another account’s subaccount is not found', async () => {
      const created = await root.subaccounts.create('sdk-sub', true);
      const asSub = sdk(created.authId, created.authToken);
      // The SDK maps no class to 403 and reports only the status for it.
      await rejectsWith(asSub.subaccounts.create('grandchild', true), /status code 403/);
      assert.equal((await root.subaccounts.list()).meta.totalCount, 1, 'no grandchild was made');

      const other = await t.services.accounts.createTopLevel('sdk-other');
      const otherSdk = sdk(other.row.auth_id, other.authToken);
      await rejectsWith(otherSdk.subaccounts.get(created.authId), NOT_FOUND);
      await rejectsWith(otherSdk.subaccounts.update(created.authId, 'hijack', false), NOT_FOUND);
      await rejectsWith(otherSdk.subaccounts.delete(created.authId), NOT_FOUND);
      const still = await root.subaccounts.get(created.authId);
      assert.equal(still.name, 'sdk-sub');
      assert.equal(still.enabled, true);
      await root.subaccounts.delete(created.authId);
    });
  });
}
