import { Type } from '@sinclair/typebox';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';

export const AuthIdParams = Type.Object({
  auth_id: Type.String({ description: 'Your auth id (MA…) or a subaccount’s (SA…)' }),
});

export const AccountObject = Type.Object({
  api_id: ApiId,
  account_type: Type.Union([Type.Literal('standard'), Type.Literal('subaccount')]),
  auth_id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  parent_auth_id: Type.Union([Type.String(), Type.Null()]),
  resource_uri: Type.String(),
  created: Type.String({ format: 'date-time' }),
  modified: Type.String({ format: 'date-time' }),
  // Plivo's account object carries these; trunkgate has no billing, so they are fixed values.
  billing_mode: Type.String(),
  cash_credits: Type.String(),
  auto_recharge: Type.Boolean(),
  timezone: Type.String(),
  address: Type.String(),
  city: Type.String(),
  state: Type.String(),
});

export const SubaccountObject = Type.Object({
  api_id: Type.Optional(ApiId),
  account: Type.String({ description: 'URI of the parent account' }),
  auth_id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  resource_uri: Type.String(),
  created: Type.String({ format: 'date-time' }),
  modified: Type.String({ format: 'date-time' }),
});

export const SubaccountParams = Type.Object({ auth_id: Type.String(), subauth_id: Type.String() });

export const SubaccountCreateBody = Type.Object(
  {
    name: Type.String({ description: 'Friendly name, 1–120 characters' }),
    enabled: Type.Optional(
      Type.Boolean({ description: 'Whether it may authenticate (default false, as Plivo)' }),
    ),
  },
  { additionalProperties: false },
);

export const SubaccountCreateResponse = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  auth_id: Type.String(),
  auth_token: Type.String({ description: 'Shown once; store it now' }),
});

export const SubaccountUpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const SubaccountList = Type.Object({
  api_id: ApiId,
  meta: Meta,
  objects: Type.Array(SubaccountObject),
});

export const SubaccountDeleteQuery = Type.Object(
  {
    cascade: Type.Optional(
      Type.String({ description: 'Accepted for Plivo compatibility; resources are always deleted' }),
    ),
  },
  { additionalProperties: true },
);
