// Answering a digest challenge as a client (RFC 3261 §22.2, §22.3; RFC 7616 §3.4; RFC 8760): the
// edge uses it when a carrier answers a request with 401 (WWW-Authenticate) or 407
// (Proxy-Authenticate). Pure: no I/O, no clock; the cnonce comes from node:crypto unless given.
//
// Quoting follows RFC 7616 §3.4 and RFC 3261 §25.1: username, realm, nonce, uri, response, cnonce and
// opaque are quoted-strings; algorithm, qop, nc and userhash are tokens and are sent unquoted (some
// servers refuse `qop="auth"` in credentials, as RFC 2617 errata made explicit).
//
// Supported: MD5, SHA-256, SHA-512-256 (RFC 8760 §2) and their -sess variants (RFC 7616 §3.4.2);
// qop=auth, and no qop at all (RFC 2069 compatibility, RFC 7616 §3.4.1, still met at carriers);
// userhash (RFC 7616 §3.4.4). Not supported, as values: qop=auth-int only, non-Digest schemes.
import { randomBytes } from 'node:crypto';
import { type DigestAlgorithm, digestHex, parseDigestAlgorithm } from '../../domain/digest/digest-hash.ts';
import { parseAuthHeader } from '../parser/auth-header.ts';
import { quoteString } from '../parser/header-values.ts';
import { fail, ok, type Parsed } from '../parser/parsed.ts';

/** One Digest challenge we can answer. */
export interface UacDigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: DigestAlgorithm;
  /** RFC 7616 §3.4.2: HA1 is bound to nonce and cnonce. */
  readonly session: boolean;
  /** `auth` when the challenge offered it; absent for an RFC 2069-style challenge without qop. */
  readonly qop?: 'auth';
  /** RFC 7616 §3.3: the previous credentials were right but the nonce expired; retry with this one. */
  readonly stale: boolean;
  /** RFC 7616 §3.4.4: the server wants the hashed username. */
  readonly userhash: boolean;
}

/** RFC 3261 §22.2 / §22.3: 401 is answered with Authorization, 407 with Proxy-Authorization. */
export function authorizationHeaderName(status: 401 | 407): 'Authorization' | 'Proxy-Authorization' {
  return status === 407 ? 'Proxy-Authorization' : 'Authorization';
}

/** Reads one WWW-Authenticate / Proxy-Authenticate field value. */
export function parseUacChallenge(value: string): Parsed<UacDigestChallenge> {
  const header = parseAuthHeader(value);
  if (!header.ok) return header;
  if (header.value.scheme.toLowerCase() !== 'digest')
    return fail(`scheme ${header.value.scheme} is not Digest`);
  const p = header.value.params;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined) return fail('challenge without realm');
  if (nonce === undefined || nonce.length === 0) return fail('challenge without nonce');
  const algorithmText = p.get('algorithm') ?? 'MD5'; // RFC 7616 §3.3: absent means MD5
  const session = /-sess$/i.test(algorithmText);
  const algorithm = parseDigestAlgorithm(session ? algorithmText.slice(0, -5) : algorithmText);
  if (algorithm === undefined) return fail(`algorithm ${algorithmText} is not supported`);
  let qop: 'auth' | undefined;
  const qopText = p.get('qop');
  if (qopText !== undefined) {
    // RFC 7616 §3.3: qop is a quoted, comma-separated list of the options the server supports.
    const offered = qopText.split(',').map((s) => s.trim().toLowerCase());
    if (!offered.includes('auth')) return fail(`qop ${qopText} does not offer auth`);
    qop = 'auth';
  } else if (session) {
    // RFC 7616 §3.4.2: the -sess HA1 needs a cnonce, which only exists with a qop.
    return fail('a -sess algorithm without qop cannot be answered');
  }
  const opaque = p.get('opaque');
  return ok({
    realm,
    nonce,
    algorithm,
    session,
    stale: p.get('stale')?.toLowerCase() === 'true',
    userhash: p.get('userhash')?.toLowerCase() === 'true',
    ...(qop !== undefined && { qop }),
    ...(opaque !== undefined && { opaque }),
  });
}

