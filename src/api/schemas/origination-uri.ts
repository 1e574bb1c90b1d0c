// Origination URIs (Zentrunk URI): where inbound trunks send calls.
import { Type } from '@sinclair/typebox';
import { URI_HEALTH_STATUSES } from '../../domain/uri-health.ts';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';
import { OptionalName } from './nullable.ts';

export const UriParams = Type.Object({ auth_id: Type.String(), uri_uuid: Type.String() });

const UriText = Type.String({
  description:
    'SIP URI or host[:port], optionally with ;transport=udp|tcp|tls, e.g. sip:pbx.example.com:5060;transport=tcp, 203.0.113.10:5060 or [2001:db8::10]:5060. Stored and returned in canonical form.',
});

const TlsVerify = Type.Boolean({
  description:
    "Verify the PBX's TLS certificate when calls reach it over TLS (default true); false for a self-signed PBX",
});

const Health = Type.Object(
  {
    status: Type.Union(
      URI_HEALTH_STATUSES.map((s) => Type.Literal(s)),
      { description: 'unknown until probed; up after an answer to OPTIONS; down after 3 failures in a row' },
    ),
    last_checked: Type.Union([Type.String(), Type.Null()], {
      description: 'ISO 8601 time of the last probe',
    }),
    last_error: Type.Union([Type.String(), Type.Null()], {
      description: 'Why the last probe failed; null after an answer',
    }),
  },
  { description: 'What the OPTIONS prober last saw of this URI (read-only)' },
);

export const OriginationUri = Type.Object({
  api_id: Type.Optional(ApiId),
  uri_uuid: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  uri: Type.String(),
  tls_verify: Type.Boolean(),
  health: Health,
});

export const OriginationUriCreateBody = Type.Object(
  { name: Type.Optional(OptionalName), uri: UriText, tls_verify: Type.Optional(TlsVerify) },
  { additionalProperties: false },
);

export const OriginationUriUpdateBody = Type.Object(
  {
    name: Type.Optional(OptionalName),
    uri: Type.Optional(UriText),
    tls_verify: Type.Optional(TlsVerify),
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
