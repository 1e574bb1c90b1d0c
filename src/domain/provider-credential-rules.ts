// Field rules for outbound SIP provider credentials (docs/glossary.md "Provider credential"; README.md "Outbound SIP provider
// credentials"). Lengths are counted in characters (Unicode code points), as the API schema does.
import { parseIp } from './address/index.ts';

export const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type Transport = (typeof TRANSPORTS)[number];
export const DEFAULT_TRANSPORT: Transport = 'udp';
export function isTransport(v: unknown): v is Transport {
  return typeof v === 'string' && (TRANSPORTS as readonly string[]).includes(v);
}

/** `manual`: made through the API; `provider`: made by a VoIP-provider integration (with providerId). */
export const SOURCES = ['manual', 'provider'] as const;
export type CredentialSource = (typeof SOURCES)[number];
export function isCredentialSource(v: unknown): v is CredentialSource {
  return typeof v === 'string' && (SOURCES as readonly string[]).includes(v);
}

export const LIMITS = {
  server: 255,
  domain: 255,
  authUser: 255,
  authPassword: 64,
  description: 255,
  cpsKey: 255,
} as const;

export type ProviderCredentialField =
  | keyof typeof LIMITS
  | 'cpsLimit'
  | 'transport'
  | 'register'
  | 'registerExpires';

/**
 * registerExpires (s): the Expires asked for in REGISTERs at the carrier (RFC 3261 §10.2.1). At
 * least a minute, so refreshes do not flood the carrier; at most a day, so a lost binding is noticed.
 */
export const REGISTER_EXPIRES = { min: 60, max: 86_400, default: 3600 } as const;
export const DEFAULT_REGISTER = false;

export type FieldResult = { ok: true } | { ok: false; field: ProviderCredentialField; message: string };

const OK: FieldResult = { ok: true };

function fail(field: ProviderCredentialField, message: string): FieldResult {
  return { ok: false, field, message };
}

function length(s: string): number {
  return [...s].length;
}

/** Quotes a (non-secret) value for a message, shortened and with control characters visible. */
function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

// Values that end up inside SIP headers (Authorization, Request-URI) must not carry control
// characters: CR/LF would let a stored value inject header lines (RFC 3261 §25.1 has no CTLs in
// any of these productions). NUL is refused everywhere because PostgreSQL text cannot hold it.
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
const NUL_RE = /\u0000/;

// RFC 3261 §25.1: domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum
//                 toplabel    = ALPHA / ALPHA *( alphanum / "-" ) alphanum
const DOMAIN_LABEL_RE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL_RE = /^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export type HostKind = 'hostname' | 'ipv4' | 'ipv6';

export type HostportResult =
  | { ok: true; host: string; kind: HostKind; port: number | undefined }
  | { ok: false; message: string };

function badHostport(text: string, why: string): HostportResult {
  return { ok: false, message: `server ${quote(text)} is not a valid host[:port]: ${why}` };
}

function parsePort(text: string, port: string): number | HostportResult {
  // port = 1*DIGIT; 0 cannot be dialled, and TCP/UDP stop at 65535.
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
    return badHostport(text, `the port must be a number from 1 to 65535, got ${quote(port)}`);
  return Number(port);
}

/** RFC 3261 §25.1 `hostport = host [ ":" port ]`, host = hostname / IPv4address / IPv6reference. */
export function parseHostport(text: string): HostportResult {
  if (text === '') return badHostport(text, 'it is empty');
  if (/^sips?:/i.test(text))
    return badHostport(
      text,
      'give the host and optional port only, without the "sip:" scheme (e.g. sip.example.com:5060)',
    );
  if (/\s/.test(text) || CONTROL_RE.test(text))
    return badHostport(text, 'it contains spaces or control characters');
  if (/[;?@/]/.test(text))
    return badHostport(
      text,
      'give the host and optional port only, without user@, URI parameters or a path; the transport is its own field',
    );
  if (text.startsWith('[')) {
    // IPv6reference = "[" IPv6address "]"
    const close = text.indexOf(']');
    if (close < 0) return badHostport(text, 'the IPv6 address has no closing "]"');
    const inner = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (!inner.includes(':') || !parseIp(inner).ok)
      return badHostport(text, `${quote(inner)} inside the brackets is not an IPv6 address`);
    if (rest === '') return { ok: true, host: `[${inner}]`, kind: 'ipv6', port: undefined };
    if (!rest.startsWith(':')) return badHostport(text, 'only ":port" may follow the "]"');
    const port = parsePort(text, rest.slice(1));
    if (typeof port !== 'number') return port;
    return { ok: true, host: `[${inner}]`, kind: 'ipv6', port };
  }
  const colons = text.split(':').length - 1;
  if (colons > 1) {
    const looksIpv6 = parseIp(text).ok;
    return badHostport(
      text,
      looksIpv6
        ? `an IPv6 address must be in brackets, e.g. [${text}] or [${text}]:5060`
        : 'it has more than one ":"; IPv6 addresses go in brackets, e.g. [2001:db8::1]:5060',
    );
  }
  const colon = text.indexOf(':');
  const host = colon < 0 ? text : text.slice(0, colon);
  let port: number | undefined;
  if (colon >= 0) {
    const p = parsePort(text, text.slice(colon + 1));
    if (typeof p !== 'number') return p;
    port = p;
  }
  if (host === '') return badHostport(text, 'the host is missing');
  if (/^[0-9.]+$/.test(host)) {
    // All digits and dots cannot be a hostname (the top label starts with a letter): IPv4 only.
    if (!parseIp(host).ok)
      return badHostport(
        text,
        `${quote(host)} is not an IPv4 address (four numbers 0–255 without leading zeros)`,
      );
    return { ok: true, host, kind: 'ipv4', port };
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253) return badHostport(text, 'a host name is at most 253 characters');
  const labels = name.split('.');
  for (const label of labels) {
    if (!DOMAIN_LABEL_RE.test(label))
      return badHostport(
        text,
        label === ''
          ? 'the host name has an empty label (two dots in a row, or a leading dot)'
          : `the label ${quote(label)} must be 1–63 letters, digits or "-", not starting or ending with "-"`,
      );
  }
  if (!TOP_LABEL_RE.test(labels[labels.length - 1]!))
    return badHostport(text, 'the last label of a host name must start with a letter');
  return { ok: true, host, kind: 'hostname', port };
}

