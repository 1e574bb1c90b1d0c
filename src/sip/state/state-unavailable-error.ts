// The one exception the shared-state layer throws on purpose: the backing store (Redis, or the cluster
// primary) did not answer. Protocol outcomes are values; this is an I/O failure (STYLE.md habit 4).
//
// Who sees it: nonce-count checks, which fail closed — a request whose nc cannot be recorded is refused
// (the edge answers 500/503), never admitted. Bans, CPS and registrar calls made through createEdgeState()
// fall back to local state instead of throwing when Redis is the backend (see edge-state.ts).

export class StateUnavailableError extends Error {
  constructor(
    /** Which backend failed: 'redis' or 'cluster'. */
    readonly backend: 'redis' | 'cluster',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StateUnavailableError';
  }
}
