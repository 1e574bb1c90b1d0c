// Presents the shared state (src/sip/state/) as the narrow view the request handler uses.
import type { EdgeState } from '../state/edge-state.ts';
import type { EdgeStateView } from './edge-state.ts';

/** How long a retransmission of an accepted request can still arrive (64*T1, RFC 3261 §17.2.2). */
const ACCEPTED_TTL_SECONDS = 32;

/**
 * `sharedTransactions`: several processes share the SIP port (cluster), so an accepted transaction
 * is also recorded in the shared state; a single process's own retransmission cache is enough.
 */
export function edgeStateView(
  state: EdgeState,
  packetCapEnabled: boolean,
  sharedTransactions: boolean,
): EdgeStateView {
  return {
    nonceCounts: state.nonceCounts,
    isBanned: (address) => state.bans.isBanned(address),
    recordAuthFailure: (address) => Promise.resolve(state.bans.recordFailure(address)).catch(() => undefined),
    allowPacket: packetCapEnabled ? (address) => state.packetRate.allow(address) : () => true,
    takeCps: async (key, limit) => state.cps.take(key, limit),
    setBinding: async (aor, contact, expires) => {
      await state.registrar.setBinding(aor, contact, expires);
    },
    getBindings: async (aor) =>
      (await state.registrar.getBindings(aor)).map((b) => ({
        contact: b.contact,
        expiresInSeconds: b.expiresSeconds,
      })),
    // A retransmission that reaches another worker than the original must be recognised
    // instead of refused as a nonce-count replay: accepted transactions go to the shared state.
    rememberAccepted: (txKey) => {
      if (sharedTransactions) state.acceptedTransactions.remember(txKey, ACCEPTED_TTL_SECONDS);
    },
    wasAccepted: async (txKey) => {
      if (!sharedTransactions) return false;
      try {
        return await state.acceptedTransactions.has(txKey);
      } catch {
        return false;
      }
    },
  };
}
