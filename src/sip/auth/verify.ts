// Verify SIP digest credentials (RFC 3261 §22.2/§22.4, RFC 7616 §3.4, RFC 8760).
//
// Input is the already-split Authorization / Proxy-Authorization parameters (lower-cased names →
// unquoted values, built by the SIP parser); each parameter is validated here. Outcomes are values:
//
//   ok                     digest right, nonce live, nc fresh
//   missing                no credentials at all → challenge (401/407)
//   malformed              a parameter is absent or ill-formed → 400 (RFC 7616 §3.4: qop, cnonce, nc …)
//   realm_mismatch         credentials for another realm → challenge
//   algorithm_not_offered  algorithm we did not offer (incl. the -sess variants) → challenge
//   uri_mismatch           digest-uri fails the request-URI policy → 400 (RFC 2617 §3.2.2.5)
//   invalid_nonce          nonce we never issued (or for another realm), or wrong opaque → challenge
//   bad_digest             wrong response — ALSO for unknown usernames (a dummy HA1 is hashed so both
//                          take the same path) and for a wrong response on an expired nonce → 403/401
//   stale                  response right but nonce expired, issued by another node (or this node before a
//                          restart), or its slot reissued → challenge with stale=true (RFC 7616 §3.3)
//   replay                 nc already used for this nonce or older than the window → challenge
//
// Deliberate restrictions (documented refusals):
//   * qop=auth is REQUIRED. RFC 2069-style credentials without qop (RFC 7616 §3.4.1 keeps them only for
//     backward compatibility) have no cnonce/nc and therefore no replay protection → malformed.
//     qop=auth-int (needs the body hash) is never offered → malformed.
//   * RFC 7616 §3.4.4 `username*` (RFC 5987 encoding) and `userhash=true` (§3.4.4) are refused as malformed;
//     we never send userhash=true in challenges, so a conforming UAC never uses them.
//   * The check order never lets an unauthenticated request touch nonce-count state: nc is recorded only
//     after the response proved knowledge of HA1, so a sniffed nonce cannot be "burnt" by an attacker.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type DigestAlgorithm,
  digestHexLength,
  type Ha1Set,
  ha1For,
  nodeHashName,
  parseDigestAlgorithm,
} from '../../domain/digest/digest-hash.ts';
import type { NcResult } from '../../state/nonce-table.ts';
import { checkNonce, DEFAULT_CLOCK_SKEW_SECONDS, type NonceSecrets } from './nonce.ts';

/** This node's nonce counts (src/state/nonce-table.ts): synchronous, never a round trip. */
export interface NonceCounter {
  /** The node id this node writes into its nonces. */
  readonly nodeId: number;
  check(seq: number, nc: number): NcResult;
}

/** Parameters of one Authorization header: lower-cased names → unquoted values. */
export type AuthParams = ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>>;

/** How the digest-uri must relate to the Request-URI (RFC 3261 §22.4 item "uri", RFC 2617 §3.2.2.5). */
export type UriPolicy =
  | { kind: 'any' }
  | { kind: 'exact'; uri: string }
  | { kind: 'custom'; check: (digestUri: string) => boolean };

/** Stored HA1 values (lower-case hex, as computeHa1 produces) for a username; absent algorithms fail. */
export type CredentialLookup = (username: string) => Partial<Ha1Set> | undefined;

export interface DigestVerifierConfig {
  /** Cluster nonce secret(s); see nonce.ts. */
  secrets: NonceSecrets;
  nonceTtlSeconds: number;
  nonceCounts: NonceCounter;
  lookup: CredentialLookup;
  /** Wall clock in ms (default Date.now). */
  now?: () => number;
  clockSkewSeconds?: number;
}

export interface DigestVerifyRequest {
  /** Parsed credentials, or undefined when the request carried none for us. */
  params: AuthParams | undefined;
  /** The request method (for ACK/CANCEL the caller supplies what RFC 3261 §22.1 requires). */
  method: string;
  /** Our realm for this request; credentials for any other realm are realm_mismatch. */
  realm: string;
  /** Algorithms we offered in the challenge. */
  algorithms: readonly DigestAlgorithm[];
  uriPolicy: UriPolicy;
  /** When set (we put an opaque in the challenge), the credentials must echo it (RFC 7616 §3.4). */
  opaque?: string;
}

