// Keys derived from the cluster secret, one per purpose (so a nonce MAC can never be replayed
// as a Record-Route MAC): HKDF-SHA256 with a purpose label.
import { hkdfSync } from 'node:crypto';

export interface EdgeKeys {
  nonce: Buffer;
  recordRoute: Buffer;
  branch: Buffer;
  /**
   * The To tag of the responses the edge itself sends. RFC 3261 §8.2.6.2: every response to a
   * request carries the same tag, and a retransmission may reach another worker or node, so the
   * tag comes from the cluster secret rather than from each process's random state.
   */
  toTag: string;
}

export function deriveEdgeKeys(clusterSecret: string): EdgeKeys {
  const derive = (label: string) =>
    Buffer.from(hkdfSync('sha256', clusterSecret, 'trunkgate-edge', label, 32));
  return {
    nonce: derive('nonce'),
    recordRoute: derive('record-route'),
    branch: derive('via-branch'),
    toTag: derive('to-tag').toString('hex').slice(0, 12),
  };
}