/**
 * The challenge to answer among several header fields: the first one we support, in the order
 * received — RFC 8760 §2.4 / RFC 7616 §3.7 have the server list its preferred challenge first.
 * Fails with the reasons when none is usable.
 */
export function selectUacChallenge(values: readonly string[]): Parsed<UacDigestChallenge> {
  const reasons: string[] = [];
  for (const v of values) {
    const c = parseUacChallenge(v);
    if (c.ok) return c;
    reasons.push(c.reason);
  }
  return fail(reasons.length === 0 ? 'no challenge' : `no usable challenge: ${reasons.join('; ')}`);
}

export interface UacDigestInput {
  readonly username: string;
  readonly password: string;
  /** The method of the request being authorized (RFC 3261 §22.4: for ACK and CANCEL the INVITE's rules apply). */
  readonly method: string;
  /** digest-uri: the Request-URI of the request being authorized (RFC 3261 §22.4). */
  readonly uri: string;
  /** nonce-count, 1 for the first use of a nonce (RFC 7616 §3.4); the caller counts per nonce. */
  readonly nc?: number;
  /** Client nonce; 16 random octets as hex when absent. Fixed only by tests (RFC 7616 §3.9 vectors). */
  readonly cnonce?: string;
}

const NC_MAX = 0xffffffff;

function quoted(value: string): Parsed<string> {
  // RFC 3261 §25.1: a quoted-pair cannot carry CR or LF; NUL would end the header in many stacks.
  if (/[\u0000\r\n]/.test(value)) return fail('value contains NUL, CR or LF');
  return ok(quoteString(value));
}

/**
 * The Authorization / Proxy-Authorization field value answering `challenge` (RFC 7616 §3.4):
 * response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2) with qop=auth, or the RFC 2069
 * form H(HA1 ":" nonce ":" HA2) when the challenge had no qop; HA2 = H(method ":" uri).
 */
export function buildUacAuthorization(challenge: UacDigestChallenge, input: UacDigestInput): Parsed<string> {
  const a = challenge.algorithm;
  const nc = input.nc ?? 1;
  if (!Number.isInteger(nc) || nc < 1 || nc > NC_MAX) return fail('nc must be an integer in 1..0xffffffff');
  const ncText = nc.toString(16).padStart(8, '0');
  const cnonce = input.cnonce ?? randomBytes(16).toString('hex');
  let ha1 = digestHex(a, `${input.username}:${challenge.realm}:${input.password}`);
  if (challenge.session) ha1 = digestHex(a, `${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = digestHex(a, `${input.method}:${input.uri}`);
  const response =
    challenge.qop === undefined
      ? digestHex(a, `${ha1}:${challenge.nonce}:${ha2}`)
      : digestHex(a, `${ha1}:${challenge.nonce}:${ncText}:${cnonce}:${challenge.qop}:${ha2}`);

  // RFC 7616 §3.4.4: userhash = H(unq(username) ":" unq(realm)).
  const username = challenge.userhash ? digestHex(a, `${input.username}:${challenge.realm}`) : input.username;
  const parts: string[] = [];
  for (const [name, value] of [
    ['username', username],
    ['realm', challenge.realm],
    ['nonce', challenge.nonce],
    ['uri', input.uri],
    ['response', response],
  ] as const) {
    const q = quoted(value);
    if (!q.ok) return fail(`${name}: ${q.reason}`);
    parts.push(`${name}=${q.value}`);
  }
  parts.push(`algorithm=${a}${challenge.session ? '-sess' : ''}`);
  if (challenge.qop !== undefined) {
    const q = quoted(cnonce);
    if (!q.ok) return fail(`cnonce: ${q.reason}`);
    parts.push(`cnonce=${q.value}`, `qop=${challenge.qop}`, `nc=${ncText}`);
  }
  if (challenge.opaque !== undefined) {
    const q = quoted(challenge.opaque);
    if (!q.ok) return fail(`opaque: ${q.reason}`);
    parts.push(`opaque=${q.value}`);
  }
  if (challenge.userhash) parts.push('userhash=true');
  return ok(`Digest ${parts.join(', ')}`);
}
