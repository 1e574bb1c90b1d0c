// Accounts, subaccounts and who may act on what (issue 3, items 3 and 5), on every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureRootAccount } from '../../src/bootstrap-root.ts';
import { loadConfig } from '../../src/config.ts';
import { hashToken, tokenMatches } from '../../src/domain/account-identity.ts';
import { createLogger } from '../../src/logger.ts';
import { AccountRepository } from '../../src/store/repositories/account-repository.ts';
import { basic, buildTestApp, type Caller, client, type TestApp } from '../helpers/app.ts';
import { createTestStore, DIALECTS } from '../helpers/database.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PASSWORD = 'Str0ngPassword';

type Res = Awaited<ReturnType<ReturnType<typeof client>['get']>>;

/** DESIGN.md: every body carries a fresh api_id; every error has a stable code and a message. */
function checkEnvelope(res: Res): Res {
  if (res.status === 204) {
    assert.equal(res.raw, '');
    return res;
  }
  assert.match(String(res.body?.api_id), UUID_RE, `api_id in ${res.raw}`);
  if (res.status >= 400) {
    assert.equal(typeof res.body.code, 'string', `code in ${res.raw}`);
    assert.equal(typeof res.body.error, 'string');
    assert.ok(res.body.error.length > 10);
  }
  return res;
}

/** A client whose every response is checked for the envelope. */
function checked(t: TestApp, who: Caller) {
  const c = client(t.app, who);
  return {
    get: async (p: string) => checkEnvelope(await c.get(p)),
    post: async (p: string, b?: unknown) => checkEnvelope(await c.post(p, b)),
    delete: async (p: string) => checkEnvelope(await c.delete(p)),
  };
}

async function rawCall(t: TestApp, method: 'GET' | 'POST', url: string, headers: Record<string, string>) {
  const res = await t.app.inject({ method, url, headers });
  const body = (res.body === '' ? undefined : JSON.parse(res.body)) as Res['body'];
  return checkEnvelope({
    status: res.statusCode,
    headers: res.headers,
    body,
    raw: res.body,
  });
}

