// IP ACLs in both shapes: SIP Auth (entries with ip/cidr_prefix/description) and
// Zentrunk (ipacl_uuid, ip_addresses as CIDR strings). One store behind both.
import { Type } from '@sinclair/typebox';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';
import { OptionalName } from './nullable.ts';

export const SipAuthIpAclParams = Type.Object({ auth_id: Type.String(), ip_acl_uuid: Type.String() });
export const SipAuthIpAclEntryParams = Type.Object({
  auth_id: Type.String(),
  ip_acl_uuid: Type.String(),
  entry_id: Type.String(),
});
export const ZentrunkIpAclParams = Type.Object({ auth_id: Type.String(), ipacl_uuid: Type.String() });

/**
 * No `type` keyword on purpose: ajv's type coercion would read `false` or `null` as 0 (every
 * address). The address rules accept a whole number or its decimal text and refuse anything else.
 */
const CidrPrefix = Type.Unsafe<number | string | null>({
  description:
    'Prefix length: 0–32 for IPv4, 0–128 for IPv6 (a whole number). Absent or null: the single host (32 or 128). 0 admits every address of the family.',
  examples: [24],
});

export const IpAclEntryInput = Type.Object(
  {
    ip: Type.String({
      description: 'One IPv4 or IPv6 address (no prefix, port, zone or host name), e.g. 203.0.113.0',
    }),
    cidr_prefix: Type.Optional(CidrPrefix),
    description: Type.Optional(Type.String({ description: 'Up to 255 characters' })),
  },
  { additionalProperties: false },
);

export const IpAclEntry = Type.Object({
  entry_id: Type.String(),
  ip: Type.String({ description: 'Canonical network address' }),
  cidr_prefix: Type.Integer(),
  description: Type.Union([Type.String(), Type.Null()]),
});

const sipAuthAclFields = {
  ip_acl_uuid: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  entries: Type.Array(IpAclEntry),
  uri: Type.String({ description: 'URI of this IP ACL resource' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
};

export const SipAuthIpAcl = Type.Object({ api_id: Type.Optional(ApiId), ...sipAuthAclFields });
export const SipAuthIpAclMutated = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  ...sipAuthAclFields,
});
export const SipAuthIpAclList = Type.Object({ api_id: ApiId, meta: Meta, objects: Type.Array(SipAuthIpAcl) });

export const SipAuthIpAclCreateBody = Type.Object(
  {
    name: Type.String({ description: 'Friendly name, 1–120 characters' }),
    entries: Type.Optional(
      Type.Array(IpAclEntryInput, {
        description: 'Entries to create with the list (at most 50). If one is invalid, nothing is created.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SipAuthIpAclUpdateBody = Type.Object(
  { name: Type.String({ description: 'New name, 1–120 characters' }) },
  { additionalProperties: false },
);

export const IpAclEntryCreated = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  entry_id: Type.String(),
  ip: Type.String(),
  cidr_prefix: Type.Integer(),
  description: Type.Union([Type.String(), Type.Null()]),
});

// Zentrunk shape

const IpAddresses = Type.Array(Type.String(), {
  description:
    'Networks in CIDR notation (e.g. 203.0.113.0/24, 2001:db8::/48); a bare address means that single host. At most 50.',
});

export const ZentrunkIpAcl = Type.Object({
  api_id: Type.Optional(ApiId),
  ipacl_uuid: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  ip_addresses: Type.Array(Type.String({ description: 'Canonical CIDR' })),
});

export const ZentrunkIpAclCreateBody = Type.Object(
  {
    name: Type.Optional(OptionalName),
    ip_addresses: IpAddresses,
  },
  { additionalProperties: false },
);

export const ZentrunkIpAclUpdateBody = Type.Object(
  {
    name: Type.Optional(OptionalName),
    ip_addresses: Type.Optional(IpAddresses),
  },
  { additionalProperties: false },
);

export const ZentrunkIpAclMutated = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  ipacl_uuid: Type.String(),
});
export const ZentrunkIpAclList = Type.Object({
  api_id: ApiId,
  meta: Meta,
  objects: Type.Array(ZentrunkIpAcl),
});
