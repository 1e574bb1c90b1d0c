// Digest challenges: WWW-Authenticate (401) and Proxy-Authenticate (407) header values
// (RFC 3261 §22.1, §22.3, §25.1 `challenge`; RFC 7616 §3.3; RFC 8760 §2.4).
import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';

/** A registrar/UAS challenges with 401 + WWW-Authenticate, a proxy with 407 + Proxy-Authenticate (§22.3). */
export type ChallengeRole = 'uas' | 'proxy';

export function challengeHeaderName(role: ChallengeRole): 'WWW-Authenticate' | 'Proxy-Authenticate' {
  return role === 'proxy' ? 'Proxy-Authenticate' : 'WWW-Authenticate';
}

export function challengeStatus(role: ChallengeRole): 401 | 407 {
  return role === 'proxy' ? 407 : 401;
}

export interface ChallengeOptions {
  realm: string;
  /** The nonce (our nonces are not algorithm-bound, so one nonce may serve every challenge). */
  nonce: string;
  /** Offered algorithms, most preferred first; one challenge is emitted per entry, in this order. */
  algorithms: readonly DigestAlgorithm[];
  opaque?: string;
  /** RFC 7616 §3.3: set when the previous request had a valid digest but an expired nonce. */
  stale?: boolean;
}

/**
 * RFC 3261 §25.1 quoted-string: DQUOTE *(qdtext / quoted-pair) DQUOTE, where `"` and `\` must be sent as
 * quoted-pairs. quoted-pair cannot carry CR or LF (%x0A / %x0D), and we also refuse NUL: such a value would
 * break (or inject into) the header, so it is a configuration error and throws a RangeError.
 */
export function quoteString(value: string): string {
  if (/[\u0000\r\n]/.test(value)) throw new RangeError('digest challenge: value contains NUL, CR or LF');
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * One challenge per offered algorithm, in the given (preference) order. RFC 8760 §2.4 / RFC 7616 §3.7:
 * "the server SHOULD send [challenges] ... the most preferred one first"; a UAC picks the first one it
 * supports. We only offer qop="auth" (verify.ts refuses credentials without qop=auth).
 * Each string is a complete header value: send each as its own header field row — RFC 3261 §7.3.1 says
 * WWW-Authenticate / Proxy-Authenticate rows MUST NOT be combined into one comma-separated row.
 * Duplicate algorithms are emitted once (first position wins).
 */
export function buildChallenges(options: ChallengeOptions): string[] {
  const realm = quoteString(options.realm);
  const nonce = quoteString(options.nonce);
  const opaque = options.opaque === undefined ? '' : `, opaque=${quoteString(options.opaque)}`;
  const stale = options.stale === true ? ', stale=true' : '';
  const out: string[] = [];
  const algorithms = options.algorithms;
  for (let i = 0; i < algorithms.length; i++) {
    const algorithm = algorithms[i]!;
    if (algorithms.indexOf(algorithm) !== i) continue;
    out.push(`Digest realm=${realm}, nonce=${nonce}${opaque}, algorithm=${algorithm}, qop="auth"${stale}`);
  }
  return out;
}
