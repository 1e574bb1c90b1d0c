// Which digest challenges a request gets, in which order (RFC 8760 §2.4, RFC 7616 §3.7).
//
// A UAC that understands several challenges answers the first one it supports, and most deployed
// clients read only the first one at all: offering SHA-512-256 first locks out every client that
// cannot hash it. The order is therefore decided per request, in this precedence:
//
//   1. the trunk's or application's own `digest_algorithms`, exactly as stored (an explicit opt-in,
//      e.g. stronger-first for a fleet known to support it);
//   2. the first User-Agent rule whose text occurs in the request's User-Agent (case-insensitive):
//      its algorithms first, then the rest of the deployment's list in that list's order;
//   3. the deployment's list (TRUNKGATE_DIGEST_ALGORITHMS, MD5 first by default, see src/config.ts).
//
// Rules 2 and 3 only ever reorder the deployment's list: every request of a trunk without its own
// list is offered the same set, so a client whose User-Agent changes between the challenge and its
// answer (or an answer verified on another node) is still verified against what it was offered.
import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';

/** One operator rule: User-Agent text (matched case-insensitively) → algorithms to put first. */
export interface UserAgentRule {
  match: string;
  first: readonly DigestAlgorithm[];
}

/** Rules resolved against the deployment's list, ready for the per-request lookup. */
export interface ChallengeOrderPolicy {
  /** The deployment's list (TRUNKGATE_DIGEST_ALGORITHMS), most preferred first. */
  readonly offered: readonly DigestAlgorithm[];
  /** In rule order; `match` lower-cased; `order` a permutation of `offered`. */
  readonly rules: readonly { readonly match: string; readonly order: readonly DigestAlgorithm[] }[];
}

/**
 * Precomputes each rule's full order so that choosing one per challenge allocates nothing.
 * Algorithms a rule names that the deployment does not offer are dropped (a rule reorders, it never
 * adds); a rule left with nothing of its own is kept and yields the deployment's order.
 */
export function challengeOrderPolicy(
  offered: readonly DigestAlgorithm[],
  rules: readonly UserAgentRule[],
): ChallengeOrderPolicy {
  const resolved = rules.map((rule) => {
    const order: DigestAlgorithm[] = [];
    for (const a of rule.first) if (offered.includes(a) && !order.includes(a)) order.push(a);
    for (const a of offered) if (!order.includes(a)) order.push(a);
    return Object.freeze({ match: rule.match.toLowerCase(), order: Object.freeze(order) });
  });
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
    for (const rule of policy.rules) if (ua.includes(rule.match)) return rule.order;
  }
  return policy.offered;
}