export type MalformedReason =
  | 'username'
  | 'username*'
  | 'userhash'
  | 'realm'
  | 'nonce'
  | 'uri'
  | 'response'
  | 'algorithm'
  | 'qop'
  | 'cnonce'
  | 'nc'
  | 'opaque';

export type VerifyOutcome =
  | { kind: 'ok'; username: string; algorithm: DigestAlgorithm }
  | { kind: 'missing' }
  | { kind: 'malformed'; reason: MalformedReason }
  | { kind: 'realm_mismatch' }
  | { kind: 'algorithm_not_offered' }
  | { kind: 'uri_mismatch' }
  | { kind: 'invalid_nonce' }
  | { kind: 'bad_digest'; username: string }
  | { kind: 'stale'; username: string }
  | { kind: 'replay'; username: string };

const MISSING: VerifyOutcome = Object.freeze({ kind: 'missing' });
const REALM_MISMATCH: VerifyOutcome = Object.freeze({ kind: 'realm_mismatch' });
const ALGORITHM_NOT_OFFERED: VerifyOutcome = Object.freeze({ kind: 'algorithm_not_offered' });
const URI_MISMATCH: VerifyOutcome = Object.freeze({ kind: 'uri_mismatch' });
const INVALID_NONCE: VerifyOutcome = Object.freeze({ kind: 'invalid_nonce' });
const MALFORMED = new Map<MalformedReason, VerifyOutcome>();
function malformed(reason: MalformedReason): VerifyOutcome {
  let o = MALFORMED.get(reason);
  if (o === undefined) {
    o = Object.freeze({ kind: 'malformed', reason });
    MALFORMED.set(reason, o);
  }
  return o;
}

const MAX_PARAM = 256;
const MAX_URI = 2048;
const CTL = /[\u0000-\u001f\u007f]/;
const URI_BAD = /[\u0000-\u0020\u007f]/;
const HEX = /^[0-9a-fA-F]+$/;
const NC_RE = /^[0-9a-fA-F]{8}$/;

/** Per-process random HA1 stand-ins: an unknown user costs the same hashing as a known one. */
const DUMMY_HA1: Readonly<Record<DigestAlgorithm, string>> = {
  MD5: randomBytes(16).toString('hex'),
  'SHA-256': randomBytes(32).toString('hex'),
  'SHA-512-256': randomBytes(32).toString('hex'),
};

function text(value: string | undefined, max: number): value is string {
  return value !== undefined && value.length > 0 && value.length <= max && !CTL.test(value);
}

/**
 * response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2), HA2 = H(method ":" digest-uri)
 * for qop=auth — RFC 7616 §3.4.1, RFC 3261 §22.4 (via RFC 2617 §3.2.2.1). Returns the raw digest bytes.
 * nc, cnonce and qop are hashed exactly as the client sent them.
 */
