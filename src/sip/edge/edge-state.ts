// The slice of state the request handler uses, all synchronous (src/state/edge-state.ts and the
// shared-memory tables of src/state/ behind it). Kept narrow so the hot path is easy to audit.
import type { NonceOrigin } from '../auth/nonce.ts';
import type { NonceCounter } from '../auth/verify.ts';

export interface EdgeStateView {
  /** This node's nonce counts; nonceCounts.nodeId is named in every nonce the edge issues. */
  nonceCounts: NonceCounter;
  /** A slot for a new nonce: pass the result to createNonce. */
  issueNonce(): NonceOrigin;
  isBanned(address: string): boolean;
  recordAuthFailure(address: string): { newlyBanned: boolean };
  allowPacket(address: string): boolean;
  takeCps(key: string, limit: number): { allowed: boolean; retryAfterSeconds: number };
  setBinding(aor: string, contact: string, expiresSeconds: number): void;
  getBindings(aor: string): Array<{ contact: string; expiresInSeconds: number }>;
  /** Records an accepted (branch, method, source) so a retransmission reaching another thread is recognised. */
  rememberAccepted(txKey: string): void;
  wasAccepted(txKey: string): boolean;
}
