// API keys (Bearer tokens; docs/glossary.md "API key"): /v1/Account/{auth_id}/ApiKey/
import { Type } from '@sinclair/typebox';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';

export const ApiKeyParams = Type.Object({ auth_id: Type.String(), key_id: Type.String() });

const Nullable = (description: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });

/** What list and get show: never the token or its hash. */
export const ApiKeyObject = Type.Object({
  key_id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'The token’s first characters, to tell keys apart' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Nullable('Last successful authentication (to the minute); null if never used'),
  expires_at: Nullable('When the key stops working; null for no expiry'),
  revoked_at: Nullable('When the key was revoked; null while it is not'),
});

export const ApiKeyCreateBody = Type.Object(
  {
    name: Type.String({ description: 'What the key is for, 1–120 characters' }),
    expires_at: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description: 'Optional expiry, a future date-time with a time zone, e.g. 2030-01-31T00:00:00Z',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ApiKeyCreated = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  token: Type.String({ description: 'Shown once: send it as "Authorization: Bearer <token>"' }),
  ...ApiKeyObject.properties,
});

export const ApiKeyResponse = Type.Object({ api_id: ApiId, ...ApiKeyObject.properties });

export const ApiKeyList = Type.Object({ api_id: ApiId, meta: Meta, objects: Type.Array(ApiKeyObject) });
