// Keys derived from the cluster secret, one per purpose (so a nonce MAC can never be replayed
// as a Record-Route MAC): HKDF-SHA256 with a purpose label.
import { hkdfSync } from 'node:crypto';

export interface EdgeKeys {
  nonce: Buffer;
  recordRoute: Buffer;
  branch: Buffer;
}

export function deriveEdgeKeys(clusterSecret: string): EdgeKeys {
  const derive = (label: string) =>
    Buffer.from(hkdfSync('sha256', clusterSecret, 'trunkgate-edge', label, 32));
  return { nonce: derive('nonce'), recordRoute: derive('record-route'), branch: derive('via-branch') };
}
