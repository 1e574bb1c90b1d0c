export type { AddressError, AddressErrorCode, AddressResult } from './address-result.ts';
export {
  formatCidr,
  hostNetwork,
  type IpNetwork,
  type Ipv4Network,
  type Ipv6Network,
  maskAddress,
  maxPrefix,
  networkContains,
  networkContainsAddress,
  networkFromAddress,
  networksEqual,
  networksOverlap,
  normalizeNetwork,
  parseCidr,
  parseNetwork,
} from './cidr.ts';
export {
  formatIp,
  type IpAddress,
  type IpFamily,
  type Ipv4Address,
  type Ipv6Address,
  type Ipv6Words,
  ipEquals,
  ipToBigInt,
  ipv4,
  ipv6,
  isIpv4MappedWords,
  normalizeSourceAddress,
  parseIp,
} from './ip-address.ts';
export { type NetworkMatch, NetworkMatcher } from './network-matcher.ts';
export {
  findSpecialRange,
  findSpecialRangeForAddress,
  SPECIAL_RANGES,
  type SpecialRange,
} from './special-ranges.ts';
