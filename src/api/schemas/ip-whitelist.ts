// API IP allowlist (docs/glossary.md "API IP allowlist"): /v1/Account/{auth_id}/IPWhitelist/
import { Type } from '@sinclair/typebox';
import { Meta } from '../pagination.ts';
import { ApiId } from './common.ts';

export const IpWhitelistParams = Type.Object({ auth_id: Type.String(), entry_id: Type.String() });

export const IpWhitelistEntry = Type.Object({
  entry_id: Type.String(),
  cidr: Type.String({ description: 'Canonical CIDR, e.g. 198.51.100.0/24 or 2001:db8::/48' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const Confirm = Type.Boolean({
  description:
    'Set true to make a change that leaves your current address outside a non-empty list (otherwise refused with 409 allowlist_lockout)',
});

export const IpWhitelistAddBody = Type.Object(
  {
    cidr: Type.String({
      maxLength: 8192,
      description:
        'One CIDR or a comma-separated list ("198.51.100.0/24, 203.0.113.5/32"); all are added or none. A single address needs /32 (IPv4) or /128 (IPv6)',
    }),
    confirm: Type.Optional(Confirm),
  },
  { additionalProperties: false },
);

export const IpWhitelistEditBody = Type.Object(
  {
    cidr: Type.String({ maxLength: 64, description: 'The entry’s new CIDR' }),
    confirm: Type.Optional(Confirm),
  },
  { additionalProperties: false },
);

export const IpWhitelistDeleteQuery = Type.Object(
  { confirm: Type.Optional(Confirm) },
  { additionalProperties: false },
);

export const IpWhitelistList = Type.Object({
  api_id: ApiId,
  client_address: Type.Union([Type.String(), Type.Null()], {
    description: 'Your address as trunkgate sees it: what an entry must cover for you to keep access',
  }),
  meta: Meta,
  objects: Type.Array(IpWhitelistEntry),
});

export const IpWhitelistAdded = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  entries: Type.Array(IpWhitelistEntry),
});

export const IpWhitelistEntryResponse = Type.Object({
  api_id: ApiId,
  ...IpWhitelistEntry.properties,
});

export const IpWhitelistEdited = Type.Object({
  api_id: ApiId,
  message: Type.String(),
  ...IpWhitelistEntry.properties,
});
