// The SIP edge's admission snapshot built from the real store (issue 4 item 7): what the API
// wrote is exactly what admits a request. On every database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseIp } from '../../src/domain/address/index.ts';
import { buildPolicySnapshot, decideAdmission, findAdmissionPolicy } from '../../src/domain/policy/index.ts';
import { type Api, api, createSubaccount, makeCredential, rootApi } from '../helpers/acl-trunk-fixtures.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/database.ts';

function ip(text: string) {
  const r = parseIp(text);
  assert.ok(r.ok);
  return r.value;
}

for (const dialect of DIALECTS) {
  describe(`policy snapshot from the store (${dialect})`, () => {
    let t: TestApp;
    let root: Api;
    before(async () => {
      t = await buildTestApp(dialect);
      root = rootApi(t);
    });
    after(() => t.close());

    async function snapshot() {
      return buildPolicySnapshot(await t.services.policy.loadRows(), t.config.sipDomain);
    }

    test('trunks and applications admit what the API says', async () => {
      const subCaller = await createSubaccount(root, 'edge');
      const sub = api(t, subCaller);
      const acl = (
        await sub.create('/SipAuth/IPAccessControlList/', {
          name: 'pbx',
          entries: [
            { ip: '203.0.113.0', cidr_prefix: 24 },
            { ip: '2001:db8::', cidr_prefix: 32 },
          ],
        })
      ).ip_acl_uuid;
      const cred = await makeCredential(sub);
      const trunk = (
        await sub.create('/Zentrunk/Trunk/', {
          trunk_direction: 'outbound',
          ipacl_uuid: acl,
          credential_uuid: cred,
          cps_limit: 5,
          digest_algorithms: ['SHA-256'],
        })
      ).trunk_id;
      const uri = (await sub.create('/Zentrunk/URI/', { uri: 'pbx.example.com:5080;transport=tcp' }))
        .uri_uuid;
      const inbound = (
        await sub.create('/Zentrunk/Trunk/', { trunk_direction: 'inbound', primary_uri_uuid: uri })
      ).trunk_id;
      const app = (
        await sub.create('/Application/', {
          app_name: 'a',
          answer_url: 'https://example.com/a',
          sip_auth_type: 'ip_acl',
          ip_acl_uuid: acl,
        })
      ).app_id;

      const snap = await snapshot();
      assert.equal(snap.version, await t.services.policy.version());
      const p = findAdmissionPolicy(snap, { trunkDomain: `${trunk}.${t.config.sipDomain}` });
      assert.ok(p);
      assert.equal(p.accountAuthId, subCaller.authId);
      assert.equal(p.enabled, true);
      assert.equal(p.cpsLimit, 5);
      assert.deepEqual(p.digestAlgorithms, ['SHA-256']);
      assert.deepEqual(p.acl?.networks(), ['203.0.113.0/24', '2001:db8::/32']);
      assert.equal(p.credentialUuid, cred);
      assert.equal(
        decideAdmission(p, { source: ip('203.0.113.77'), provenCredentialUuid: null }).kind,
        'challenge',
      );
      assert.equal(
        decideAdmission(p, { source: ip('198.51.100.1'), provenCredentialUuid: cred }).kind,
        'source_denied',
      );
      assert.equal(
        decideAdmission(p, { source: ip('2001:db8::5'), provenCredentialUuid: cred }).kind,
        'admitted',
      );
      assert.equal(snap.inboundTrunk(inbound)?.primary?.uri, 'sip:pbx.example.com:5080;transport=tcp');
      const a = findAdmissionPolicy(snap, { appId: app });
      assert.equal(
        a && decideAdmission(a, { source: ip('::ffff:203.0.113.1'), provenCredentialUuid: null }).kind,
        'admitted',
      );

      // An entry added through the API shows up in the next snapshot.
      await sub.create(`/SipAuth/IPAccessControlList/${acl}/Entry/`, { ip: '198.51.100.0', cidr_prefix: 24 });
      const next = await snapshot();
      assert.ok(next.version > snap.version);
      const p2 = findAdmissionPolicy(next, { trunkDomain: `${trunk}.${t.config.sipDomain}` })!;
      assert.equal(
        decideAdmission(p2, { source: ip('198.51.100.1'), provenCredentialUuid: cred }).kind,
        'admitted',
      );

      // Disabling the trunk, or the account, stops admission.
      assert.equal((await sub.post(`/Zentrunk/Trunk/${trunk}/`, { trunk_status: 'disabled' })).status, 202);
      assert.equal(
        findAdmissionPolicy(await snapshot(), { trunkDomain: `${trunk}.${t.config.sipDomain}` })?.enabled,
        false,
      );
      assert.equal((await sub.post(`/Zentrunk/Trunk/${trunk}/`, { trunk_status: 'enabled' })).status, 202);
      assert.equal((await root.post(`/Subaccount/${subCaller.authId}/`, { enabled: false })).status, 202);
      const off = await snapshot();
      assert.equal(
        findAdmissionPolicy(off, { trunkDomain: `${trunk}.${t.config.sipDomain}` })?.enabled,
        false,
      );
      assert.equal(findAdmissionPolicy(off, { appId: app })?.enabled, false);
    });
  });
}
