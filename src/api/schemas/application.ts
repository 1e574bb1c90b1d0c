// Applications (Plivo's Application object: app_id, app_name, answer_url, sip_auth_type, ip_acl_uuid,
// credential_uuid, sip_uri), in Plivo's Application shape.
import { Type } from '@sinclair/typebox';
import { HTTP_METHODS, SIP_AUTH_TYPES } from '../../domain/application-rules.ts';
import { DIGEST_ALGORITHMS } from '../../domain/digest/digest-hash.ts';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';
import { NullableString, NullableStringList } from './nullable.ts';

export const ApplicationParams = Type.Object({ auth_id: Type.String(), app_id: Type.String() });

const Method = (what: string) =>
  Type.Union(
    HTTP_METHODS.map((m) => Type.Literal(m)),
    { description: `HTTP method for ${what}. Default POST` },
  );
const SipAuthType = Type.Union(
  SIP_AUTH_TYPES.map((t) => Type.Literal(t)),
  {
    description:
      'How calls to sip_uri are admitted: none, ip_acl (source in ip_acl_uuid), credential (digest with credential_uuid) or ip_acl_and_credential (both). Default none',
  },
);
const Url = (description: string) => Type.String({ description });
const NullableUrl = (description: string) => NullableString({ description });
const Ref = (description: string) => NullableString({ maxLength: 64, description });
const DigestAlgorithms = NullableStringList({
  maxItems: DIGEST_ALGORITHMS.length,
  description: `Digest algorithms challenged with, most preferred first, from ${DIGEST_ALGORITHMS.join(', ')}; null: chosen per request by the deployment (TRUNKGATE_DIGEST_ALGORITHMS, MD5 first by default, and TRUNKGATE_DIGEST_UA_RULES)`,
});

const commonFields = {
  answer_method: Type.Optional(Method('answer_url')),
  hangup_url: Type.Optional(NullableUrl('URL notified when a call hangs up')),
  hangup_method: Type.Optional(Method('hangup_url')),
  fallback_answer_url: Type.Optional(NullableUrl('URL used when answer_url fails')),
  fallback_method: Type.Optional(Method('fallback_answer_url')),
  enabled: Type.Optional(
    Type.Boolean({ description: 'A disabled application admits no calls. Default true' }),
  ),
  sip_auth_type: Type.Optional(SipAuthType),
  ip_acl_uuid: Type.Optional(
    Ref('IP ACL; required exactly when sip_auth_type is ip_acl or ip_acl_and_credential'),
  ),
  credential_uuid: Type.Optional(
    Ref('Credential; required exactly when sip_auth_type is credential or ip_acl_and_credential'),
  ),
  digest_algorithms: Type.Optional(DigestAlgorithms),
};

export const ApplicationCreateBody = Type.Object(
  {
    app_name: Type.String({ description: 'Name, 1–120 characters' }),
    answer_url: Url('http(s) URL invoked when a call reaches the application'),
    ...commonFields,
  },
  { additionalProperties: false },
);

export const ApplicationUpdateBody = Type.Object(
  {
    app_name: Type.Optional(Type.String({ description: 'Name, 1–120 characters' })),
    answer_url: Type.Optional(Url('http(s) URL invoked when a call reaches the application')),
    ...commonFields,
  },
  { additionalProperties: false },
);

export const Application = Type.Object({
  api_id: Type.Optional(ApiId),
  app_id: Type.String(),
  app_name: Type.String(),
  answer_url: Type.String(),
  answer_method: Type.String(),
  hangup_url: Type.Union([Type.String(), Type.Null()]),
  hangup_method: Type.String(),
  fallback_answer_url: Type.Union([Type.String(), Type.Null()]),
  fallback_method: Type.String(),
  enabled: Type.Boolean(),
  sip_auth_type: Type.String(),
  ip_acl_uuid: Type.Union([Type.String(), Type.Null()]),
  credential_uuid: Type.Union([Type.String(), Type.Null()]),
  sip_uri: Type.String({ description: 'sip:{app_id}@{sip_domain}: where SIP calls reach the application' }),
  digest_algorithms: Type.Union([Type.Array(Type.String()), Type.Null()]),
  sub_account: Type.Union([Type.String(), Type.Null()], {
    description: 'The subaccount owning the application, or null for a main account',
  }),
  resource_uri: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const ApplicationCreated = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  app_id: Type.String(),
});
export const ApplicationUpdated = Type.Object({ api_id: ApiId, message: Type.String() });
export const ApplicationList = Type.Object({ api_id: ApiId, meta: Meta, objects: Type.Array(Application) });
