// Zentrunk trunks (seed 001 "Usage with Trunks"; Plivo's Trunk object plus cps_limit and
// digest_algorithms).
import { Type } from '@sinclair/typebox';
import { DIGEST_ALGORITHMS } from '../../domain/digest/digest-hash.ts';
import {
  CPS_LIMIT_MAX,
  DEFAULT_WEIGHT,
  FALLBACK_PRIORITY,
  ORIGINATION_URIS_MAX,
  PRIMARY_PRIORITY,
  PRIORITY_MAX,
  TRUNK_DIRECTIONS,
  TRUNK_STATUSES,
  WEIGHT_MAX,
  WEIGHT_MIN,
} from '../../domain/trunk-rules.ts';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';
import { NullableNumber, NullableString, NullableStringList, OptionalName } from './nullable.ts';

export const TrunkParams = Type.Object({ auth_id: Type.String(), trunk_id: Type.String() });

const Direction = Type.Union(
  TRUNK_DIRECTIONS.map((d) => Type.Literal(d)),
  {
    description:
      'outbound: your PBX sends calls to us (admitted by ipacl_uuid and/or credential_uuid); inbound: we send calls to your PBX (primary_uri_uuid, fallback_uri_uuid)',
  },
);
const Status = Type.Union(
  TRUNK_STATUSES.map((s) => Type.Literal(s)),
  { description: 'A disabled trunk admits no calls' },
);
const Ref = (description: string) => NullableString({ maxLength: 64, description });
const CpsLimit = NullableNumber({
  exclusiveMinimum: 0,
  maximum: CPS_LIMIT_MAX,
  description: `Calls per second admitted, above 0 and at most ${CPS_LIMIT_MAX} (fractions allowed); null: no limit`,
});
const DigestAlgorithms = NullableStringList({
  maxItems: DIGEST_ALGORITHMS.length,
  description: `Digest algorithms challenged with, most preferred first, from ${DIGEST_ALGORITHMS.join(', ')}; null: the deployment default (TRUNKGATE_DIGEST_ALGORITHMS)`,
});

const Priority = Type.Integer({
  minimum: 0,
  maximum: PRIORITY_MAX,
  description: `0–${PRIORITY_MAX}; lower is tried first. ${PRIMARY_PRIORITY} is primary_uri_uuid and ${FALLBACK_PRIORITY} is fallback_uri_uuid (one URI each)`,
});
const Weight = Type.Integer({
  minimum: WEIGHT_MIN,
  maximum: WEIGHT_MAX,
  description: `${WEIGHT_MIN}–${WEIGHT_MAX} (default ${DEFAULT_WEIGHT}); among URIs of equal priority, the share of calls tried on this one first`,
});
const OriginationRouteInput = Type.Object(
  {
    uri_uuid: Type.String({ maxLength: 64, description: 'An origination URI of this account' }),
    priority: Priority,
    weight: Type.Optional(Weight),
  },
  { additionalProperties: false },
);
const OriginationRouteOutput = Type.Object({
  uri_uuid: Type.String(),
  priority: Type.Integer(),
  weight: Type.Integer(),
});
const OriginationUrisInput = Type.Array(OriginationRouteInput, {
  maxItems: ORIGINATION_URIS_MAX,
  description: `Inbound trunks: every origination URI calls may go to (at most ${ORIGINATION_URIS_MAX}), lowest priority first, weighted random among equal priorities. Replaces the whole list; primary_uri_uuid and fallback_uri_uuid are its entries at priorities ${PRIMARY_PRIORITY} and ${FALLBACK_PRIORITY}`,
});

const refFields = {
  ipacl_uuid: Type.Optional(Ref('IP ACL that admits calls (outbound trunks)')),
  credential_uuid: Type.Optional(Ref('Credential that admits calls (outbound trunks)')),
  primary_uri_uuid: Type.Optional(
    Ref('Origination URI calls are sent to (inbound trunks; required for them)'),
  ),
  fallback_uri_uuid: Type.Optional(Ref('Origination URI tried when the primary fails (inbound trunks)')),
  origination_uris: Type.Optional(OriginationUrisInput),
};

export const TrunkCreateBody = Type.Object(
  {
    name: Type.Optional(OptionalName),
    trunk_direction: Direction,
    trunk_status: Type.Optional(Status),
    secure: Type.Optional(
      Type.Boolean({ description: 'TLS signalling and SRTP media required. Default false' }),
    ),
    cps_limit: Type.Optional(CpsLimit),
    ...refFields,
    digest_algorithms: Type.Optional(DigestAlgorithms),
  },
  { additionalProperties: false },
);

export const TrunkUpdateBody = Type.Object(
  {
    name: Type.Optional(OptionalName),
    trunk_direction: Type.Optional(Direction),
    trunk_status: Type.Optional(Status),
    secure: Type.Optional(Type.Boolean()),
    cps_limit: Type.Optional(CpsLimit),
    ...refFields,
    digest_algorithms: Type.Optional(DigestAlgorithms),
  },
  { additionalProperties: false },
);

export const TrunkListQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ description: 'Results per page, 1–20 (default 20)' })),
    offset: Type.Optional(Type.String({ description: 'Number of results to skip, ≥ 0 (default 0)' })),
    trunk_status: Type.Optional(Status),
    trunk_direction: Type.Optional(Direction),
    secure: Type.Optional(Type.Boolean()),
    ipacl_uuid: Type.Optional(Type.String({ maxLength: 64 })),
    credential_uuid: Type.Optional(Type.String({ maxLength: 64 })),
    primary_uri_uuid: Type.Optional(Type.String({ maxLength: 64 })),
    fallback_uri_uuid: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);

export const Trunk = Type.Object({
  api_id: Type.Optional(ApiId),
  trunk_id: Type.String(),
  trunk_domain: Type.String({
    description: '{trunk_id}.{sip_domain}: where your PBX sends calls (read-only)',
  }),
  name: Type.Union([Type.String(), Type.Null()]),
  trunk_status: Type.String(),
  trunk_direction: Type.String(),
  secure: Type.Boolean(),
  cps_limit: Type.Union([Type.Number(), Type.Null()]),
  ipacl_uuid: Type.Union([Type.String(), Type.Null()]),
  credential_uuid: Type.Union([Type.String(), Type.Null()]),
  primary_uri_uuid: Type.Union([Type.String(), Type.Null()]),
  fallback_uri_uuid: Type.Union([Type.String(), Type.Null()]),
  origination_uris: Type.Array(OriginationRouteOutput, {
    description: 'Inbound trunks: the full try list, sorted by priority then weight (empty for outbound)',
  }),
  digest_algorithms: Type.Union([Type.Array(Type.String()), Type.Null()]),
});

export const TrunkMutated = Type.Object({ api_id: ApiId, message: Type.String(), trunk_id: Type.String() });
export const TrunkList = Type.Object({ api_id: ApiId, meta: Meta, objects: Type.Array(Trunk) });
