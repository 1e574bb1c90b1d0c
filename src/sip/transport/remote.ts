/** Where a SIP message came from, or where a reply goes. */
export interface Remote {
  transport: 'udp' | 'tcp';
  /** Normalised source address: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes `1.2.3.4`. */
  address: string;
  port: number;
  /** For TCP: the connection to answer on (RFC 3261 §18.2.2). */
  connectionId?: number;
}

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`. */
export function normaliseAddress(address: string): string {
  if (
    address.length > 7 &&
    address.charCodeAt(0) === 58 /* : */ &&
    address.startsWith('::ffff:') &&
    address.includes('.')
  ) {
    return address.slice(7);
  }
  return address;
}

export function remoteKey(r: Remote): string {
  return `${r.transport}:${r.address}:${r.port}`;
}