export function validateServer(server: string): FieldResult {
  if (length(server) < 1 || length(server) > LIMITS.server)
    return fail('server', `server must be 1–${LIMITS.server} characters (got ${length(server)})`);
  const r = parseHostport(server);
  return r.ok ? OK : fail('server', r.message);
}

/** domain, authUser, cpsKey: optional, but when given not empty, short enough and SIP-safe. */
function validateSipToken(field: 'domain' | 'authUser' | 'cpsKey', value: string): FieldResult {
  const max = LIMITS[field];
  if (value === '') return fail(field, `${field} must not be empty; send null (or leave it out) for none`);
  if (length(value) > max)
    return fail(field, `${field} must be at most ${max} characters (got ${length(value)})`);
  if (CONTROL_RE.test(value)) return fail(field, `${field} must not contain control characters`);
  return OK;
}

export const validateDomain = (v: string): FieldResult => validateSipToken('domain', v);
export const validateAuthUser = (v: string): FieldResult => validateSipToken('authUser', v);
export const validateCpsKey = (v: string): FieldResult => validateSipToken('cpsKey', v);

/** Never quotes the value: it is a secret. */
export function validateAuthPassword(password: string): FieldResult {
  if (password === '')
    return fail(
      'authPassword',
      'authPassword must not be empty; send null (or leave it out) for no password',
    );
  if (length(password) > LIMITS.authPassword)
    return fail('authPassword', `authPassword must be at most ${LIMITS.authPassword} characters`);
  if (NUL_RE.test(password)) return fail('authPassword', 'authPassword must not contain a NUL character');
  return OK;
}

export function validateDescription(description: string): FieldResult {
  if (length(description) > LIMITS.description)
    return fail(
      'description',
      `description must be at most ${LIMITS.description} characters (got ${length(description)})`,
    );
  if (NUL_RE.test(description)) return fail('description', 'description must not contain a NUL character');
  return OK;
}

/** Calls per second: a positive number, fractions allowed (0.5 = one call every two seconds). */
export function validateCpsLimit(cps: number): FieldResult {
  if (!Number.isFinite(cps) || cps <= 0)
    return fail(
      'cpsLimit',
      `cpsLimit must be a positive number of calls per second (e.g. 10 or 0.5), got ${cps}`,
    );
  return OK;
}

export function validateRegisterExpires(seconds: number): FieldResult {
  if (!Number.isInteger(seconds) || seconds < REGISTER_EXPIRES.min || seconds > REGISTER_EXPIRES.max)
    return fail(
      'registerExpires',
      `registerExpires must be a whole number of seconds from ${REGISTER_EXPIRES.min} to ${REGISTER_EXPIRES.max} (default ${REGISTER_EXPIRES.default}), got ${seconds}`,
    );
  return OK;
}

export interface ProviderCredentialFields {
  server: string;
  domain: string | null;
  authUser: string | null;
  authPassword: string | null;
  transport: Transport;
  description: string | null;
  cpsLimit: number | null;
  cpsKey: string | null;
  /** Keep a registration at the carrier (an extension of the Dasha shape); absent: false. */
  register?: boolean;
  /** Expires (s) of that registration; absent: REGISTER_EXPIRES.default. */
  registerExpires?: number;
}

/** Checks the given fields (a partial update checks only what it changes); the first failure wins. */
export function validateProviderCredentialFields(fields: Partial<ProviderCredentialFields>): FieldResult {
  const checks: Array<() => FieldResult> = [
    () => (fields.server === undefined ? OK : validateServer(fields.server)),
    () => (fields.domain == null ? OK : validateDomain(fields.domain)),
    () => (fields.authUser == null ? OK : validateAuthUser(fields.authUser)),
    () => (fields.authPassword == null ? OK : validateAuthPassword(fields.authPassword)),
    () =>
      fields.transport === undefined || isTransport(fields.transport)
        ? OK
        : fail('transport', `transport must be one of ${TRANSPORTS.join(', ')}`),
    () => (fields.description == null ? OK : validateDescription(fields.description)),
    () => (fields.cpsLimit == null ? OK : validateCpsLimit(fields.cpsLimit)),
    () => (fields.cpsKey == null ? OK : validateCpsKey(fields.cpsKey)),
    () =>
      fields.register === undefined || typeof fields.register === 'boolean'
        ? OK
        : fail('register', 'register must be true or false'),
    () => (fields.registerExpires === undefined ? OK : validateRegisterExpires(fields.registerExpires)),
  ];
  for (const check of checks) {
    const r = check();
    if (!r.ok) return r;
  }
  return OK;
}
