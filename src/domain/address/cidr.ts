import { type AddressResult, addressError, addressOk } from './address-result.ts';
import {
  formatIp,
  type IpAddress,
  type Ipv4Address,
  type Ipv6Address,
  invalidIpMessage,
  invalidIpReason,
  ipEquals,
  isIpv4MappedWords,
  parseIp,
  parseIpLiteral,
  quoteInput,
} from './ip-address.ts';

export interface Ipv4Network {
  /** The network address: every bit beyond `prefix` is zero. */
  readonly address: Ipv4Address;
  readonly prefix: number;
}

export interface Ipv6Network {
  /** The network address: every bit beyond `prefix` is zero. */
  readonly address: Ipv6Address;
  readonly prefix: number;
}

/**
 * A CIDR block (RFC 4632). Values from `parseCidr` / `parseNetwork` are canonical: host bits are
 * zero and an IPv4-mapped IPv6 block (::ffff:0:0/96 or longer) is given as the IPv4 block it maps.
 */
export type IpNetwork = Ipv4Network | Ipv6Network;

export function maxPrefix(family: 4 | 6): 32 | 128 {
  return family === 4 ? 32 : 128;
}

/**
 * Parses `address/prefix`. A bare address is refused with `cidr_required` (the caller asked for a
 * network, and guessing /32 would hide a typo such as a forgotten "/24").
 */
export function parseCidr(text: string): AddressResult<IpNetwork> {
  if (typeof text !== 'string') return addressError('invalid_ip', invalidIpMessage(text));
  const slash = text.indexOf('/');
  if (slash < 0) {
    const address = parseIp(text);
    if (!address.ok) return address;
    const shown = formatIp(address.value);
    return addressError(
      'cidr_required',
      `${shown} is not in CIDR notation; use ${shown}/${maxPrefix(address.value.family)}`,
    );
  }
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const literal = parseIpLiteral(addressText);
  if (literal === null) {
    return addressError(
      'invalid_ip',
      `${quoteInput(text)} is not a valid network: ${quoteInput(addressText)} is not a valid IP address: ${invalidIpReason(addressText)}`,
    );
  }
  const max = maxPrefix(literal.family);
  const prefix = parsePrefixText(prefixText);
  if (prefix < 0) {
    return addressError(
      'invalid_cidr_prefix',
      `${quoteInput(text)} has an invalid prefix length ${quoteInput(prefixText)}: write a whole number from 0 to ${max} without leading zeros, signs or spaces`,
    );
  }
  if (prefix > max)
    return addressError('invalid_cidr_prefix', prefixRangeMessage(quoteInput(text), prefix, max));
  return networkFromAddress(literal, prefix);
}

/**
 * Builds a network from the ACL entry shape: `ip` plus an optional `cidr_prefix` (0–32 for IPv4,
 * 0–128 for IPv6; absent or null means the single host, /32 or /128). The prefix may be a number or
 * its decimal text, e.g. from a form field.
 */
export function parseNetwork(ip: string, cidrPrefix?: number | string | null): AddressResult<IpNetwork> {
  const literal = typeof ip === 'string' ? parseIpLiteral(ip) : null;
  if (literal === null) {
    return addressError(
      'invalid_ip',
      invalidIpMessage(
        ip,
        'it has a prefix length; give the address in ip and the prefix length in cidr_prefix',
      ),
    );
  }
  const max = maxPrefix(literal.family);
  let prefix: number;
  if (cidrPrefix === undefined || cidrPrefix === null) {
    prefix = max;
  } else if (typeof cidrPrefix === 'number') {
    if (!Number.isInteger(cidrPrefix)) {
      return addressError(
        'invalid_cidr_prefix',
        `cidr_prefix ${cidrPrefix} is not a whole number; use 0–${max} for ${familyName(literal.family)}`,
      );
    }
    prefix = cidrPrefix;
  } else if (typeof cidrPrefix === 'string') {
    prefix = parsePrefixText(cidrPrefix);
    if (prefix < 0) {
      return addressError(
        'invalid_cidr_prefix',
        `cidr_prefix ${quoteInput(cidrPrefix)} is not valid: write a whole number from 0 to ${max} without leading zeros, signs or spaces`,
      );
    }
  } else {
    return addressError('invalid_cidr_prefix', `cidr_prefix must be a whole number from 0 to ${max}`);
  }
  if (prefix < 0 || prefix > max) {
    return addressError(
      'invalid_cidr_prefix',
      `cidr_prefix ${prefix} is out of range for ${familyName(literal.family)} (0–${max})`,
    );
  }
  return networkFromAddress(literal, prefix);
}

/**
 * Builds a canonical network from an address and a prefix length that is already known to be a
 * whole number. An IPv4-mapped IPv6 address with a prefix of 96 or more becomes the IPv4 network
 * it maps (::ffff:10.0.0.0/104 is 10.0.0.0/8); host bits beyond the prefix are an error, because a
 * person who typed 10.1.2.3/24 may have meant 10.1.2.3/32 as easily as 10.1.2.0/24.
 */