for (const dialect of DIALECTS) {
  describe(`accounts and subaccounts (${dialect})`, () => {
    let t: TestApp;
    let root: ReturnType<typeof checked>;
    let base: string;

    async function createSub(name: string, enabled = true): Promise<Caller> {
      const res = await root.post(`${base}/Subaccount/`, { name, enabled });
      assert.equal(res.status, 201, res.raw);
      return { authId: res.body.auth_id, token: res.body.auth_token };
    }

    before(async () => {
      // This suite sends many wrong credentials on purpose: lift the brute-force block.
      t = await buildTestApp(dialect, { TRUNKGATE_AUTH_MAX_FAILURES: '1000000' });
      root = checked(t, { authId: t.root.authId, token: t.root.token });
      base = `/v1/Account/${t.root.authId}`;
    });
    after(() => t.close());

    test('GET the account, with or without the trailing slash', async () => {
      for (const path of [`${base}/`, base]) {
        const res = await root.get(path);
        assert.equal(res.status, 200);
        assert.equal(res.body.auth_id, t.root.authId);
        assert.equal(res.body.account_type, 'standard');
        assert.equal(res.body.name, 'root');
        assert.equal(res.body.enabled, true);
        assert.equal(res.body.parent_auth_id, null);
        assert.equal(res.body.resource_uri, `/v1/Account/${t.root.authId}/`);
        assert.ok(!Number.isNaN(Date.parse(res.body.created)));
        assert.ok(!res.raw.includes(t.root.token));
        assert.ok(!res.raw.includes(hashToken(t.root.token)));
        assert.ok(!('token_hash' in res.body) && !('auth_token' in res.body));
      }
    });

    describe('401 with WWW-Authenticate: Basic', () => {
      const url = () => `${base}/`;
      const cases: Array<[string, () => Record<string, string>]> = [
        ['no Authorization header', () => ({})],
        ['a wrong token', () => ({ authorization: basic(t.root.authId, `${t.root.token.slice(0, -1)}B`) })],
        ['an empty token', () => ({ authorization: basic(t.root.authId, '') })],
        ['an unknown auth id', () => ({ authorization: basic('MAUNKNOWN00000000000', t.root.token) })],
        ['an auth id that is not one', () => ({ authorization: basic('x'.repeat(500), t.root.token) })],
        ['a malformed Basic value', () => ({ authorization: 'Basic %%%not-base64' })],
        [
          'Basic without a colon',
          () => ({ authorization: `Basic ${Buffer.from(t.root.authId).toString('base64')}` }),
        ],
        ['another scheme', () => ({ authorization: `Digest username="${t.root.authId}"` })],
        [
          'the token hash instead of the token',
          () => ({ authorization: basic(t.root.authId, hashToken(t.root.token)) }),
        ],
      ];
      for (const [what, headers] of cases) {
        test(what, async () => {
          for (const method of ['GET', 'POST'] as const) {
            const res = await rawCall(t, method, method === 'GET' ? url() : `${base}/Subaccount/`, headers());
            assert.equal(res.status, 401, res.raw);
            assert.match(String(res.headers['www-authenticate']), /^Basic realm="trunkgate"/);
            assert.equal(res.body.code, 'unauthenticated');
          }
        });
      }

      test('an unknown auth id gets exactly the response a wrong token gets', async () => {
        const strip = (r: Res) => ({
          status: r.status,
          auth: r.headers['www-authenticate'],
          ...r.body,
          api_id: 'x',
        });
        const unknown = await rawCall(t, 'GET', url(), { authorization: basic('MAUNKNOWN00000000000', 'x') });
        const wrong = await rawCall(t, 'GET', url(), { authorization: basic(t.root.authId, 'x') });
        assert.deepEqual(strip(unknown), strip(wrong));
        // and the same on another account's path, which must not reveal whether it exists
        const other = await rawCall(t, 'GET', '/v1/Account/MAUNKNOWN00000000000/', {
          authorization: basic('MAUNKNOWN00000000000', 'x'),
        });
        assert.deepEqual(strip(other), strip(wrong));
      });

      test('authentication is checked before anything else (even unknown paths under an account)', async () => {
        const res = await rawCall(t, 'GET', `${base}/Subaccount/SANOTHERE00000000000/`, {});
        assert.equal(res.status, 401);
      });
    });

    describe('subaccount lifecycle', () => {
      let sub: Caller;

      test('create returns auth_id SA… and the auth_token, once', async () => {
        const res = await root.post(`${base}/Subaccount/`, { name: 'team-a', enabled: true });
        assert.equal(res.status, 201);
        assert.equal(res.body.message, 'created');
        assert.match(res.body.auth_id, /^SA[A-Z0-9]{18}$/);
        assert.match(res.body.auth_token, /^[A-Za-z0-9]{40}$/);
        assert.deepEqual(Object.keys(res.body).sort(), ['api_id', 'auth_id', 'auth_token', 'message']);
        sub = { authId: res.body.auth_id, token: res.body.auth_token };

        // Stored only as its SHA-256.
        const row = await t.services.store.db
          .selectFrom('accounts')
          .selectAll()
          .where('auth_id', '=', sub.authId)
          .executeTakeFirstOrThrow();
        assert.equal(row.token_hash, hashToken(sub.token));
        assert.equal(row.parent_auth_id, t.root.authId);
        assert.ok(!JSON.stringify(row).includes(sub.token));

        // Never shown again.
        const got = await root.get(`${base}/Subaccount/${sub.authId}/`);
        const list = await root.get(`${base}/Subaccount/`);
        for (const r of [got, list]) {
          assert.ok(!r.raw.includes(sub.token));
          assert.ok(!r.raw.includes('auth_token'));
          assert.ok(!r.raw.includes(row.token_hash));
        }
      });

      test('the new token works for Basic auth', async () => {
        const me = await checked(t, sub).get(`/v1/Account/${sub.authId}/`);
        assert.equal(me.status, 200);
        assert.equal(me.body.auth_id, sub.authId);
        assert.equal(me.body.account_type, 'subaccount');
        assert.equal(me.body.parent_auth_id, t.root.authId);
        assert.equal(me.body.name, 'team-a');
      });

      test('get', async () => {
        const res = await root.get(`${base}/Subaccount/${sub.authId}`);
        assert.equal(res.status, 200);
        assert.deepEqual(Object.keys(res.body).sort(), [
          'account',
          'api_id',
          'auth_id',
          'created',
          'enabled',
          'modified',
          'name',
          'resource_uri',
        ]);
        assert.equal(res.body.account, `/v1/Account/${t.root.authId}/`);
        assert.equal(res.body.resource_uri, `/v1/Account/${t.root.authId}/Subaccount/${sub.authId}/`);
        assert.equal(res.body.enabled, true);
        assert.equal(res.body.name, 'team-a');
      });

      test('enabled defaults to false (as Plivo), and a disabled subaccount cannot authenticate', async () => {
        const res = await root.post(`${base}/Subaccount/`, { name: 'dormant' });
        assert.equal(res.status, 201);
        const got = await root.get(`${base}/Subaccount/${res.body.auth_id}/`);
        assert.equal(got.body.enabled, false);
        const denied = await checked(t, { authId: res.body.auth_id, token: res.body.auth_token }).get(
          `/v1/Account/${res.body.auth_id}/`,
        );
        assert.equal(denied.status, 401);
        assert.equal(denied.body.code, 'unauthenticated');
        assert.equal((await root.delete(`${base}/Subaccount/${res.body.auth_id}/`)).status, 204);
      });

      test('update name and enabled (202); disabling locks it out, enabling lets it back in', async () => {
        const renamed = await root.post(`${base}/Subaccount/${sub.authId}/`, { name: 'team-a-renamed' });
        assert.equal(renamed.status, 202);
        assert.equal(renamed.body.message, 'changed');
        assert.equal((await root.get(`${base}/Subaccount/${sub.authId}/`)).body.name, 'team-a-renamed');

        const off = await root.post(`${base}/Subaccount/${sub.authId}/`, { enabled: false });
        assert.equal(off.status, 202);
        assert.equal((await root.get(`${base}/Subaccount/${sub.authId}/`)).body.enabled, false);
        assert.equal((await checked(t, sub).get(`/v1/Account/${sub.authId}/`)).status, 401);

        // form-encoded, as Plivo's SDKs and curl -d send it
        const on = await t.app.inject({
          method: 'POST',
          url: `${base}/Subaccount/${sub.authId}/`,
          headers: {
            authorization: basic(t.root.authId, t.root.token),
            'content-type': 'application/x-www-form-urlencoded',
          },
          payload: 'enabled=true&name=team-a',
        });
        assert.equal(on.statusCode, 202, on.body);
        const got = await root.get(`${base}/Subaccount/${sub.authId}/`);
        assert.equal(got.body.enabled, true);
        assert.equal(got.body.name, 'team-a');
        assert.equal((await checked(t, sub).get(`/v1/Account/${sub.authId}/`)).status, 200);
      });

      test('update errors', async () => {
        const empty = await root.post(`${base}/Subaccount/${sub.authId}/`, {});
        assert.equal(empty.status, 400);
        assert.equal(empty.body.code, 'validation_failed');
        const blank = await root.post(`${base}/Subaccount/${sub.authId}/`, { name: '' });
        assert.equal(blank.status, 400);
        assert.equal(blank.body.code, 'invalid_name');
        assert.equal(blank.body.field, 'name');
        const unknown = await root.post(`${base}/Subaccount/${sub.authId}/`, { name: 'x', colour: 'red' });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body.code, 'unknown_field');
        assert.equal(unknown.body.field, 'colour');
        const notBool = await root.post(`${base}/Subaccount/${sub.authId}/`, { enabled: 'maybe' });
        assert.equal(notBool.status, 400);
        assert.equal(notBool.body.code, 'validation_failed');
        assert.equal(notBool.body.field, 'enabled');
        const missing = await root.post(`${base}/Subaccount/SANOSUCHSUBACCOUNT00/`, { name: 'x' });
        assert.equal(missing.status, 404);
        assert.equal(missing.body.code, 'not_found');
      });

      test('create errors', async () => {
        const noName = await root.post(`${base}/Subaccount/`, { enabled: true });
        assert.equal(noName.status, 400);
        assert.equal(noName.body.code, 'validation_failed');
        assert.equal(noName.body.field, 'name');
        for (const name of ['', '   ', 'x'.repeat(121)]) {
          const bad = await root.post(`${base}/Subaccount/`, { name });
          assert.equal(bad.status, 400);
          assert.equal(bad.body.code, 'invalid_name');
        }
        const unknown = await root.post(`${base}/Subaccount/`, {
          name: 'x',
          auth_id: 'SACHOSENBYME00000000',
        });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body.code, 'unknown_field');
        const badJson = await t.app.inject({
          method: 'POST',
          url: `${base}/Subaccount/`,
          headers: { authorization: basic(t.root.authId, t.root.token), 'content-type': 'application/json' },
          payload: '{"name": "x",}',
        });
        assert.equal(badJson.statusCode, 400);
        assert.equal(JSON.parse(badJson.body).code, 'invalid_json');
      });

      test('delete (204) takes its credentials with it and stops its token', async () => {
        const victim = await createSub('short-lived');
        const own = checked(t, victim);
        const vbase = `/v1/Account/${victim.authId}`;
        const c1 = await own.post(`${vbase}/Zentrunk/Credential/`, {
          username: 'victim-1',
          password: PASSWORD,
        });
        const c2 = await root.post(`${vbase}/SipAuth/Credential/`, {
          username: 'victim-2',
          password: PASSWORD,
        });
        assert.equal(c1.status, 201);
        assert.equal(c2.status, 201);
        const countCreds = async () =>
          Number(
            (
              await t.services.store.db
                .selectFrom('credentials')
                .select((eb) => eb.fn.countAll<string | number>().as('n'))
                .where('account_auth_id', '=', victim.authId)
                .executeTakeFirstOrThrow()
            ).n,
          );
        assert.equal(await countCreds(), 2);

        const del = await root.delete(`${base}/Subaccount/${victim.authId}/`);
        assert.equal(del.status, 204);
        assert.equal(await countCreds(), 0);
        const row = await t.services.store.db
          .selectFrom('accounts')
          .select('auth_id')
          .where('auth_id', '=', victim.authId)
          .executeTakeFirst();
        assert.equal(row, undefined);
        assert.equal((await root.get(`${base}/Subaccount/${victim.authId}/`)).status, 404);
        assert.equal((await root.delete(`${base}/Subaccount/${victim.authId}/`)).status, 404);
        assert.equal((await own.get(`${vbase}/`)).status, 401);
        // The Plivo SDK's cascade flag is accepted.
        const other = await createSub('cascade');
        assert.equal((await root.delete(`${base}/Subaccount/${other.authId}/?cascade=true`)).status, 204);
      });
    });

    describe('Plivo pagination of subaccounts', () => {
      let pbase: string;
      let parent: ReturnType<typeof checked>;
      const made: string[] = [];

      before(async () => {
        // A separate top-level account, so earlier tests do not change the counts.
        const acct = await t.services.accounts.createTopLevel('pager');
        parent = checked(t, { authId: acct.row.auth_id, token: acct.authToken });
        pbase = `/v1/Account/${acct.row.auth_id}`;
        for (let i = 0; i < 5; i++) {
          const r = await parent.post(`${pbase}/Subaccount/`, { name: `p${i}` });
          assert.equal(r.status, 201);
          made.push(r.body.auth_id);
        }
      });

      test('default page: limit 20, offset 0, no links', async () => {
        const res = await parent.get(`${pbase}/Subaccount/`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.meta, { limit: 20, offset: 0, total_count: 5, previous: null, next: null });
        assert.deepEqual(
          res.body.objects.map((o: { auth_id: string }) => o.auth_id).sort(),
          [...made].sort(),
        );
      });

      test('pages of 2 walk every subaccount once, with next/previous URIs', async () => {
        const p = pbase.slice(1);
        const first = await parent.get(`${pbase}/Subaccount/?limit=2`);
        assert.deepEqual(first.body.meta, {
          limit: 2,
          offset: 0,
          total_count: 5,
          previous: null,
          next: `${p}/Subaccount/?limit=2&offset=2`,
        });
        const second = await parent.get(`/${first.body.meta.next}`);
        assert.equal(second.status, 200);
        assert.equal(second.body.meta.previous, `${p}/Subaccount/?limit=2&offset=0`);
        assert.equal(second.body.meta.next, `${p}/Subaccount/?limit=2&offset=4`);
        const third = await parent.get(`/${second.body.meta.next}`);
        assert.equal(third.body.meta.next, null);
        assert.equal(third.body.objects.length, 1);
        const seen = [...first.body.objects, ...second.body.objects, ...third.body.objects].map(
          (o: { auth_id: string }) => o.auth_id,
        );
        assert.deepEqual([...seen].sort(), [...made].sort());
      });

      test('limit 1 and 20 are allowed; 0, 21 and non-numbers are a 400', async () => {
        assert.equal((await parent.get(`${pbase}/Subaccount/?limit=1`)).body.objects.length, 1);
        assert.equal((await parent.get(`${pbase}/Subaccount/?limit=20`)).status, 200);
        for (const q of ['limit=0', 'limit=21', 'limit=abc', 'offset=-1', 'offset=x']) {
          const res = await parent.get(`${pbase}/Subaccount/?${q}`);
          assert.equal(res.status, 400, q);
          assert.equal(res.body.code, 'invalid_pagination');
          assert.equal(res.body.field, q.split('=')[0]);
        }
      });

      test('an offset past the end is an empty page', async () => {
        const res = await parent.get(`${pbase}/Subaccount/?limit=20&offset=40`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.objects, []);
        assert.equal(res.body.meta.total_count, 5);
        assert.equal(res.body.meta.next, null);
      });
    });

    describe('root vs subaccount vs sibling vs another account', () => {
      let subA: Caller;
      let subB: Caller;
      let asA: ReturnType<typeof checked>;
      let asB: ReturnType<typeof checked>;
      let rootCred: string;
      let aCred: string;
      let bCred: string;
      let other: Caller;
      let otherSub: string;
      let otherSubToken: string;
      let otherCred: string;

      before(async () => {
        subA = await createSub('sibling-a');
        subB = await createSub('sibling-b');
        asA = checked(t, subA);
        asB = checked(t, subB);
        rootCred = (
          await root.post(`${base}/Zentrunk/Credential/`, { username: 'root-cred', password: PASSWORD })
        ).body.credential_uuid;
        aCred = (
          await asA.post(`/v1/Account/${subA.authId}/Zentrunk/Credential/`, {
            username: 'a-cred',
            password: PASSWORD,
          })
        ).body.credential_uuid;
        bCred = (
          await asB.post(`/v1/Account/${subB.authId}/Zentrunk/Credential/`, {
            username: 'b-cred',
            password: PASSWORD,
          })
        ).body.credential_uuid;
        const o = await t.services.accounts.createTopLevel('other');
        other = { authId: o.row.auth_id, token: o.authToken };
        const asOther = checked(t, other);
        const os = await asOther.post(`/v1/Account/${other.authId}/Subaccount/`, {
          name: 'o',
          enabled: true,
        });
        otherSub = os.body.auth_id;
        otherSubToken = os.body.auth_token;
        otherCred = (
          await asOther.post(`/v1/Account/${other.authId}/Zentrunk/Credential/`, {
            username: 'other-cred',
            password: PASSWORD,
          })
        ).body.credential_uuid;
        for (const id of [rootCred, aCred, bCred, otherSub, otherCred]) assert.ok(id, 'fixture created');
      });

      test('the parent acts on its subaccount’s resources via /v1/Account/{SA…}/…', async () => {
        const abase = `/v1/Account/${subA.authId}`;
        assert.equal((await root.get(`${abase}/`)).body.auth_id, subA.authId);
        const list = await root.get(`${abase}/Zentrunk/Credential/`);
        assert.equal(list.status, 200);
        assert.deepEqual(
          list.body.objects.map((o: { credential_uuid: string }) => o.credential_uuid),
          [aCred],
        );
        assert.equal((await root.get(`${abase}/SipAuth/Credential/${aCred}/`)).status, 200);
        const made = await root.post(`${abase}/Zentrunk/Credential/`, {
          username: 'made-by-parent',
          password: PASSWORD,
        });
        assert.equal(made.status, 201);
        // It belongs to the subaccount: the subaccount sees it, the parent's own list does not.
        assert.equal(
          (await asA.get(`${abase}/Zentrunk/Credential/${made.body.credential_uuid}/`)).status,
          200,
        );
        assert.equal(
          (await root.get(`${base}/Zentrunk/Credential/${made.body.credential_uuid}/`)).status,
          404,
        );
        const upd = await root.post(`${abase}/Zentrunk/Credential/${made.body.credential_uuid}/`, {
          name: 'renamed',
        });
        assert.equal(upd.status, 202);
        assert.equal(
          (await root.delete(`${abase}/Zentrunk/Credential/${made.body.credential_uuid}/`)).status,
          204,
        );
      });

      test('the parent’s own path does not reach a subaccount’s resources by id', async () => {
        for (const shape of ['Zentrunk', 'SipAuth']) {
          const res = await root.get(`${base}/${shape}/Credential/${aCred}/`);
          assert.equal(res.status, 404);
          assert.equal(res.body.code, 'not_found');
        }
      });

      test('a subaccount cannot see its parent (404, as if it did not exist)', async () => {
        for (const path of [
          `${base}/`,
          `${base}/Zentrunk/Credential/`,
          `${base}/SipAuth/Credential/${rootCred}/`,
        ]) {
          const res = await asA.get(path);
          assert.equal(res.status, 404, path);
          assert.equal(res.body.code, 'not_found');
        }
        const write = await asA.post(`${base}/Zentrunk/Credential/`, {
          username: 'sneaky',
          password: PASSWORD,
        });
        assert.equal(write.status, 404);
        assert.equal((await asA.delete(`${base}/Zentrunk/Credential/${rootCred}/`)).status, 404);
        // …nor reach the parent's credential through its own path
        const own = `/v1/Account/${subA.authId}`;
        assert.equal((await asA.get(`${own}/Zentrunk/Credential/${rootCred}/`)).status, 404);
        assert.equal((await asA.post(`${own}/Zentrunk/Credential/${rootCred}/`, { name: 'x' })).status, 404);
        assert.equal((await asA.delete(`${own}/SipAuth/Credential/${rootCred}/`)).status, 404);
        assert.equal((await root.get(`${base}/Zentrunk/Credential/${rootCred}/`)).status, 200, 'still there');
      });

      test('a subaccount cannot see a sibling (404)', async () => {
        const bbase = `/v1/Account/${subB.authId}`;
        for (const path of [
          `${bbase}/`,
          `${bbase}/Zentrunk/Credential/`,
          `${bbase}/Zentrunk/Credential/${bCred}/`,
        ]) {
          assert.equal((await asA.get(path)).status, 404, path);
        }
        const own = `/v1/Account/${subA.authId}`;
        assert.equal((await asA.get(`${own}/Zentrunk/Credential/${bCred}/`)).status, 404);
        assert.equal((await asA.get(`${own}/SipAuth/Credential/${bCred}/`)).status, 404);
        assert.equal((await asA.delete(`${own}/Zentrunk/Credential/${bCred}/`)).status, 404);
        assert.equal((await asB.get(`${bbase}/Zentrunk/Credential/${bCred}/`)).status, 200, 'still there');
      });

      test('a subaccount cannot create or manage subaccounts (403)', async () => {
        const own = `/v1/Account/${subA.authId}`;
        const create = await asA.post(`${own}/Subaccount/`, { name: 'grandchild' });
        assert.equal(create.status, 403);
        assert.equal(create.body.code, 'subaccount_cannot_manage_subaccounts');
        assert.equal((await asA.get(`${own}/Subaccount/`)).status, 403);
        assert.equal((await asA.get(`${own}/Subaccount/${subB.authId}/`)).status, 403);
        assert.equal((await asA.post(`${own}/Subaccount/${subB.authId}/`, { enabled: false })).status, 403);
        assert.equal((await asA.delete(`${own}/Subaccount/${subB.authId}/`)).status, 403);
        // nor can the parent nest one under a subaccount
        assert.equal(
          (await root.post(`/v1/Account/${subA.authId}/Subaccount/`, { name: 'nested' })).status,
          403,
        );
        assert.equal(
          (await root.get(`${base}/Subaccount/${subB.authId}/`)).body.enabled,
          true,
          'sibling untouched',
        );
      });

      test('another top-level account’s ids are 404', async () => {
        const obase = `/v1/Account/${other.authId}`;
        for (const path of [
          `${obase}/`,
          `${obase}/Zentrunk/Credential/`,
          `/v1/Account/${otherSub}/`,
          `${base}/Subaccount/${otherSub}/`,
          `${base}/Zentrunk/Credential/${otherCred}/`,
          `${base}/SipAuth/Credential/${otherCred}/`,
        ]) {
          const res = await root.get(path);
          assert.equal(res.status, 404, path);
          assert.equal(res.body.code, 'not_found');
        }
        assert.equal((await root.post(`${base}/Subaccount/${otherSub}/`, { enabled: false })).status, 404);
        assert.equal((await root.delete(`${base}/Subaccount/${otherSub}/`)).status, 404);
        assert.equal(
          (await root.post(`${base}/Zentrunk/Credential/${otherCred}/`, { name: 'x' })).status,
          404,
        );
        assert.equal((await root.delete(`${base}/Zentrunk/Credential/${otherCred}/`)).status, 404);
        // Untouched:
        const asOther = checked(t, other);
        const sub = await asOther.get(`${obase}/Subaccount/${otherSub}/`);
        assert.equal(sub.body.enabled, true);
        assert.equal((await asOther.get(`${obase}/Zentrunk/Credential/${otherCred}/`)).body.name, null);
        // and the reverse: the other account cannot reach ours
        assert.equal((await asOther.get(`${base}/`)).status, 404);
        assert.equal((await asOther.get(`/v1/Account/${subA.authId}/`)).status, 404);
      });

      test('the 404 for another account does not differ from a made-up id', async () => {
        const strip = (r: Res) => ({ status: r.status, code: r.body.code });
        const real = await root.get(`/v1/Account/${other.authId}/`);
        const fake = await root.get('/v1/Account/MANOSUCHACCOUNT00000/');
        assert.deepEqual(strip(real), strip(fake));
        assert.equal(
          real.body.error.replace(other.authId, 'ID'),
          fake.body.error.replace('MANOSUCHACCOUNT00000', 'ID'),
        );
      });

      test('a subaccount of a disabled parent cannot authenticate', async () => {
        const asOtherSub = checked(t, { authId: otherSub, token: otherSubToken });
        assert.equal((await asOtherSub.get(`/v1/Account/${otherSub}/`)).status, 200);
        // Top-level accounts are disabled by the operator (no API for it yet): flip the row.
        await t.services.store.db
          .updateTable('accounts')
          .set({ enabled: 0 })
          .where('auth_id', '=', other.authId)
          .execute();
        assert.equal((await asOtherSub.get(`/v1/Account/${otherSub}/`)).status, 401);
        assert.equal((await checked(t, other).get(`/v1/Account/${other.authId}/`)).status, 401);
      });
    });

    test('unknown routes are a 404 with api_id and code', async () => {
      const res = await root.get(`${base}/NoSuchThing/`);
      assert.equal(res.status, 404);
      assert.ok(['route_not_found', 'not_found'].includes(res.body.code));
      const outside = await rawCall(t, 'GET', '/nope', {});
      assert.equal(outside.status, 404);
      assert.equal(outside.body.code, 'route_not_found');
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`root account at first start (${dialect})`, () => {
    const ROOT_ENV = {
      TRUNKGATE_ROOT_AUTH_ID: 'MABOOTSTRAP000000001',
      TRUNKGATE_ROOT_AUTH_TOKEN: 'BootstrapToken00000000000000000000000001',
    };
    const silent = createLogger('silent');
    let ts: Awaited<ReturnType<typeof createTestStore>>;
    let accounts: AccountRepository;
    before(async () => {
      ts = await createTestStore(dialect);
      accounts = new AccountRepository(ts.store);
    });
    after(() => ts.close());

    async function allAccounts() {
      return ts.store.db.selectFrom('accounts').selectAll().execute();
    }

    test('several nodes starting at once with the root variables: one creates it, none fails', async () => {
      const config = loadConfig(ROOT_ENV);
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () => ensureRootAccount(config, accounts, silent)),
      );
      assert.deepEqual(outcomes.map((o) => o.kind).sort(), [
        'created-from-env',
        'unchanged',
        'unchanged',
        'unchanged',
        'unchanged',
        'unchanged',
      ]);
      const rows = await allAccounts();
      assert.equal(rows.length, 1);
      assert.ok(tokenMatches(rows[0]?.token_hash ?? '', ROOT_ENV.TRUNKGATE_ROOT_AUTH_TOKEN));
    });

    test('a changed TRUNKGATE_ROOT_AUTH_TOKEN replaces the stored token', async () => {
      const newToken = 'BootstrapToken00000000000000000000000002';
      const config = loadConfig({ ...ROOT_ENV, TRUNKGATE_ROOT_AUTH_TOKEN: newToken });
      assert.equal((await ensureRootAccount(config, accounts, silent)).kind, 'updated-from-env');
      const row = await accounts.findById(ROOT_ENV.TRUNKGATE_ROOT_AUTH_ID);
      assert.ok(row && tokenMatches(row.token_hash, newToken));
      assert.ok(!tokenMatches(row.token_hash, ROOT_ENV.TRUNKGATE_ROOT_AUTH_TOKEN));
    });

    test('several nodes starting at once on an empty database without them: exactly one is generated', async () => {
      await ts.store.db.deleteFrom('accounts').execute();
      const config = loadConfig({});
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () => ensureRootAccount(config, accounts, silent)),
      );
      const generated = outcomes.filter((o) => o.kind === 'generated');
      assert.equal(generated.length, 1, JSON.stringify(outcomes.map((o) => o.kind)));
      assert.equal(outcomes.filter((o) => o.kind === 'existing').length, 5);
      const rows = await allAccounts();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.auth_id, generated[0]?.authId);
      assert.match(generated[0]?.authId ?? '', /^MA[A-Z0-9]{18}$/);
      assert.ok(tokenMatches(rows[0]?.token_hash ?? '', generated[0]?.authToken ?? ''));
      // and a later start generates nothing
      assert.deepEqual(await ensureRootAccount(config, accounts, silent), { kind: 'existing' });
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`database unreachable (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
      await t.services.store.close();
    });
    after(async () => {
      await t.app.close();
      await t.db.drop();
    });

    test('GET /health answers 503, not 200', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/health' });
      assert.equal(res.statusCode, 503);
      const body = JSON.parse(res.body) as Record<string, unknown>;
      assert.equal(body['database'], 'unreachable');
      assert.match(String(body['api_id']), UUID_RE);
    });

    test('an API call is a 500 that leaks nothing of the cause', async () => {
      const res = await rawCall(t, 'GET', `/v1/Account/${t.root.authId}/Zentrunk/Credential/`, {
        authorization: basic(t.root.authId, t.root.token),
      });
      assert.equal(res.status, 500);
      assert.deepEqual(Object.keys(res.body).sort(), ['api_id', 'code', 'error']);
      assert.equal(res.body.code, 'internal_error');
      assert.doesNotMatch(res.raw, /sqlite|postgres|pool|destroy|driver|stack|at \w+ \(/i);
    });
  });
}
