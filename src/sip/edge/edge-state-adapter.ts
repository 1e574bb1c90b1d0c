// Presents the shared state (src/sip/state/) as the narrow view the request handler uses.
import type { EdgeState } from '../state/edge-state.ts';
import type { EdgeStateView } from './edge-state.ts';

/** How long a retransmission of an accepted request can still arrive (64*T1, RFC 3261 §17.2.2). */
const ACCEPTED_TTL_SECONDS = 32;

/**
 * `sharedTransactions`: several processes share the SIP port (cluster), so an accepted transaction
 * is also recorded in the shared state; a single process's own retransmission cache is enough.
 */
export function edgeStateView(state: EdgeState, packetCapEnabled: boolean, sharedTransactions: boolean): EdgeStateView {
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
    // Accepted transactions are kept as expiring one-contact "bindings" under a reserved prefix, so
    // they live wherever the registrar does (Redis, the cluster primary, or memory) and a
    // retransmission that reaches another worker is recognised instead of refused as a replay.
    rememberAccepted: (txKey) => {
      if (!sharedTransactions) return;
      void Promise.resolve(
        state.registrar.setBinding(`\u0000tx|${txKey}`, 'accepted', ACCEPTED_TTL_SECONDS),
      ).catch(() => {});
    },
    wasAccepted: async (txKey) => {
      if (!sharedTransactions) return false;
      try {
        return (await state.registrar.getBindings(`\u0000tx|${txKey}`)).length > 0;
      } catch {
        return false;
      }
    },
  };
}