export function networkFromAddress(address: IpAddress, prefix: number): AddressResult<IpNetwork> {
  const max = maxPrefix(address.family);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    return addressError('invalid_cidr_prefix', prefixRangeMessage(formatIp(address), prefix, max));
  }
  let base = address;
  let length = prefix;
  if (base.family === 6 && prefix >= 96 && isIpv4MappedWords(base.words)) {
    base = { family: 4, value: base.words[3] };
    length = prefix - 96;
  }
  const masked = maskAddress(base, length);
  if (!ipEquals(masked, base)) {
    return addressError(
      'host_bits_set',
      `${formatIp(base)}/${length} has host bits set beyond the prefix; use ${formatIp(masked)}/${length}`,
    );
  }
  return addressOk(makeNetwork(masked, length));
}

/**
 * Canonicalises a network built elsewhere: maps IPv4-mapped IPv6 blocks to IPv4 and clears host
 * bits. The prefix is trusted (callers hold an IpNetwork, which came from a parser).
 */
export function normalizeNetwork(network: IpNetwork): IpNetwork {
  let base: IpAddress = network.address;
  let length = network.prefix;
  if (base.family === 6 && length >= 96 && isIpv4MappedWords(base.words)) {
    base = { family: 4, value: base.words[3] };
    length -= 96;
  }
  return makeNetwork(maskAddress(base, length), length);
}

export function formatCidr(network: IpNetwork): string {
  return `${formatIp(network.address)}/${network.prefix}`;
}

/** The single-host network for an address: /32 or /128. */
export function hostNetwork(address: IpAddress): IpNetwork {
  return makeNetwork(address, maxPrefix(address.family));
}

/** The address with every bit beyond `prefix` cleared. */
export function maskAddress(address: Ipv4Address, prefix: number): Ipv4Address;
export function maskAddress(address: Ipv6Address, prefix: number): Ipv6Address;
export function maskAddress(address: IpAddress, prefix: number): IpAddress;
export function maskAddress(address: IpAddress, prefix: number): IpAddress {
  if (address.family === 4) return { family: 4, value: maskWord(address.value, prefix) };
  const w = address.words;
  return {
    family: 6,
    words: [
      maskWord(w[0], prefix),
      maskWord(w[1], prefix - 32),
      maskWord(w[2], prefix - 64),
      maskWord(w[3], prefix - 96),
    ],
  };
}

/** True when every address in `inner` is also in `outer` (a network contains itself). */
export function networkContains(outer: IpNetwork, inner: IpNetwork): boolean {
  return outer.prefix <= inner.prefix && samePrefix(outer.address, inner.address, outer.prefix);
}

export function networkContainsAddress(network: IpNetwork, address: IpAddress): boolean {
  return samePrefix(network.address, address, network.prefix);
}

export function networksEqual(a: IpNetwork, b: IpNetwork): boolean {
  return a.prefix === b.prefix && samePrefix(a.address, b.address, a.prefix);
}

/** CIDR blocks either nest or are disjoint, so two overlap exactly when one contains the other. */
export function networksOverlap(a: IpNetwork, b: IpNetwork): boolean {
  return networkContains(a, b) || networkContains(b, a);
}

// ---------------------------------------------------------------------------------------------

function makeNetwork(address: IpAddress, prefix: number): IpNetwork {
  return address.family === 4 ? { address, prefix } : { address, prefix };
}

/** Same family and equal in the first `prefix` bits. */
function samePrefix(a: IpAddress, b: IpAddress, prefix: number): boolean {
  if (a.family === 4) return b.family === 4 && maskWord(a.value ^ b.value, prefix) === 0;
  if (b.family !== 6) return false;
  const x = a.words;
  const y = b.words;
  return (
    maskWord(x[0] ^ y[0], prefix) === 0 &&
    maskWord(x[1] ^ y[1], prefix - 32) === 0 &&
    maskWord(x[2] ^ y[2], prefix - 64) === 0 &&
    maskWord(x[3] ^ y[3], prefix - 96) === 0
  );
}

/** Keeps the top `bits` bits of a 32-bit word (clamped to 0–32), as an unsigned value. */
function maskWord(word: number, bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return word >>> 0;
  return (word & (-1 << (32 - bits))) >>> 0;
}

/** "0".."128" with no sign, leading zero or whitespace; -1 otherwise. Range is checked by callers. */
function parsePrefixText(text: string): number {
  if (text.length === 0 || text.length > 3) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    if (i === 1 && value === 0) return -1; // leading zero
    value = value * 10 + (c - 48);
  }
  return value;
}

function prefixRangeMessage(subject: string, prefix: number, max: number): string {
  return `${subject}: prefix length ${prefix} is out of range for ${max === 32 ? 'IPv4' : 'IPv6'} (0–${max})`;
}

function familyName(family: 4 | 6): string {
  return family === 4 ? 'IPv4' : 'IPv6';
}
