// When a call to an origination URI fails over to the next one, and what the platform gets when
// every URI failed.
//
// Failing over means the URI (not the callee) could not take the call: no provisional or final
// response within the failover timeout, a transport error (RFC 3261 §16.9 treats it as a 503),
// 408, 480, 500, 502, 503 or 504. Every other final response is the callee's answer — busy (486),
// not found (404), declined (603, 600), or a 2xx — and goes back to the platform as it is.

/** How one attempt on one URI ended. */
export type AttemptOutcome =
  | { readonly kind: 'final'; readonly status: number }
  /** No response at all (not even provisional) within the failover timeout. */
  | { readonly kind: 'timeout' }
  | { readonly kind: 'transport_error' };

export const FAILOVER_STATUSES = [408, 480, 500, 502, 503, 504] as const;

export type FailoverReason = 'timeout' | 'transport_error' | `status_${number}`;

export type FailoverDecision =
  | { readonly kind: 'try_next'; readonly reason: FailoverReason }
  | { readonly kind: 'return_to_platform'; readonly status: number };

export function decideFailover(outcome: AttemptOutcome): FailoverDecision {
  switch (outcome.kind) {
    case 'timeout':
      return { kind: 'try_next', reason: 'timeout' };
    case 'transport_error':
      return { kind: 'try_next', reason: 'transport_error' };
    case 'final':
      if (outcome.status < 200 || outcome.status > 699)
        throw new RangeError(`${outcome.status} is not a final SIP status`);
      return (FAILOVER_STATUSES as readonly number[]).includes(outcome.status)
        ? { kind: 'try_next', reason: `status_${outcome.status}` }
        : { kind: 'return_to_platform', status: outcome.status };
  }
}

/**
 * The status the platform gets when every URI failed over: the last final response a URI sent;
 * without one, 503 if a transport error happened (RFC 3261 §16.9) and 408 when every URI was
 * silent (RFC 3261 §16.7 step 6: no final response, the proxy sends 408).
 */
export function statusWhenAllFailed(attempts: readonly AttemptOutcome[]): number {
  // Nothing could be tried (no URI at all): the service is unavailable, not slow.
  if (attempts.length === 0) return 503;
  let sawTransportError = false;
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i]!;
    if (a.kind === 'final') return a.status;
    if (a.kind === 'transport_error') sawTransportError = true;
  }
  return sawTransportError ? 503 : 408;
}
