import { type IpNetwork, networkContains } from './cidr.ts';
import { type IpAddress, parseIpLiteral } from './ip-address.ts';
import { NetworkMatcher } from './network-matcher.ts';

export interface SpecialRange {
  readonly network: IpNetwork;
  /** The block as written in the registry, e.g. "100.64.0.0/10". */
  readonly cidr: string;
  /** The registry's name for the block, e.g. "Shared Address Space". */
  readonly name: string;
  /** Where the block is defined, e.g. "RFC 6598". */
  readonly reference: string;
}

/**
 * Address blocks that are never a SIP peer on the public Internet: the IANA IPv4 and IPv6
 * Special-Purpose Address Registries (RFC 6890 as updated by RFC 8190), plus multicast
 * (224.0.0.0/4, RFC 5771; ff00::/8, RFC 4291) and the reserved 240.0.0.0/4 (RFC 1112). Sub-blocks
 * from the registries are listed too so a lookup can give the most specific name (2001:db8::/32 is
 * "Documentation", not "IETF Protocol Assignments"). Ordered by address, parents before children.
 */
const TABLE: readonly (readonly [cidr: string, name: string, reference: string])[] = [
  ['0.0.0.0/8', '"This network"', 'RFC 791'],
  ['0.0.0.0/32', '"This host on this network"', 'RFC 1122 §3.2.1.3'],
  ['10.0.0.0/8', 'Private-Use', 'RFC 1918'],
  ['100.64.0.0/10', 'Shared Address Space (carrier-grade NAT)', 'RFC 6598'],
  ['127.0.0.0/8', 'Loopback', 'RFC 1122 §3.2.1.3'],
  ['169.254.0.0/16', 'Link Local', 'RFC 3927'],
  ['172.16.0.0/12', 'Private-Use', 'RFC 1918'],
  ['192.0.0.0/24', 'IETF Protocol Assignments', 'RFC 6890 §2.1'],
  ['192.0.0.0/29', 'IPv4 Service Continuity Prefix', 'RFC 7335'],
  ['192.0.0.8/32', 'IPv4 dummy address', 'RFC 7600'],
  ['192.0.0.9/32', 'Port Control Protocol Anycast', 'RFC 7723'],
  ['192.0.0.10/32', 'Traversal Using Relays around NAT Anycast', 'RFC 8155'],
  ['192.0.0.170/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2'],
  ['192.0.0.171/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2'],
  ['192.0.2.0/24', 'Documentation (TEST-NET-1)', 'RFC 5737'],
  ['192.31.196.0/24', 'AS112-v4', 'RFC 7535'],
  ['192.52.193.0/24', 'AMT', 'RFC 7450'],
  ['192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)', 'RFC 7526'],
  ['192.168.0.0/16', 'Private-Use', 'RFC 1918'],
  ['192.175.48.0/24', 'Direct Delegation AS112 Service', 'RFC 7534'],
  ['198.18.0.0/15', 'Benchmarking', 'RFC 2544'],
  ['198.51.100.0/24', 'Documentation (TEST-NET-2)', 'RFC 5737'],
  ['203.0.113.0/24', 'Documentation (TEST-NET-3)', 'RFC 5737'],
  ['224.0.0.0/4', 'Multicast', 'RFC 5771'],
  ['240.0.0.0/4', 'Reserved', 'RFC 1112 §4'],
  ['255.255.255.255/32', 'Limited Broadcast', 'RFC 919, RFC 8190'],

  ['::/96', 'Deprecated (IPv4-compatible IPv6 address)', 'RFC 4291 §2.5.5.1'],
  ['::/128', 'Unspecified Address', 'RFC 4291'],
  ['::1/128', 'Loopback Address', 'RFC 4291'],
  ['::ffff:0:0/96', 'IPv4-mapped Address', 'RFC 4291'],
  ['64:ff9b::/96', 'IPv4-IPv6 Translation', 'RFC 6052'],
  ['64:ff9b:1::/48', 'IPv4-IPv6 Translation (local use)', 'RFC 8215'],
  ['100::/64', 'Discard-Only Address Block', 'RFC 6666'],
  ['100:0:0:1::/64', 'Dummy IPv6 Prefix', 'RFC 9780'],
  ['2001::/23', 'IETF Protocol Assignments', 'RFC 2928'],
  ['2001::/32', 'TEREDO', 'RFC 4380, RFC 8190'],
  ['2001:1::1/128', 'Port Control Protocol Anycast', 'RFC 7723'],
  ['2001:1::2/128', 'Traversal Using Relays around NAT Anycast', 'RFC 8155'],
  ['2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast', 'RFC 9665'],
  ['2001:2::/48', 'Benchmarking', 'RFC 5180'],
  ['2001:3::/32', 'AMT', 'RFC 7450'],
  ['2001:4:112::/48', 'AS112-v6', 'RFC 7535'],
  ['2001:10::/28', 'Deprecated (previously ORCHID)', 'RFC 4843'],
  ['2001:20::/28', 'ORCHIDv2', 'RFC 7343'],
  ['2001:30::/28', 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', 'RFC 9374'],
  ['2001:db8::/32', 'Documentation', 'RFC 3849'],
  ['2002::/16', '6to4', 'RFC 3056'],
  ['2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'RFC 7534'],
  ['3fff::/20', 'Documentation', 'RFC 9637'],
  ['5f00::/16', 'Segment Routing (SRv6) SIDs', 'RFC 9602'],
  ['fc00::/7', 'Unique-Local', 'RFC 4193, RFC 8190'],
  ['fe80::/10', 'Link-Local Unicast', 'RFC 4291'],
  ['ff00::/8', 'Multicast', 'RFC 4291 §2.7'],
];

export const SPECIAL_RANGES: readonly SpecialRange[] = TABLE.map(([cidr, name, reference]) =>
  Object.freeze({ network: registryNetwork(cidr), cidr, name, reference }),
);

/**
 * The special-purpose range a network overlaps, or null when it is ordinary public space.
 *
 * Rule: a network is special when it lies inside a special range OR contains one, because either
 * way an ACL entry for it would admit special-purpose addresses (0.0.0.0/0 or 8.0.0.0/5 would let
 * in 0.0.0.0/8 or 10.0.0.0/8). CIDR blocks can only nest, so this is the same as "overlaps".
 * When the network lies inside ranges the most specific one is returned (the clearest name);
 * otherwise the first contained range in address order.
 *
 * IPv6 networks are compared as given, so ::ffff:0:0/96 itself is "IPv4-mapped Address"; the
 * parsers never produce such a network, they turn it into IPv4.
 */
export function findSpecialRange(network: IpNetwork): SpecialRange | null {
  let inside: SpecialRange | null = null;
  for (const range of SPECIAL_RANGES) {
    if (
      networkContains(range.network, network) &&
      (!inside || range.network.prefix > inside.network.prefix)
    ) {
      inside = range;
    }
  }
  if (inside) return inside;
  for (const range of SPECIAL_RANGES) {
    if (networkContains(network, range.network)) return range;
  }
  return null;
}

let addressIndex: NetworkMatcher<SpecialRange> | undefined;

/**
 * The most specific special range holding an address, or null. Uses a trie, so it is cheap enough
 * for per-packet checks. A family-4 address is checked against the IPv4 table only; a mapped IPv6
 * address is looked up as its IPv4 address.
 */
export function findSpecialRangeForAddress(address: IpAddress): SpecialRange | null {
  if (!addressIndex) {
    addressIndex = new NetworkMatcher<SpecialRange>();
    // ::ffff:0:0/96 would be stored as 0.0.0.0/0 (mapped blocks are canonicalised to IPv4) and
    // match every IPv4 address; mapped addresses are classified by their IPv4 value instead.
    for (const range of SPECIAL_RANGES)
      if (range.cidr !== '::ffff:0:0/96') addressIndex.insert(range.network, range);
  }
  return addressIndex.lookup(address) ?? null;
}

/** Parses a registry entry without IPv4-mapped canonicalisation. Throws: the table is a constant. */
function registryNetwork(cidr: string): IpNetwork {
  const [text, prefixText] = cidr.split('/');
  const address = parseIpLiteral(text ?? '');
  const prefix = Number(prefixText);
  if (!address || !Number.isInteger(prefix)) throw new Error(`bad special-range table entry ${cidr}`);
  return address.family === 4 ? { address, prefix } : { address, prefix };
}
