// Health of an origination URI as its OPTIONS prober sees it (RFC 3261 §11: any response to
// OPTIONS shows the peer is reachable and processing requests).
//
// unknown at start; one answer → up; three failures in a row → down. Fewer failures keep the
// current status, so a single lost datagram neither marks a URI down nor resets one marked down.

export const URI_HEALTH_STATUSES = ['up', 'down', 'unknown'] as const;
export type UriHealthStatus = (typeof URI_HEALTH_STATUSES)[number];

export function isUriHealthStatus(value: unknown): value is UriHealthStatus {
  return value === 'up' || value === 'down' || value === 'unknown';
}

/** Consecutive failed probes that mark a URI down. */
export const FAILURES_TO_DOWN = 3;

export interface UriHealth {
  readonly status: UriHealthStatus;
  /** Failed probes since the last answer. */
  readonly consecutiveFailures: number;
  /** ISO 8601 time of the last probe; null before the first. */
  readonly lastChecked: string | null;
  /** Why the last probe failed; null after an answer. */
  readonly lastError: string | null;
}

export const INITIAL_URI_HEALTH: UriHealth = Object.freeze({
  status: 'unknown',
  consecutiveFailures: 0,
  lastChecked: null,
  lastError: null,
});

/** What one OPTIONS probe got. */
export type ProbeOutcome =
  | { readonly kind: 'answered'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'transport_error'; readonly detail: string };

/** Longest last_error kept; a prober's detail is a short reason, never a packet. */
export const LAST_ERROR_MAX = 200;

function describeFailure(outcome: Exclude<ProbeOutcome, { kind: 'answered' }>): string {
  const text = outcome.kind === 'timeout' ? 'no response to OPTIONS' : `transport error: ${outcome.detail}`;
  // Control characters would let a peer's text forge lines wherever the value is shown.
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > LAST_ERROR_MAX ? `${clean.slice(0, LAST_ERROR_MAX - 3)}...` : clean;
}

/** The state after one probe at `at` (ISO 8601). */
export function applyProbe(current: UriHealth, outcome: ProbeOutcome, at: string): UriHealth {
  if (outcome.kind === 'answered')
    return { status: 'up', consecutiveFailures: 0, lastChecked: at, lastError: null };
  const failures = current.consecutiveFailures + 1;
  return {
    status: failures >= FAILURES_TO_DOWN ? 'down' : current.status,
    consecutiveFailures: failures,
    lastChecked: at,
    lastError: describeFailure(outcome),
  };
}
