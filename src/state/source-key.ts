// The one key rule for a source address, on the API (lockout, rate limits) and the SIP edge (bans,
// packet rate) alike: an IPv4 address is itself; an IPv6 address counts as its /64, one subscriber's
// allocation (RFC 6177) — counting per /128 would let one host try 2^64 addresses in turn.
import { formatIp, maskAddress, normalizeSourceAddress } from '../domain/address/index.ts';

const cache = new Map<string, string>();
const CACHE_MAX = 4096;

export function sourceKey(address: string): string {
  if (!address.includes(':')) return address; // IPv4 (sockets hand over IPv4-mapped ones unmapped)
  const hit = cache.get(address);
  if (hit !== undefined) return hit;
  const ip = normalizeSourceAddress(address);
  let key: string;
  if (ip === null) key = address;
  else if (ip.family === 4) key = formatIp(ip);
  else key = `${formatIp(maskAddress(ip, 64))}/64`;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(address, key);
  return key;
}
