// Minimal digest UAC for tests (RFC 7616 §3.4, RFC 3261 §22.2). sipp cannot do SHA-256 / SHA-512-256,
// so SIP integration tests use this to answer challenges. Deliberately independent of src/: the hashing
// is re-implemented here and checked against the RFC 7616 §3.9 vectors in test/unit/sip/auth-digest-uac.test.ts.
import { createHash } from 'node:crypto';

export type UacAlgorithm = 'MD5' | 'SHA-256' | 'SHA-512-256';

const NODE_HASH: Record<UacAlgorithm, string> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

export interface ParsedChallenge {
  scheme: string;
  /** Lower-cased names → unquoted values. */
  params: Record<string, string>;
  realm: string | undefined;
  nonce: string | undefined;
  opaque: string | undefined;
  algorithm: string;
  qop: string[];
  stale: boolean;
}

/**
 * Split one header value into `name=value` auth-params (RFC 7235 §2.1 / RFC 3261 §25.1), unquoting
 * quoted-strings. Returns the scheme of each challenge found — one header value may hold several
 * challenges ("Digest a=1, Digest b=2"); a bare token not followed by "=" starts a new challenge.
 */
function parseAuthValue(value: string): { scheme: string; params: Record<string, string> }[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = value.length;
  const ws = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === '\r' || value[i] === '\n')) i++;
  };
  const token = () => {
    const start = i;
    while (i < n && !/[\s,="]/.test(value[i]!)) i++;
    return value.slice(start, i);
  };
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (i < n) {
    ws();
    if (value[i] === ',') {
      i++;
      continue;
    }
    const t = token();
    if (t === '') throw new Error(`digest-uac: cannot parse at ${i}: ${value}`);
    ws();
    if (value[i] !== '=') {
      current = { scheme: t, params: {} };
      out.push(current);
      continue;
    }
    i++;
    ws();
    let v = '';
    if (value[i] === '"') {
      i++;
      while (i < n && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < n) i++;
        v += value[i];
        i++;
      }
      if (value[i] !== '"') throw new Error(`digest-uac: unterminated quoted-string: ${value}`);
      i++;
    } else {
      v = token();
    }
    if (current === undefined) throw new Error(`digest-uac: parameter before scheme: ${value}`);
    current.params[t.toLowerCase()] = v;
  }
  return out;
}

/** Parse WWW-Authenticate / Proxy-Authenticate header values (one or many) into challenges, in order. */
export function parseChallenges(headerValues: string | readonly string[]): ParsedChallenge[] {
  const values = typeof headerValues === 'string' ? [headerValues] : headerValues;
  const out: ParsedChallenge[] = [];
  for (const v of values) {
    for (const { scheme, params } of parseAuthValue(v)) {
      out.push({
        scheme,
        params,
        realm: params['realm'],
        nonce: params['nonce'],
        opaque: params['opaque'],
        algorithm: params['algorithm'] ?? 'MD5',
        qop: (params['qop'] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
        stale: (params['stale'] ?? '').toLowerCase() === 'true',
      });
    }
  }
  return out;
}

/** Parse an Authorization / Proxy-Authorization value into lower-cased names → unquoted values. */
export function parseAuthorization(headerValue: string): Record<string, string> {
  const parsed = parseAuthValue(headerValue);
  const first = parsed[0];
  if (parsed.length !== 1 || first === undefined)
    throw new Error(`digest-uac: expected one credential: ${headerValue}`);
  return first.params;
}

export function h(algorithm: UacAlgorithm, data: string): string {
  return createHash(NODE_HASH[algorithm]).update(data, 'utf8').digest('hex');
}

export interface DigestInput {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  algorithm: UacAlgorithm;
  method: string;
  uri: string;
  /** Number (formatted as 8 lower-case hex digits) or the literal string to send. Default 1. */
  nc?: number | string;
  cnonce?: string;
  /** Default 'auth'; pass null to build an RFC 2069-style response without qop/nc/cnonce. */
  qop?: string | null;
  opaque?: string;
  /** Omit the algorithm parameter (the server must then assume MD5). */
  omitAlgorithm?: boolean;
}

export function formatNc(nc: number | string | undefined): string {
  if (typeof nc === 'string') return nc;
  return (nc ?? 1).toString(16).padStart(8, '0');
}

/** The request-digest (RFC 7616 §3.4.1); with qop=null, the RFC 2069 form H(HA1:nonce:HA2). */
export function computeResponse(input: DigestInput): string {
  const a = input.algorithm;
  const ha1 = h(a, `${input.username}:${input.realm}:${input.password}`);
  const ha2 = h(a, `${input.method}:${input.uri}`);
  const qop = input.qop === undefined ? 'auth' : input.qop;
  if (qop === null) return h(a, `${ha1}:${input.nonce}:${ha2}`);
  return h(a, `${ha1}:${input.nonce}:${formatNc(input.nc)}:${input.cnonce ?? 'tgcnonce'}:${qop}:${ha2}`);
}

function q(v: string): string {
  return `"${v.replace(/["\\]/g, '\\$&')}"`;
}

/** The Authorization / Proxy-Authorization header value (RFC 3261 §22.2, RFC 7616 §3.4). */
export function buildAuthorization(input: DigestInput): string {
  const qop = input.qop === undefined ? 'auth' : input.qop;
  const parts = [
    `username=${q(input.username)}`,
    `realm=${q(input.realm)}`,
    `nonce=${q(input.nonce)}`,
    `uri=${q(input.uri)}`,
    `response=${q(computeResponse(input))}`,
  ];
  if (!input.omitAlgorithm) parts.push(`algorithm=${input.algorithm}`);
  if (qop !== null)
    parts.push(`cnonce=${q(input.cnonce ?? 'tgcnonce')}`, `qop=${qop}`, `nc=${formatNc(input.nc)}`);
  if (input.opaque !== undefined) parts.push(`opaque=${q(input.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** Answer the first challenge whose algorithm we support (RFC 8760 §2.4: the server lists its preference first). */
export function answerChallenges(
  headerValues: string | readonly string[],
  creds: { username: string; password: string; method: string; uri: string; nc?: number; cnonce?: string },
): { authorization: string; challenge: ParsedChallenge } {
  for (const c of parseChallenges(headerValues)) {
    if (c.scheme.toLowerCase() !== 'digest' || c.realm === undefined || c.nonce === undefined) continue;
    const algorithm = c.algorithm.toUpperCase();
    if (algorithm !== 'MD5' && algorithm !== 'SHA-256' && algorithm !== 'SHA-512-256') continue;
    const authorization = buildAuthorization({
      ...creds,
      realm: c.realm,
      nonce: c.nonce,
      algorithm,
      ...(c.opaque === undefined ? {} : { opaque: c.opaque }),
    });
    return { authorization, challenge: c };
  }
  throw new Error('digest-uac: no supported Digest challenge');
}
