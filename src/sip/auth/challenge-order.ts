// Which digest challenges a request gets, in which order (RFC 8760 §2.4, RFC 7616 §3.7).
//
// RFC 8760 §2.4 has a UAC answer the first challenge it supports, but deployed clients do less
// (measured with the Debian packages, README "Digest algorithms and real phones"): sipp and sipsak
// read only the first challenge, baresip 1.0 (libre) abandons the request when ANY challenge is not
// MD5, whatever the order, and linphone 5.1 gives up when SHA-512-256 comes first. So the challenges
// are chosen per request, in this precedence:
//
//   1. the trunk's or application's own `digest_algorithms`, exactly as stored (an explicit opt-in,
//      e.g. stronger-first for a fleet known to support it);
//   2. the first User-Agent rule whose text occurs in the request's User-Agent (case-insensitive):
//      exactly its algorithms, in its order, as far as the deployment offers them;
//   3. the deployment's list (TRUNKGATE_DIGEST_ALGORITHMS, MD5 first by default, see src/config.ts).
//
// What is *accepted* never depends on the User-Agent (a header the client chooses): a target without
// its own list accepts every algorithm of the deployment's list (acceptedAlgorithms), so a client
// whose User-Agent differs between the challenge and its answer is verified all the same.
import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';

/** One operator rule: User-Agent text (matched case-insensitively) → the algorithms to challenge with. */
export interface UserAgentRule {
  match: string;
  algorithms: readonly DigestAlgorithm[];
}

/** Rules resolved against the deployment's list, ready for the per-request lookup. */
export interface ChallengeOrderPolicy {
  /** The deployment's list (TRUNKGATE_DIGEST_ALGORITHMS), most preferred first. */
  readonly offered: readonly DigestAlgorithm[];
  /** In rule order; `match` lower-cased; `algorithms` a non-empty subset of `offered`. */
  readonly rules: readonly { readonly match: string; readonly algorithms: readonly DigestAlgorithm[] }[];
}

/**
 * Precomputes each rule's list so that choosing one per challenge allocates nothing. Algorithms a
 * rule names that the deployment does not offer are dropped (a rule never widens what is accepted);
 * a rule left with none is dropped too, so its clients get the deployment's list.
 */
export function challengeOrderPolicy(
  offered: readonly DigestAlgorithm[],
  rules: readonly UserAgentRule[],
): ChallengeOrderPolicy {
  const resolved: { match: string; algorithms: readonly DigestAlgorithm[] }[] = [];
  for (const rule of rules) {
    const algorithms: DigestAlgorithm[] = [];
    for (const a of rule.algorithms) if (offered.includes(a) && !algorithms.includes(a)) algorithms.push(a);
    if (algorithms.length === 0) continue;
    resolved.push(Object.freeze({ match: rule.match.toLowerCase(), algorithms: Object.freeze(algorithms) }));
  }
  return Object.freeze({ offered: Object.freeze([...offered]), rules: Object.freeze(resolved) });
}

/**
 * The algorithms to challenge with, most preferred first (one challenge each, in this order; see
 * challenge.ts). `override` is the trunk's or application's `digest_algorithms` (null: none set);
 * `userAgent` the request's User-Agent header value, if any.
 */
export function challengeOrder(
  policy: ChallengeOrderPolicy,
  override: readonly DigestAlgorithm[] | null,
  userAgent: string | undefined,
): readonly DigestAlgorithm[] {
  if (override !== null && override.length > 0) return override;
  if (userAgent !== undefined && userAgent !== '' && policy.rules.length > 0) {
    const ua = userAgent.toLowerCase();
    for (const rule of policy.rules) if (ua.includes(rule.match)) return rule.algorithms;
  }
  return policy.offered;
}

/** The algorithms credentials may use: the target's own list, else all of the deployment's. */
export function acceptedAlgorithms(
  policy: ChallengeOrderPolicy,
  override: readonly DigestAlgorithm[] | null,
): readonly DigestAlgorithm[] {
  return override !== null && override.length > 0 ? override : policy.offered;
}
