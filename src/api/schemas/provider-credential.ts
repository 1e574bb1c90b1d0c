// Outbound SIP provider credentials in their Dasha-compatible shape (camelCase; docs/glossary.md "Provider credential"). `authPassword` is write-only:
// no response schema has it (responses carry `hasAuthPassword`), and response schemas strip
// anything they do not list.
import { type Static, Type } from '@sinclair/typebox';
import {
  DEFAULT_REGISTER,
  DEFAULT_TRANSPORT,
  LIMITS,
  REGISTER_EXPIRES,
  SOURCES,
  TRANSPORTS,
  type Transport,
} from '../../domain/provider-credential-rules.ts';
import { REGISTRATION_STATES, type RegistrationState } from '../../domain/provider-registration.ts';

// `type: [T, 'null']` rather than anyOf: with coerceTypes, ajv would turn a null into "" while
// trying the string branch of an anyOf. With a type list, a value of either type is left alone.
function nullableString(maxLength: number, description: string) {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength, description });
}

const Server = Type.String({
  minLength: 1,
  maxLength: LIMITS.server,
  description:
    'SIP server host name or IP address with optional port, RFC 3261 hostport (IPv6 in brackets): sip.example.com, sip.example.com:5080, 203.0.113.7:5060, [2001:db8::1]:5060',
});
const Domain = nullableString(LIMITS.domain, 'SIP domain (digest realm); when null the server is used');
const AuthUser = nullableString(LIMITS.authUser, 'Authentication user id given by the provider');
const AuthPassword = nullableString(
  LIMITS.authPassword,
  'Write-only. Encrypted at rest (AES-256-GCM) and never returned; responses carry hasAuthPassword. Needs TRUNKGATE_SECRET_KEY.',
);
const TransportSchema = (opts: { default?: Transport } = {}) =>
  Type.Unsafe<Transport>({
    type: 'string',
    enum: [...TRANSPORTS],
    description: 'SIP transport to the provider',
    ...opts,
  });
const Description = nullableString(LIMITS.description, 'Human-readable description');
const CpsLimit = Type.Unsafe<number | null>({
  type: ['number', 'null'],
  exclusiveMinimum: 0,
  description: 'Calls per second, a positive number (fractions allowed, e.g. 0.5); null for no limit',
});
const CpsKey = nullableString(
  LIMITS.cpsKey,
  'Credentials of one account sharing a cpsKey share one limit; when their cpsLimit values differ, the smallest wins',
);

// register / registerExpires / registration are trunkgate's extensions of the Dasha shape
// (camelCase like the rest of it). Their JSON types are checked before this schema runs
// (src/api/routes/provider-credential-routes.ts strictRegistrationTypes): with coerceTypes on,
// "yes" or 1 would otherwise become a boolean and "60" a number.
const Register = (opts: { default?: boolean } = {}) =>
  Type.Boolean({
    description:
      'Extension: keep a registration at server with this credential (for carriers that deliver calls only to a registered contact)',
    ...opts,
  });
const RegisterExpires = (opts: { default?: number } = {}) =>
  Type.Integer({
    minimum: REGISTER_EXPIRES.min,
    maximum: REGISTER_EXPIRES.max,
    description: `Extension: the Expires (seconds) asked for in those REGISTERs, ${REGISTER_EXPIRES.min}–${REGISTER_EXPIRES.max}`,
    ...opts,
  });

const bodyFields = {
  server: Server,
  domain: Type.Optional(Domain),
  authUser: Type.Optional(AuthUser),
  authPassword: Type.Optional(AuthPassword),
  transport: Type.Optional(TransportSchema({ default: DEFAULT_TRANSPORT })),
  description: Type.Optional(Description),
  cpsLimit: Type.Optional(CpsLimit),
  cpsKey: Type.Optional(CpsKey),
  register: Type.Optional(Register({ default: DEFAULT_REGISTER })),
  registerExpires: Type.Optional(RegisterExpires({ default: REGISTER_EXPIRES.default })),
};

/** POST (create) and PUT (full replace): an omitted optional field is null, transport defaults to udp. */
export const ProviderCredentialBody = Type.Object(bodyFields, {
  additionalProperties: false,
  description: 'Outbound SIP provider credential configuration',
});
export type ProviderCredentialBodyT = Static<typeof ProviderCredentialBody>;

/** PATCH: only the fields sent change; null clears a nullable field. */
export const ProviderCredentialPatchBody = Type.Object(
  {
    ...bodyFields,
    server: Type.Optional(Server),
    transport: Type.Optional(TransportSchema()),
    register: Type.Optional(Register()),
    registerExpires: Type.Optional(RegisterExpires()),
  },
  { additionalProperties: false, description: 'The fields to change; null clears a nullable field' },
);
export type ProviderCredentialPatchBodyT = Static<typeof ProviderCredentialPatchBody>;

const nullableTime = (description: string) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', description });

export const RegistrationObject = Type.Object(
  {
    state: Type.Unsafe<RegistrationState>({
      type: 'string',
      enum: [...REGISTRATION_STATES],
      description:
        'registered: the carrier accepted the latest REGISTER and it has not expired; failed: register is true but there is no such registration now (lastError says why); disabled: register is false',
    }),
    expiresAt: nullableTime('When the accepted registration runs out (while registered)'),
    lastError: Type.Unsafe<string | null>({
      type: ['string', 'null'],
      description: 'Why the credential is not registered now (when state is failed)',
    }),
    lastAttemptTime: nullableTime('When a registration was last attempted'),
  },
  { description: 'Extension: the registration at the carrier' },
);

export const ProviderCredentialObject = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orgId: Type.String({ minLength: 1, description: 'The account (auth_id) that owns the credential' }),
  server: Type.String(),
  transport: TransportSchema(),
  source: Type.Unsafe<(typeof SOURCES)[number]>({
    type: 'string',
    enum: [...SOURCES],
    description: 'manual: made through the API; provider: made by a VoIP-provider integration',
  }),
  createdTime: Type.String({ format: 'date-time' }),
  lastUpdateTime: Type.String({ format: 'date-time' }),
  domain: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  authUser: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  hasAuthPassword: Type.Boolean({ description: 'Whether a password is stored (it is never returned)' }),
  description: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  cpsLimit: Type.Unsafe<number | null>({ type: ['number', 'null'] }),
  cpsKey: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  providerId: Type.Unsafe<string | null>({
    type: ['string', 'null'],
    description: 'The integration that manages this credential (source provider)',
  }),
  register: Register(),
  registerExpires: RegisterExpires(),
  registration: RegistrationObject,
});

export const ProviderCredentialList = Type.Object({
  items: Type.Array(ProviderCredentialObject),
  total: Type.Integer({ description: 'How many credentials the account has in all' }),
  skip: Type.Integer(),
  take: Type.Integer(),
});

export const ProviderCredentialListQuery = Type.Object(
  {
    skip: Type.Optional(Type.String({ description: 'Number of credentials to skip, ≥ 0 (default 0)' })),
    take: Type.Optional(Type.String({ description: 'Page size, 1–1000 (default 20)' })),
  },
  { additionalProperties: true },
);

export const ProviderCredentialParams = Type.Object({ id: Type.String() });

export const ProviderCredentialDeleteQuery = Type.Object(
  {
    force: Type.Optional(
      Type.Boolean({ description: 'Delete even when something refers to the credential (default false)' }),
    ),
  },
  { additionalProperties: true },
);
