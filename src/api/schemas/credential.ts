import { Type } from '@sinclair/typebox';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';

export const CredentialParams = Type.Object({ auth_id: Type.String(), credential_uuid: Type.String() });

// SIP Auth shape (docs/glossary.md "Credential shapes")
export const SipAuthCredential = Type.Object({
  api_id: Type.Optional(ApiId),
  credential_uuid: Type.String(),
  username: Type.String(),
  realm: Type.String(),
  uri: Type.String({ description: 'URI of this credential resource' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const SipAuthCredentialCreateBody = Type.Object(
  {
    username: Type.String({ description: '3–64 of letters, digits, ".", "_", "-"; unique in the account' }),
    password: Type.String({
      description: '12–128 characters with an upper-case letter, a lower-case letter and a digit',
    }),
    realm: Type.Optional(Type.String({ description: 'Digest realm; defaults to the deployment SIP domain' })),
  },
  { additionalProperties: false },
);

export const SipAuthCredentialCreated = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  credential_uuid: Type.String(),
  username: Type.String(),
  realm: Type.String(),
  uri: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const SipAuthCredentialUpdateBody = Type.Object(
  {
    password: Type.Optional(Type.String({ description: 'New password' })),
    username: Type.Optional(Type.String({ description: 'Not allowed: the username cannot be changed' })),
  },
  { additionalProperties: false },
);

export const SipAuthCredentialList = Type.Object({
  api_id: ApiId,
  meta: Meta,
  objects: Type.Array(SipAuthCredential),
});

// Zentrunk shape (docs/glossary.md "Credential shapes")
export const ZentrunkCredential = Type.Object({
  api_id: Type.Optional(ApiId),
  credential_uuid: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  username: Type.String(),
});

export const ZentrunkCredentialCreateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'Friendly name, 1–120 characters' })),
    username: Type.String(),
    password: Type.String(),
  },
  { additionalProperties: false },
);

export const ZentrunkCredentialUpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    username: Type.Optional(
      Type.String({ description: 'A new username needs the password in the same request' }),
    ),
    password: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ZentrunkCredentialMutated = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  credential_uuid: Type.String(),
});

export const ZentrunkCredentialList = Type.Object({
  api_id: ApiId,
  meta: Meta,
  objects: Type.Array(ZentrunkCredential),
});
