// SIP credentials, one store in two shapes (seed 000: SipAuth, seed 001: Zentrunk), on every database.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { computeAllHa1 } from '../../src/domain/digest/digest-hash.ts';
import { basic, buildTestApp, type Caller, client, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

const GOOD_PASSWORD = 'Str0ngPassword';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Res = Awaited<ReturnType<ReturnType<typeof client>['get']>>;

/**
 * A client that records every response body (to prove no secret ever leaves) and checks the
 * envelope: api_id in every body, code + error in every error.
 */
function recordingClient(t: TestApp, who: Caller, seen: string[]) {
  const c = client(t.app, who);
  const auth = basic(who.authId, who.token);
  const check = (r: Res): Res => {
    seen.push(r.raw);
    if (r.status !== 204) assert.match(String(r.body?.api_id), UUID_RE, `api_id in ${r.raw}`);
    else assert.equal(r.raw, '');
    if (r.status >= 400) {
      assert.equal(typeof r.body.code, 'string', r.raw);
      assert.equal(typeof r.body.error, 'string', r.raw);
    }
    return r;
  };
  /** Sends a raw payload with the given content type. */
  const raw = async (
    method: 'POST' | 'GET' | 'DELETE',
    url: string,
    payload: string,
    contentType: string,
  ) => {
    const res = await t.app.inject({
      method,
      url,
      headers: { authorization: auth, 'content-type': contentType },
      payload,
    });
    const body = (res.body === '' ? undefined : JSON.parse(res.body)) as Res['body'];
    return check({
      status: res.statusCode,
      headers: res.headers,
      body,
      raw: res.body,
    });
  };
  return {
    get: async (p: string) => check(await c.get(p)),
    post: async (p: string, b?: unknown) => check(await c.post(p, b)),
    delete: async (p: string) => check(await c.delete(p)),
    form: (p: string, fields: Record<string, string>) =>
      raw('POST', p, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded'),
    raw,
  };
}

async function storedRow(t: TestApp, id: string) {
  return t.services.store.db
    .selectFrom('credentials')
    .selectAll()
    .where('credential_uuid', '=', id)
    .executeTakeFirstOrThrow();
}

async function countRows(t: TestApp, authId: string): Promise<number> {
  const r = await t.services.store.db
    .selectFrom('credentials')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('account_auth_id', '=', authId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

function assertHa1(
  row: Awaited<ReturnType<typeof storedRow>>,
  username: string,
  realm: string,
  password: string,
) {
  const want = computeAllHa1(username, realm, password);
  assert.equal(row.username, username);
  assert.equal(row.realm, realm);
  assert.equal(row.ha1_md5, want.md5);
  assert.equal(row.ha1_sha256, want.sha256);
  assert.equal(row.ha1_sha512_256, want.sha512_256);
}

for (const dialect of DIALECTS) {
  describe(`SIP credentials (${dialect})`, () => {
    let t: TestApp;
    let api: ReturnType<typeof recordingClient>;
    let base: string;
    const seen: string[] = [];
    /** Every password sent in this suite, to prove none is ever echoed. */
    const passwords = new Set<string>([GOOD_PASSWORD]);

    before(async () => {
      t = await buildTestApp(dialect);
      api = recordingClient(t, { authId: t.root.authId, token: t.root.token }, seen);
      base = `/v1/Account/${t.root.authId}`;
    });
    after(async () => {
      // No response of this suite carried a password or any stored hash.
      const rows = await t.services.store.db.selectFrom('credentials').selectAll().execute();
      const hashes = rows.flatMap((r) => [r.ha1_md5, r.ha1_sha256, r.ha1_sha512_256]);
      for (const body of seen) {
        for (const p of passwords) assert.ok(!body.includes(p), `password in ${body}`);
        for (const h of hashes) assert.ok(!body.includes(h), `hash in ${body}`);
        assert.ok(!/ha1/i.test(body), body);
      }
      await t.close();
    });

    test('SipAuth create → retrieve → list → update password → delete', async () => {
      const created = await api.post(`${base}/SipAuth/Credential/`, {
        username: 'alice.1',
        password: GOOD_PASSWORD,
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.message, 'Credential created successfully.');
      assert.equal(created.body.username, 'alice.1');
      assert.equal(created.body.realm, 'sip.test.local');
      assert.match(created.body.api_id, /^[0-9a-f-]{36}$/);
      const id = created.body.credential_uuid as string;
      assert.match(id, UUID_RE);
      assert.equal(created.body.uri, `/v1/Account/${t.root.authId}/SipAuth/Credential/${id}/`);
      assertHa1(await storedRow(t, id), 'alice.1', 'sip.test.local', GOOD_PASSWORD);

      const got = await api.get(`${base}/SipAuth/Credential/${id}/`);
      assert.equal(got.status, 200);
      assert.deepEqual(Object.keys(got.body).sort(), [
        'api_id',
        'created_at',
        'credential_uuid',
        'realm',
        'updated_at',
        'uri',
        'username',
      ]);

      const list = await api.get(`${base}/SipAuth/Credential/`);
      assert.equal(list.status, 200);
      assert.equal(list.body.meta.total_count, 1);
      assert.equal(list.body.objects[0].credential_uuid, id);

      const upd = await api.post(`${base}/SipAuth/Credential/${id}/`, { password: 'An0therPassword' });
      passwords.add('An0therPassword');
      assert.equal(upd.status, 202);
      assert.equal(upd.body.message, 'Credential updated successfully.');
      assert.equal(upd.body.credential_uuid, id);
      assertHa1(await storedRow(t, id), 'alice.1', 'sip.test.local', 'An0therPassword');

      const renamed = await api.post(`${base}/SipAuth/Credential/${id}/`, {
        username: 'bob',
        password: 'An0therPassword',
      });
      assert.equal(renamed.status, 400);
      assert.equal(renamed.body.code, 'username_immutable');
      assert.equal(renamed.body.field, 'username');
      assert.match(renamed.body.error, /cannot be changed/);
      // Even the same username is refused: the SIP Auth shape has no username on update.
      const same = await api.post(`${base}/SipAuth/Credential/${id}/`, { username: 'alice.1' });
      assert.equal(same.body.code, 'username_immutable');
      assertHa1(await storedRow(t, id), 'alice.1', 'sip.test.local', 'An0therPassword');

      const del = await api.delete(`${base}/SipAuth/Credential/${id}/`);
      assert.equal(del.status, 204);
      assert.equal((await api.get(`${base}/SipAuth/Credential/${id}/`)).status, 404);
      assert.equal((await api.delete(`${base}/SipAuth/Credential/${id}/`)).status, 404);
    });

    test('SipAuth realm: the deployment SIP domain by default, or a custom host name', async () => {
      const custom = await api.post(`${base}/SipAuth/Credential/`, {
        username: 'realm-user',
        password: GOOD_PASSWORD,
        realm: 'pbx.example.com',
      });
      assert.equal(custom.status, 201);
      assert.equal(custom.body.realm, 'pbx.example.com');
      assertHa1(
        await storedRow(t, custom.body.credential_uuid),
        'realm-user',
        'pbx.example.com',
        GOOD_PASSWORD,
      );
      // A password change keeps the credential's own realm in the hash.
      const upd = await api.post(`${base}/SipAuth/Credential/${custom.body.credential_uuid}`, {
        password: 'Realm1Password',
      });
      passwords.add('Realm1Password');
      assert.equal(upd.status, 202);
      assertHa1(
        await storedRow(t, custom.body.credential_uuid),
        'realm-user',
        'pbx.example.com',
        'Realm1Password',
      );

      for (const realm of ['', 'bad realm', 'quo"te.example', '-x.example']) {
        const bad = await api.post(`${base}/SipAuth/Credential/`, {
          username: 'realm-bad',
          password: GOOD_PASSWORD,
          realm,
        });
        assert.equal(bad.status, 400, realm);
        assert.equal(bad.body.code, 'invalid_realm');
        assert.equal(bad.body.field, 'realm');
      }
      await api.delete(`${base}/SipAuth/Credential/${custom.body.credential_uuid}/`);
    });

    test('SipAuth create: a missing username or password is a 400 (seed 000)', async () => {
      for (const [body, field] of [
        [{ password: GOOD_PASSWORD }, 'username'],
        [{ username: 'nopass' }, 'password'],
        [{}, 'username'],
        [{ username: null, password: GOOD_PASSWORD }, 'username'],
      ] as const) {
        const res = await api.post(`${base}/SipAuth/Credential/`, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.code, 'validation_failed');
        assert.equal(res.body.field, field);
        assert.match(res.body.error, /Missing required parameter/);
      }
    });

    test('SipAuth update errors: no password, weak password, unknown id', async () => {
      const c = await api.post(`${base}/SipAuth/Credential/`, {
        username: 'upd-errors',
        password: GOOD_PASSWORD,
      });
      const id = c.body.credential_uuid;
      const none = await api.post(`${base}/SipAuth/Credential/${id}/`, {});
      assert.equal(none.status, 400);
      assert.equal(none.body.code, 'validation_failed');
      assert.equal(none.body.field, 'password');
      const weak = await api.post(`${base}/SipAuth/Credential/${id}/`, { password: 'alllowercase1234' });
      assert.equal(weak.status, 400);
      assert.equal(weak.body.code, 'weak_password');
      assert.match(weak.body.error, /upper-case/);
      assertHa1(await storedRow(t, id), 'upd-errors', 'sip.test.local', GOOD_PASSWORD);
      const missing = await api.post(`${base}/SipAuth/Credential/${randomUUID()}/`, {
        password: GOOD_PASSWORD,
      });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'not_found');
      await api.delete(`${base}/SipAuth/Credential/${id}/`);
    });

    test('Zentrunk create (seed 001): 201 with exactly api_id, message, credential_uuid', async () => {
      const res = await api.post(`${base}/Zentrunk/Credential/`, {
        name: 'production-credentials',
        username: 'sipuser123',
        password: GOOD_PASSWORD,
      });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ['api_id', 'credential_uuid', 'message']);
      assert.equal(res.body.message, 'credential created successfully.');
      const id = res.body.credential_uuid;
      const got = await api.get(`${base}/Zentrunk/Credential/${id}/`);
      assert.deepEqual(got.body, {
        api_id: got.body.api_id,
        credential_uuid: id,
        name: 'production-credentials',
        username: 'sipuser123',
      });
      // The Zentrunk shape uses the deployment's SIP domain as realm.
      assertHa1(await storedRow(t, id), 'sipuser123', 'sip.test.local', GOOD_PASSWORD);
      // name is optional
      const unnamed = await api.post(`${base}/Zentrunk/Credential/`, {
        username: 'unnamed',
        password: GOOD_PASSWORD,
      });
      assert.equal(unnamed.status, 201);
      assert.equal(
        (await api.get(`${base}/Zentrunk/Credential/${unnamed.body.credential_uuid}/`)).body.name,
        null,
      );
      for (const cid of [id, unnamed.body.credential_uuid]) {
        assert.equal((await api.delete(`${base}/Zentrunk/Credential/${cid}/`)).status, 204);
      }
    });

    test('Zentrunk create: 422 when username or password is missing', async () => {
      for (const [body, missing] of [
        [{ name: 'x', password: GOOD_PASSWORD }, ['username']],
        [{ name: 'x', username: 'abc' }, ['password']],
        [{ name: 'x' }, ['username', 'password']],
        [{}, ['username', 'password']],
      ] as const) {
        const res = await api.post(`${base}/Zentrunk/Credential/`, body);
        assert.equal(res.status, 422, JSON.stringify(body));
        assert.equal(res.body.code, 'missing_required_parameters');
        assert.equal(res.body.field, missing[0]);
        for (const m of missing) assert.match(res.body.error, new RegExp(m));
      }
      // A JSON null is "not given": missing, not a malformed value.
      const nulls = await api.post(`${base}/Zentrunk/Credential/`, {
        name: 'x',
        username: null,
        password: null,
      });
      assert.equal(nulls.status, 422);
      assert.equal(nulls.body.code, 'missing_required_parameters');
      assert.match(nulls.body.error, /username, password/);
      const nullName = await api.post(`${base}/Zentrunk/Credential/`, {
        name: null,
        username: 'null-name',
        password: GOOD_PASSWORD,
      });
      assert.equal(nullName.status, 201);
      assert.equal(
        (await api.get(`${base}/Zentrunk/Credential/${nullName.body.credential_uuid}/`)).body.name,
        null,
      );
      await api.delete(`${base}/Zentrunk/Credential/${nullName.body.credential_uuid}/`);
      // An empty body (no JSON at all) is also "missing".
      const empty = await api.raw('POST', `${base}/Zentrunk/Credential/`, '', 'application/json');
      assert.equal(empty.status, 422);
      const form = await api.form(`${base}/Zentrunk/Credential/`, { name: 'only-a-name' });
      assert.equal(form.status, 422);
      assert.equal(await countRows(t, t.root.authId), 0);
    });

    for (const shape of ['SipAuth', 'Zentrunk'] as const) {
      test(`${shape}: username rules (3–64 of [A-Za-z0-9._-])`, async () => {
        for (const username of ['ab', 'x'.repeat(65), 'has space', 'user@host', 'ünï-user', 'a:b', '']) {
          const res = await api.post(`${base}/${shape}/Credential/`, { username, password: GOOD_PASSWORD });
          assert.equal(res.status, 400, username);
          assert.equal(res.body.code, 'invalid_username');
          assert.equal(res.body.field, 'username');
          assert.match(res.body.error, /3–64/);
        }
        for (const username of ['abc', 'x'.repeat(64), 'A.b_c-9']) {
          const res = await api.post(`${base}/${shape}/Credential/`, { username, password: GOOD_PASSWORD });
          assert.equal(res.status, 201, username);
          await api.delete(`${base}/${shape}/Credential/${res.body.credential_uuid}/`);
        }
        assert.equal(await countRows(t, t.root.authId), 0);
      });

      test(`${shape}: password rules name what is missing`, async () => {
        const cases: Array<[string, RegExp]> =
          shape === 'SipAuth'
            ? [
                ['securepassword123!', /an upper-case letter.*\(SIP Auth rule/],
                ['SECUREPASSWORD123!', /a lower-case letter/],
                ['SecurePasswordNoDigit', /a digit/],
              ]
            : [
                ['securepassword123', /three of .*\(has lower-case letter, digit\).*\(Zentrunk rule/],
                ['SECUREPASSWORD123', /\(has upper-case letter, digit\)/],
                ['SecurePasswordNoDigit', /\(has upper-case letter, lower-case letter\)/],
              ];
        cases.push(
          ['Sh0rt', /12–128 characters \(got 5\)/],
          [`Aa1${'x'.repeat(126)}`, /got 129/],
          ['Secure\npassword123', /control characters/],
        );
        for (const [password, why] of cases) {
          passwords.add(password);
          const res = await api.post(`${base}/${shape}/Credential/`, { username: 'pw-rules', password });
          assert.equal(res.status, 400, password);
          assert.equal(res.body.code, 'weak_password');
          assert.equal(res.body.field, 'password');
          assert.match(res.body.error, why);
        }
        assert.equal(await countRows(t, t.root.authId), 0);
      });

      test(`${shape}: a duplicate username in the account is a 409, across both shapes`, async () => {
        const other = shape === 'SipAuth' ? 'Zentrunk' : 'SipAuth';
        const first = await api.post(`${base}/${shape}/Credential/`, {
          username: 'dup-user',
          password: GOOD_PASSWORD,
        });
        assert.equal(first.status, 201);
        for (const s of [shape, other]) {
          const dup = await api.post(`${base}/${s}/Credential/`, {
            username: 'dup-user',
            password: 'Different1Password',
          });
          assert.equal(dup.status, 409);
          assert.equal(dup.body.code, 'duplicate_username');
          assert.equal(dup.body.field, 'username');
          assert.match(dup.body.error, /"dup-user" already exists/);
        }
        passwords.add('Different1Password');
        // Usernames are unique per account: a subaccount may use the same one.
        const sub = await api.post(`${base}/Subaccount/`, { name: 'dup-sub', enabled: true });
        const inSub = await api.post(`/v1/Account/${sub.body.auth_id}/${shape}/Credential/`, {
          username: 'dup-user',
          password: GOOD_PASSWORD,
        });
        assert.equal(inSub.status, 201);
        await api.delete(`${base}/Subaccount/${sub.body.auth_id}/`);
        await api.delete(`${base}/${shape}/Credential/${first.body.credential_uuid}/`);
      });

      test(`${shape}: another account's credential id is a 404 on get, update and delete`, async () => {
        const o = await t.services.accounts.createTopLevel(`other-${shape}`);
        const otherApi = recordingClient(t, { authId: o.row.auth_id, token: o.authToken }, seen);
        const theirs = await otherApi.post(`/v1/Account/${o.row.auth_id}/${shape}/Credential/`, {
          username: 'theirs',
          password: GOOD_PASSWORD,
        });
        assert.equal(theirs.status, 201);
        const id = theirs.body.credential_uuid;
        const url = `${base}/${shape}/Credential/${id}/`;
        for (const res of [
          await api.get(url),
          await api.post(url, { password: 'Hijacked1Password' }),
          await api.delete(url),
        ]) {
          assert.equal(res.status, 404);
          assert.equal(res.body.code, 'not_found');
        }
        passwords.add('Hijacked1Password');
        // The same for ids that never existed, or are not uuids.
        for (const bad of [randomUUID(), 'not-a-uuid', 'x'.repeat(150)]) {
          assert.equal((await api.get(`${base}/${shape}/Credential/${bad}/`)).status, 404);
          assert.equal((await api.delete(`${base}/${shape}/Credential/${bad}/`)).status, 404);
        }
        // Untouched.
        assertHa1(await storedRow(t, id), 'theirs', 'sip.test.local', GOOD_PASSWORD);
      });

      test(`${shape}: trailing slash optional on every endpoint`, async () => {
        const created = await api.post(`${base}/${shape}/Credential`, {
          username: 'no-slash',
          password: GOOD_PASSWORD,
        });
        assert.equal(created.status, 201);
        const id = created.body.credential_uuid;
        assert.equal((await api.get(`${base}/${shape}/Credential`)).status, 200);
        assert.equal((await api.get(`${base}/${shape}/Credential/${id}`)).status, 200);
        assert.equal(
          (await api.post(`${base}/${shape}/Credential/${id}`, { password: 'N0SlashPassword' })).status,
          202,
        );
        passwords.add('N0SlashPassword');
        assert.equal((await api.delete(`${base}/${shape}/Credential/${id}`)).status, 204);
      });

      test(`${shape}: DELETE with a JSON content type and no body (as SDKs send it) is a 204`, async () => {
        const created = await api.post(`${base}/${shape}/Credential/`, {
          username: 'sdk-delete',
          password: GOOD_PASSWORD,
        });
        const del = await api.raw(
          'DELETE',
          `${base}/${shape}/Credential/${created.body.credential_uuid}/`,
          '',
          'application/json',
        );
        assert.equal(del.status, 204);
        const again = await api.raw(
          'DELETE',
          `${base}/${shape}/Credential/${created.body.credential_uuid}/`,
          '{}',
          'application/json',
        );
        assert.equal(again.status, 404);
      });

      test(`${shape}: form-encoded bodies work for create and update`, async () => {
        const created = await api.form(`${base}/${shape}/Credential/`, {
          username: 'form-user',
          password: GOOD_PASSWORD,
        });
        assert.equal(created.status, 201, created.raw);
        const id = created.body.credential_uuid;
        const upd = await api.form(`${base}/${shape}/Credential/${id}/`, { password: 'F0rmPassword!' });
        passwords.add('F0rmPassword!');
        assert.equal(upd.status, 202, upd.raw);
        assertHa1(await storedRow(t, id), 'form-user', 'sip.test.local', 'F0rmPassword!');
        await api.delete(`${base}/${shape}/Credential/${id}/`);
      });

      test(`${shape}: unknown body fields are a 400 unknown_field; invalid JSON a 400 invalid_json`, async () => {
        const unknown = await api.post(`${base}/${shape}/Credential/`, {
          username: 'unk',
          password: GOOD_PASSWORD,
          secret: 'x',
        });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body.code, 'unknown_field');
        assert.equal(unknown.body.field, 'secret');
        assert.match(unknown.body.error, /"secret"/);
        const c = await api.post(`${base}/${shape}/Credential/`, {
          username: 'unk',
          password: GOOD_PASSWORD,
        });
        const updUnknown = await api.post(`${base}/${shape}/Credential/${c.body.credential_uuid}/`, {
          password: GOOD_PASSWORD,
          digest: 'abc',
        });
        assert.equal(updUnknown.status, 400);
        assert.equal(updUnknown.body.code, 'unknown_field');
        for (const payload of ['{"username": "x",', "{'username': 'x'}", '{"username": "x"} trailing']) {
          const bad = await api.raw('POST', `${base}/${shape}/Credential/`, payload, 'application/json');
          assert.equal(bad.status, 400, payload);
          assert.equal(bad.body.code, 'invalid_json');
        }
        const notObject = await api.raw('POST', `${base}/${shape}/Credential/`, '["x"]', 'application/json');
        assert.equal(notObject.status, 400);
        assert.equal(notObject.body.code, 'validation_failed');
        await api.delete(`${base}/${shape}/Credential/${c.body.credential_uuid}/`);
      });
    }

    test('Zentrunk list: seed 001 meta, pagination, limit 1–20', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await api.post(`${base}/Zentrunk/Credential/`, {
          name: `n${i}`,
          username: `list-${i}`,
          password: GOOD_PASSWORD,
        });
        ids.push(r.body.credential_uuid);
      }
      const p = `v1/Account/${t.root.authId}/Zentrunk/Credential/`;
      const all = await api.get(`${base}/Zentrunk/Credential/`);
      assert.deepEqual(Object.keys(all.body).sort(), ['api_id', 'meta', 'objects']);
      assert.deepEqual(all.body.meta, { limit: 20, offset: 0, total_count: 5, previous: null, next: null });
      for (const o of all.body.objects)
        assert.deepEqual(Object.keys(o).sort(), ['credential_uuid', 'name', 'username']);

      const page1 = await api.get(`${base}/Zentrunk/Credential/?limit=2`);
      assert.deepEqual(page1.body.meta, {
        limit: 2,
        offset: 0,
        total_count: 5,
        previous: null,
        next: `${p}?limit=2&offset=2`,
      });
      const page2 = await api.get(`/${page1.body.meta.next}`);
      assert.deepEqual(page2.body.meta, {
        limit: 2,
        offset: 2,
        total_count: 5,
        previous: `${p}?limit=2&offset=0`,
        next: `${p}?limit=2&offset=4`,
      });
      const page3 = await api.get(`/${page2.body.meta.next}`);
      assert.equal(page3.body.meta.next, null);
      const walked = [...page1.body.objects, ...page2.body.objects, ...page3.body.objects].map(
        (o: { credential_uuid: string }) => o.credential_uuid,
      );
      assert.deepEqual([...walked].sort(), [...ids].sort());

      // The SIP Auth list pages the same store.
      const sip = await api.get(`${base}/SipAuth/Credential/?limit=20&offset=3`);
      assert.equal(sip.body.meta.total_count, 5);
      assert.equal(sip.body.objects.length, 2);
      assert.equal(
        sip.body.meta.previous,
        `v1/Account/${t.root.authId}/SipAuth/Credential/?limit=20&offset=0`,
      );

      for (const shape of ['Zentrunk', 'SipAuth']) {
        for (const q of ['limit=0', 'limit=21', 'limit=x', 'offset=-1']) {
          const res = await api.get(`${base}/${shape}/Credential/?${q}`);
          assert.equal(res.status, 400, q);
          assert.equal(res.body.code, 'invalid_pagination');
        }
      }
      for (const id of ids) await api.delete(`${base}/Zentrunk/Credential/${id}/`);
    });

    test('Zentrunk update: name, username and password by POST (202)', async () => {
      const c = await api.post(`${base}/Zentrunk/Credential/`, {
        name: 'before',
        username: 'zt-user',
        password: GOOD_PASSWORD,
      });
      const id = c.body.credential_uuid;
      const url = `${base}/Zentrunk/Credential/${id}/`;

      const named = await api.post(url, { name: 'after' });
      assert.equal(named.status, 202);
      assert.deepEqual(Object.keys(named.body).sort(), ['api_id', 'credential_uuid', 'message']);
      assert.equal(named.body.message, 'Credential updated successfully.');
      assert.equal(named.body.credential_uuid, id);
      assert.equal((await api.get(url)).body.name, 'after');
      assertHa1(await storedRow(t, id), 'zt-user', 'sip.test.local', GOOD_PASSWORD);

      // A new username needs the password: the stored hashes bind both.
      const noPw = await api.post(url, { username: 'zt-renamed' });
      assert.equal(noPw.status, 400);
      assert.equal(noPw.body.code, 'password_required_for_username_change');
      assert.equal(noPw.body.field, 'password');
      assertHa1(await storedRow(t, id), 'zt-user', 'sip.test.local', GOOD_PASSWORD);

      // Repeating the current username is not a change.
      assert.equal((await api.post(url, { username: 'zt-user', name: 'again' })).status, 202);

      const renamed = await api.post(url, { username: 'zt-renamed', password: 'Renamed1Password' });
      passwords.add('Renamed1Password');
      assert.equal(renamed.status, 202);
      assertHa1(await storedRow(t, id), 'zt-renamed', 'sip.test.local', 'Renamed1Password');
      assert.equal((await api.get(url)).body.username, 'zt-renamed');
      assert.equal((await api.get(`${base}/SipAuth/Credential/${id}/`)).body.username, 'zt-renamed');

      const pwOnly = await api.post(url, { password: 'Only1NewPassword' });
      passwords.add('Only1NewPassword');
      assert.equal(pwOnly.status, 202);
      assertHa1(await storedRow(t, id), 'zt-renamed', 'sip.test.local', 'Only1NewPassword');

      // Errors leave the row as it was.
      const other = await api.post(`${base}/Zentrunk/Credential/`, {
        username: 'zt-other',
        password: GOOD_PASSWORD,
      });
      const taken = await api.post(url, { username: 'zt-other', password: 'Taken1Password!' });
      passwords.add('Taken1Password!');
      assert.equal(taken.status, 409);
      assert.equal(taken.body.code, 'duplicate_username');
      for (const [body, code] of [
        [{}, 'validation_failed'],
        [{ username: 'a b', password: GOOD_PASSWORD }, 'invalid_username'],
        [{ password: 'weakpassword1' }, 'weak_password'],
        [{ username: 'zt-new', password: 'weak' }, 'weak_password'],
        [{ name: '' }, 'invalid_name'],
        [{ name: 'x'.repeat(121) }, 'invalid_name'],
      ] as const) {
        const res = await api.post(url, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.code, code);
      }
      assertHa1(await storedRow(t, id), 'zt-renamed', 'sip.test.local', 'Only1NewPassword');
      assert.equal(
        (await api.post(`${base}/Zentrunk/Credential/${randomUUID()}/`, { name: 'x' })).status,
        404,
      );

      assert.equal((await api.delete(url)).status, 204);
      assert.equal((await api.get(url)).status, 404);
      await api.delete(`${base}/Zentrunk/Credential/${other.body.credential_uuid}/`);
    });

    test('a credential made on one path is visible on the other', async () => {
      const z = await api.post(`${base}/Zentrunk/Credential/`, {
        name: 'prod',
        username: 'shared-user',
        password: GOOD_PASSWORD,
      });
      assert.equal(z.status, 201);
      const s = await api.get(`${base}/SipAuth/Credential/${z.body.credential_uuid}/`);
      assert.equal(s.status, 200);
      assert.equal(s.body.username, 'shared-user');
      assert.equal(s.body.realm, 'sip.test.local');
      const dup = await api.post(`${base}/SipAuth/Credential/`, {
        username: 'shared-user',
        password: GOOD_PASSWORD,
      });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.code, 'duplicate_username');
      // Deleting on the SIP Auth path deletes the Zentrunk credential.
      assert.equal((await api.delete(`${base}/SipAuth/Credential/${z.body.credential_uuid}/`)).status, 204);
      assert.equal((await api.get(`${base}/Zentrunk/Credential/${z.body.credential_uuid}/`)).status, 404);
    });

    test('no response ever carries a password or a hash', async () => {
      const c = await api.post(`${base}/Zentrunk/Credential/`, {
        username: 'nohash',
        password: GOOD_PASSWORD,
      });
      const bodies = [
        c.raw,
        (await api.get(`${base}/Zentrunk/Credential/`)).raw,
        (await api.get(`${base}/SipAuth/Credential/`)).raw,
        (await api.get(`${base}/SipAuth/Credential/${c.body.credential_uuid}/`)).raw,
        (await api.get(`${base}/Zentrunk/Credential/${c.body.credential_uuid}/`)).raw,
        (await api.post(`${base}/Zentrunk/Credential/`, { username: 'nohash', password: GOOD_PASSWORD })).raw,
      ];
      for (const b of bodies) {
        assert.ok(!b.includes(GOOD_PASSWORD));
        assert.ok(!/ha1|[0-9a-f]{32}/.test(b.replace(/[0-9a-f-]{36}/g, '')), `hash-like value in ${b}`);
      }
      await api.delete(`${base}/Zentrunk/Credential/${c.body.credential_uuid}/`);
    });
  });

  describe(`credential quota (${dialect})`, () => {
    let t: TestApp;
    let api: ReturnType<typeof recordingClient>;
    let base: string;
    before(async () => {
      t = await buildTestApp(dialect, { TRUNKGATE_QUOTA_CREDENTIALS: '5' });
      api = recordingClient(t, { authId: t.root.authId, token: t.root.token }, []);
      base = `/v1/Account/${t.root.authId}`;
    });
    after(() => t.close());

    test('the 6th credential is a 400 quota_exceeded naming the limit, on both shapes', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const shape = i % 2 === 0 ? 'Zentrunk' : 'SipAuth';
        const r = await api.post(`${base}/${shape}/Credential/`, {
          username: `quota-${i}`,
          password: GOOD_PASSWORD,
        });
        assert.equal(r.status, 201);
        ids.push(r.body.credential_uuid);
      }
      for (const shape of ['Zentrunk', 'SipAuth']) {
        const r = await api.post(`${base}/${shape}/Credential/`, {
          username: 'q-over',
          password: GOOD_PASSWORD,
        });
        assert.equal(r.status, 400);
        assert.equal(r.body.code, 'quota_exceeded');
        assert.match(r.body.error, /already has 5 credentials/);
        assert.match(r.body.error, /delete one/);
      }
      assert.equal(await countRows(t, t.root.authId), 5);
      // Freeing one slot allows one more.
      assert.equal((await api.delete(`${base}/Zentrunk/Credential/${ids[0]}/`)).status, 204);
      assert.equal(
        (await api.post(`${base}/Zentrunk/Credential/`, { username: 'q-again', password: GOOD_PASSWORD }))
          .status,
        201,
      );
      assert.equal(
        (await api.post(`${base}/Zentrunk/Credential/`, { username: 'q-again2', password: GOOD_PASSWORD }))
          .status,
        400,
      );
    });

    test('the quota is per account: a subaccount has its own', async () => {
      const sub = await api.post(`${base}/Subaccount/`, { name: 'quota-sub', enabled: true });
      for (let i = 0; i < 5; i++) {
        const r = await api.post(`/v1/Account/${sub.body.auth_id}/Zentrunk/Credential/`, {
          username: `sub-quota-${i}`,
          password: GOOD_PASSWORD,
        });
        assert.equal(r.status, 201);
      }
      const over = await api.post(`/v1/Account/${sub.body.auth_id}/Zentrunk/Credential/`, {
        username: 'sq-over',
        password: GOOD_PASSWORD,
      });
      assert.equal(over.status, 400);
      assert.equal(over.body.code, 'quota_exceeded');
    });
  });

  describe(`parallel creates over real HTTP (${dialect})`, () => {
    let t: TestApp;
    let origin: string;
    before(async () => {
      t = await buildTestApp(dialect, { TRUNKGATE_QUOTA_CREDENTIALS: '5' });
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(() => t.close());

    async function newAccount(name: string): Promise<Caller> {
      const a = await t.services.accounts.createTopLevel(name);
      return { authId: a.row.auth_id, token: a.authToken };
    }

    function create(
      who: Caller,
      shape: string,
      username: string,
    ): Promise<{ status: number; code?: string }> {
      return fetch(`${origin}/v1/Account/${who.authId}/${shape}/Credential/`, {
        method: 'POST',
        headers: { authorization: basic(who.authId, who.token), 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: GOOD_PASSWORD }),
      }).then(async (r) => ({ status: r.status, code: ((await r.json()) as { code?: string }).code }));
    }

    function tally(results: Array<{ status: number; code?: string }>): Record<string, number> {
      const out: Record<string, number> = {};
      for (const r of results) {
        const k = `${r.status}${r.code ? ` ${r.code}` : ''}`;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    }

    test('20 concurrent creates with quota 5 give exactly 5 rows', async () => {
      const who = await newAccount('race-quota');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => create(who, i % 2 ? 'SipAuth' : 'Zentrunk', `race-${i}`)),
      );
      assert.deepEqual(tally(results), { '201': 5, '400 quota_exceeded': 15 });
      assert.equal(await countRows(t, who.authId), 5);
    });

    test('parent and subaccount racing at the same time each stop at their own quota', async () => {
      const parent = await newAccount('race-parent');
      const subRes = await fetch(`${origin}/v1/Account/${parent.authId}/Subaccount/`, {
        method: 'POST',
        headers: { authorization: basic(parent.authId, parent.token), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'race-sub', enabled: true }),
      });
      const sub = (await subRes.json()) as { auth_id: string };
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          i % 2
            ? create(parent, 'Zentrunk', `p-${i}`)
            : // the parent acting on its subaccount's path
              fetch(`${origin}/v1/Account/${sub.auth_id}/Zentrunk/Credential/`, {
                method: 'POST',
                headers: {
                  authorization: basic(parent.authId, parent.token),
                  'content-type': 'application/json',
                },
                body: JSON.stringify({ username: `s-${i}`, password: GOOD_PASSWORD }),
              }).then((r) => ({ status: r.status })),
        ),
      );
      assert.equal(results.filter((r) => r.status === 201).length, 10);
      assert.equal(await countRows(t, parent.authId), 5);
      assert.equal(await countRows(t, sub.auth_id), 5);
    });

    test('20 concurrent creates of one username give exactly one 201, the rest 409', async () => {
      const who = await newAccount('race-username');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => create(who, i % 2 ? 'SipAuth' : 'Zentrunk', 'same-user')),
      );
      assert.deepEqual(tally(results), { '201': 1, '409 duplicate_username': 19 });
      assert.equal(await countRows(t, who.authId), 1);
    });

    test('concurrent renames to one username: exactly one wins', async () => {
      const who = await newAccount('race-rename');
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await fetch(`${origin}/v1/Account/${who.authId}/Zentrunk/Credential/`, {
          method: 'POST',
          headers: { authorization: basic(who.authId, who.token), 'content-type': 'application/json' },
          body: JSON.stringify({ username: `before-${i}`, password: GOOD_PASSWORD }),
        });
        ids.push(((await r.json()) as { credential_uuid: string }).credential_uuid);
      }
      const results = await Promise.all(
        ids.map((id) =>
          fetch(`${origin}/v1/Account/${who.authId}/Zentrunk/Credential/${id}/`, {
            method: 'POST',
            headers: { authorization: basic(who.authId, who.token), 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'after', password: GOOD_PASSWORD }),
          }).then(async (r) => ({ status: r.status, code: ((await r.json()) as { code?: string }).code })),
        ),
      );
      assert.deepEqual(tally(results), { '202': 1, '409 duplicate_username': 3 });
      const rows = await t.services.store.db
        .selectFrom('credentials')
        .select('username')
        .where('account_auth_id', '=', who.authId)
        .where('username', '=', 'after')
        .execute();
      assert.equal(rows.length, 1);
    });
  });
}
