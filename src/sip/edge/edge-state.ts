// The slice of shared state the request handler uses (implemented in src/sip/state/: memory,
// Redis, or the cluster primary's broker). Kept narrow so the hot path is easy to audit.
import type { NonceCountStore } from '../auth/nonce-count.ts';

export interface EdgeStateView {
  nonceCounts: NonceCountStore;
  /** Synchronous: consulted for every packet. */
  isBanned(address: string): boolean;
  recordAuthFailure(address: string): unknown;
  /** Per-source packet cap; synchronous. */
  allowPacket(address: string): boolean;
  takeCps(key: string, limit: number): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  setBinding(aor: string, contact: string, expiresSeconds: number): Promise<void>;
  getBindings(aor: string): Promise<Array<{ contact: string; expiresInSeconds: number }>>;
  /** Records an accepted (branch, source) so a retransmission reaching another worker is recognised. */
  rememberAccepted(txKey: string): void;
  wasAccepted(txKey: string): Promise<boolean>;
}
