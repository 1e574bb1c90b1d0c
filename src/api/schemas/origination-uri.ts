// Origination URIs (Zentrunk URI): where inbound trunks send calls.
import { Type } from '@sinclair/typebox';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';
import { OptionalName } from './nullable.ts';

export const UriParams = Type.Object({ auth_id: Type.String(), uri_uuid: Type.String() });

const UriText = Type.String({
  description:
    'SIP URI or host[:port], optionally with ;transport=udp|tcp|tls, e.g. sip:pbx.example.com:5060;transport=tcp, 203.0.113.10:5060 or [2001:db8::10]:5060. Stored and returned in canonical form.',
});

export const OriginationUri = Type.Object({
  api_id: Type.Optional(ApiId),
  uri_uuid: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  uri: Type.String(),
});

export const OriginationUriCreateBody = Type.Object(
  { name: Type.Optional(OptionalName), uri: UriText },
  { additionalProperties: false },
);

export const OriginationUriUpdateBody = Type.Object(
  {
    name: Type.Optional(OptionalName),
    uri: Type.Optional(UriText),
  },
  { additionalProperties: false },
);

export const OriginationUriMutated = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  uri_uuid: Type.String(),
});
export const OriginationUriList = Type.Object({
  api_id: ApiId,
  meta: Meta,
  objects: Type.Array(OriginationUri),
});
