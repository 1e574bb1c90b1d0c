// Hosts that name this machine: 127.0.0.0/8 (RFC 1122 §3.2.1.3), ::1 (RFC 4291 §2.5.3), and
// "localhost" and names under it (RFC 6761 §6.3). A SIP target there would make the edge call
// itself or a service beside it, so origination URIs and provider servers refuse them unless the
// operator allows loopback targets (one-machine setups and tests).
import { parseIp } from './address/index.ts';

/** True when `host` (an IP literal, bracketed or not, or a host name) is a loopback host. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const ip = parseIp(bare);
  if (ip.ok) {
    // parseIp returns ::ffff:127.0.0.1 as IPv4, so the mapped form is covered too.
    if (ip.value.family === 4) return ip.value.value >>> 24 === 127;
    const [a, b, c, d] = ip.value.words;
    return a === 0 && b === 0 && c === 0 && d === 1;
  }
  const name = bare.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
