// Presents one thread's state (src/sip/state/edge-state.ts) as the narrow view the request handler uses.
// Source addresses become source keys here (src/state/source-key.ts: an IPv6 /64 is one source).

import type { EdgeState } from '../../state/edge-state.ts';
import { sourceKey } from '../../state/source-key.ts';
import type { EdgeStateView } from './edge-state.ts';

/** How long a retransmission of an accepted request can still arrive (64*T1, RFC 3261 §17.2.2). */
const ACCEPTED_TTL_SECONDS = 32;

export function edgeStateView(state: EdgeState, packetCapEnabled: boolean): EdgeStateView {
  const { nonces, packetRate, cps, bindings, transactions, nodeId } = state.shared;
  return {
    nonceCounts: { nodeId, check: (seq, nc) => nonces.check(seq, nc) },
    issueNonce: () => ({ nodeId, seq: nonces.issue() }),
    isBanned: (address) => state.isBanned(sourceKey(address)),
    recordAuthFailure: (address) => state.recordFailure(sourceKey(address)),
    allowPacket: packetCapEnabled ? (address) => packetRate.allow(sourceKey(address)) : () => true,
    takeCps: (key, limit) => cps.take(key, limit),
    setBinding: (aor, contact, expires) => {
      bindings.setBinding(aor, contact, expires);
    },
    getBindings: (aor) =>
      bindings.getBindings(aor).map((b) => ({ contact: b.contact, expiresInSeconds: b.expiresSeconds })),
    rememberAccepted: (txKey) => transactions.remember(txKey, ACCEPTED_TTL_SECONDS),
    wasAccepted: (txKey) => transactions.has(txKey),
  };
}