export function expectedResponse(
  algorithm: DigestAlgorithm,
  ha1: string,
  nonce: string,
  nc: string,
  cnonce: string,
  qop: string,
  method: string,
  uri: string,
): Buffer {
  const h = nodeHashName(algorithm);
  const ha2 = createHash(h).update(`${method}:${uri}`, 'utf8').digest('hex');
  return createHash(h).update(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`, 'utf8').digest();
}

export function verifyDigest(config: DigestVerifierConfig, req: DigestVerifyRequest): VerifyOutcome {
  const p = req.params;
  if (p === undefined) return MISSING;
  let get: (name: string) => string | undefined;
  if (p instanceof Map) {
    if (p.size === 0) return MISSING;
    get = (n) => p.get(n);
  } else {
    const r = p as Readonly<Record<string, string | undefined>>;
    get = (n) => (Object.hasOwn(r, n) ? r[n] : undefined);
    if (get('username') === undefined && Object.keys(r).length === 0) return MISSING;
  }

  // --- syntax of every parameter (RFC 3261 §25.1 digest-response, RFC 7616 §3.4) ---
  if (get('username*') !== undefined) return malformed('username*');
  const userhash = get('userhash');
  if (userhash !== undefined && userhash.toLowerCase() !== 'false') return malformed('userhash');
  const username = get('username');
  if (!text(username, MAX_PARAM)) return malformed('username');
  const realm = get('realm');
  if (realm === undefined || realm.length > MAX_PARAM || CTL.test(realm)) return malformed('realm');
  const nonce = get('nonce');
  if (!text(nonce, MAX_PARAM)) return malformed('nonce');
  const uri = get('uri');
  if (uri === undefined || uri.length === 0 || uri.length > MAX_URI || URI_BAD.test(uri))
    return malformed('uri');
  const response = get('response');
  if (response === undefined || response.length > 128 || !HEX.test(response)) return malformed('response');
  const qop = get('qop');
  if (qop === undefined || qop.length !== 4 || qop.toLowerCase() !== 'auth') return malformed('qop');
  const cnonce = get('cnonce');
  if (!text(cnonce, MAX_PARAM)) return malformed('cnonce');
  const ncText = get('nc');
  if (ncText === undefined || !NC_RE.test(ncText)) return malformed('nc');
  const nc = Number.parseInt(ncText, 16);
  if (nc === 0) return malformed('nc');
  const opaque = get('opaque');
  if (opaque !== undefined && (opaque.length > MAX_PARAM || CTL.test(opaque))) return malformed('opaque');
  const algorithmText = get('algorithm');
  let algorithm: DigestAlgorithm | undefined;
  if (algorithmText === undefined) {
    algorithm = 'MD5'; // RFC 7616 §3.4: "If this is not present, it is assumed to be MD5."
  } else {
    if (algorithmText.length === 0 || algorithmText.length > 32 || CTL.test(algorithmText)) {
      return malformed('algorithm');
    }
    algorithm = parseDigestAlgorithm(algorithmText);
  }

  // --- semantics ---
  if (realm !== req.realm) return REALM_MISMATCH; // realm values compare case-sensitively (RFC 7616 §3.3)
  if (algorithm === undefined || !req.algorithms.includes(algorithm)) return ALGORITHM_NOT_OFFERED;
  if (response.length !== digestHexLength(algorithm)) return malformed('response');
  const policy = req.uriPolicy;
  if (policy.kind === 'exact' ? uri !== policy.uri : policy.kind === 'custom' && !policy.check(uri)) {
    return URI_MISMATCH;
  }
  if (req.opaque !== undefined && opaque !== req.opaque) return INVALID_NONCE;

  const now = (config.now ?? Date.now)();
  const skew = config.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const n = checkNonce(config.secrets, nonce, now, config.nonceTtlSeconds, req.realm, skew);
  if (n.kind === 'invalid') return INVALID_NONCE;

  const stored = config.lookup(username);
  const storedHa1 = stored === undefined ? undefined : ha1For(stored, algorithm);
  const known = storedHa1 !== undefined && storedHa1.length === digestHexLength(algorithm);
  const ha1 = known ? storedHa1 : DUMMY_HA1[algorithm];
  const expected = expectedResponse(algorithm, ha1, nonce, ncText, cnonce, qop, req.method, uri);
  // Buffer.from(…, 'hex') decodes either case, which is the lower-case normalisation; lengths are equal
  // because response.length was checked against the algorithm above.
  const match = timingSafeEqual(expected, Buffer.from(response, 'hex'));
  if (!match || !known) return { kind: 'bad_digest', username };

  // Another node's nonce (or ours from before a restart) has no nc record here: a fresh challenge.
  if (n.kind === 'expired' || n.nodeId !== config.nonceCounts.nodeId) return { kind: 'stale', username };

  const counted = config.nonceCounts.check(n.seq, nc);
  if (counted === 'reused') return { kind: 'stale', username };
  if (counted !== 'fresh') return { kind: 'replay', username };
  return { kind: 'ok', username, algorithm };
}
