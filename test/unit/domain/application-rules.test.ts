import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ApplicationAuth,
  applicationSipUri,
  authNeeds,
  checkApplicationAuth,
  checkCallbackUrl,
  mergeApplicationAuth,
  SIP_AUTH_TYPES,
} from '../../../src/domain/application-rules.ts';

describe('application sip_auth_type', () => {
  test('which references each type needs', () => {
    assert.deepEqual(authNeeds('none'), { ipAcl: false, credential: false });
    assert.deepEqual(authNeeds('ip_acl'), { ipAcl: true, credential: false });
    assert.deepEqual(authNeeds('credential'), { ipAcl: false, credential: true });
    assert.deepEqual(authNeeds('ip_acl_and_credential'), { ipAcl: true, credential: true });
  });

  test('each reference is required exactly when the type needs it', () => {
    for (const type of SIP_AUTH_TYPES) {
      for (const ip of [null, 'acl'] as const) {
        for (const cred of [null, 'cred'] as const) {
          const needs = authNeeds(type);
          const r = checkApplicationAuth({ sip_auth_type: type, ip_acl_uuid: ip, credential_uuid: cred });
          const expected = needs.ipAcl === (ip !== null) && needs.credential === (cred !== null);
          assert.equal(r.ok, expected, `${type} ${ip} ${cred}`);
          if (!r.ok) {
            const wrongField = needs.ipAcl !== (ip !== null) ? 'ip_acl_uuid' : 'credential_uuid';
            assert.equal(r.field, wrongField);
            assert.equal(
              r.code,
              (wrongField === 'ip_acl_uuid' ? needs.ipAcl : needs.credential)
                ? 'field_required'
                : 'field_not_allowed',
            );
          }
        }
      }
    }
    const r = checkApplicationAuth({
      sip_auth_type: 'ip_acl_and_credential',
      ip_acl_uuid: 'a',
      credential_uuid: null,
    });
    assert.ok(!r.ok && /needs credential_uuid/.test(r.message));
  });

  test('a type change clears references the new type does not use, unless the request sent them', () => {
    const both: ApplicationAuth = {
      sip_auth_type: 'ip_acl_and_credential',
      ip_acl_uuid: 'a',
      credential_uuid: 'c',
    };
    assert.deepEqual(mergeApplicationAuth(both, { sip_auth_type: 'credential' }), {
      sip_auth_type: 'credential',
      ip_acl_uuid: null,
      credential_uuid: 'c',
    });
    assert.deepEqual(mergeApplicationAuth(both, { sip_auth_type: 'none' }), {
      sip_auth_type: 'none',
      ip_acl_uuid: null,
      credential_uuid: null,
    });
    const sent = mergeApplicationAuth(both, { sip_auth_type: 'none', ip_acl_uuid: 'a' });
    assert.equal(sent.ip_acl_uuid, 'a');
    assert.equal(checkApplicationAuth(sent).ok, false);
    // No type change: nothing is cleared implicitly.
    assert.deepEqual(mergeApplicationAuth(both, { credential_uuid: 'd' }), { ...both, credential_uuid: 'd' });
  });
});

describe('callback URLs and the SIP URI', () => {
  test('absolute http(s) only', () => {
    for (const url of ['https://example.com/answer', 'http://10.0.0.5:8080/a?x=1'])
      assert.ok(checkCallbackUrl(url, 'answer_url').ok, url);
    for (const url of [
      'example.com/answer',
      'ftp://example.com/',
      'javascript:alert(1)',
      'https://',
      '',
      `https://e.com/${'a'.repeat(2048)}`,
    ]) {
      const r = checkCallbackUrl(url, 'answer_url');
      assert.ok(!r.ok && r.message.startsWith('answer_url'), url);
    }
  });

  test('sip:{app_id}@{sip_domain}', () => {
    assert.equal(
      applicationSipUri('20372631212782780', 'SIP.example.com'),
      'sip:20372631212782780@sip.example.com',
    );
  });
});
