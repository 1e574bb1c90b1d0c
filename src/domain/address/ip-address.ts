import { type AddressResult, addressError, addressOk } from './address-result.ts';

export type IpFamily = 4 | 6;

/** An IPv4 address as an unsigned 32-bit integer; the first octet is in the top 8 bits. */
export interface Ipv4Address {
  readonly family: 4;
  readonly value: number;
}

/** 128 bits as four unsigned 32-bit words, most significant first (network byte order). */
export type Ipv6Words = readonly [number, number, number, number];

export interface Ipv6Address {
  readonly family: 6;
  readonly words: Ipv6Words;
}

/**
 * A parsed address. Addresses produced by `parseIp` / `normalizeSourceAddress` never hold an
 * IPv4-mapped IPv6 address (::ffff:0:0/96, RFC 4291 §2.5.5.2): those are returned as family 4, so a
 * dual-stack socket's `::ffff:192.0.2.1` and a plain `192.0.2.1` are the same address everywhere.
 */
export type IpAddress = Ipv4Address | Ipv6Address;

/** Builds an IPv4 address from its 32-bit value (coerced to unsigned). */
export function ipv4(value: number): Ipv4Address {
  return { family: 4, value: value >>> 0 };
}

/**
 * Builds an IPv6 address from four 32-bit words, exactly as given: it does NOT turn an IPv4-mapped
 * address into family 4 (the special-range table needs to name ::ffff:0:0/96 itself).
 */
export function ipv6(words: readonly [number, number, number, number]): Ipv6Address {
  return { family: 6, words: [words[0] >>> 0, words[1] >>> 0, words[2] >>> 0, words[3] >>> 0] };
}

/** True for ::ffff:0:0/96, the IPv4-mapped block (RFC 4291 §2.5.5.2). */
export function isIpv4MappedWords(words: Ipv6Words): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

/**
 * Parses one IPv4 or IPv6 literal strictly: dotted-quad IPv4 with exactly four decimal octets and
 * no leading zeros (they are read as octal by inet_aton, so "010.1.1.1" is ambiguous), and RFC 4291
 * §2.2 IPv6 text without zone, brackets or port. IPv4-mapped IPv6 comes back as family 4.
 */
export function parseIp(text: string): AddressResult<IpAddress> {
  const literal = typeof text === 'string' ? parseIpLiteral(text) : null;
  if (literal === null) return addressError('invalid_ip', invalidIpMessage(text));
  return addressOk(unmapIpv4(literal));
}

/**
 * Normalises a socket's remote address (net.Socket#remoteAddress, dgram rinfo.address) for source
 * checks. Dual-stack sockets report IPv4 peers as `::ffff:a.b.c.d`; those become family 4. A zone
 * id (`fe80::1%eth0`) is dropped because ACLs cannot name zones and the kernel already chose the
 * interface. Returns null for anything that is not an address (e.g. undefined after a socket closed).
 */
export function normalizeSourceAddress(text: string | undefined | null): IpAddress | null {
  if (typeof text !== 'string') return null;
  const n = text.length;
  // Hot path: plain IPv4, then Node's lower-case mapped spelling; everything else is the general parser.
  const v4 = scanIpv4(text, 0, n);
  if (v4 >= 0) return { family: 4, value: v4 };
  if (n > 7 && text.startsWith('::ffff:')) {
    const mapped = scanIpv4(text, 7, n);
    if (mapped >= 0) return { family: 4, value: mapped };
  }
  let end = text.indexOf('%');
  if (end < 0) end = n;
  else if (end === n - 1) return null;
  if (!scanIpv6(text, 0, end)) return null;
  if (SCRATCH_WORDS[0] === 0 && SCRATCH_WORDS[1] === 0 && SCRATCH_WORDS[2] === 0xffff) {
    return { family: 4, value: SCRATCH_WORDS[3]! };
  }
  return { family: 6, words: [SCRATCH_WORDS[0]!, SCRATCH_WORDS[1]!, SCRATCH_WORDS[2]!, SCRATCH_WORDS[3]!] };
}

/**
 * Canonical text: dotted-quad for IPv4; RFC 5952 §4 for IPv6 (lower-case, no leading zeros, the
 * longest run of two or more zero groups shortened to "::", the first such run on a tie). IPv6 is
 * always written in hex, including for the mixed notation RFC 5952 §5 only recommends, so the
 * output is one fixed spelling per address.
 */
export function formatIp(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.value) : formatIpv6(address.words);
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

export function formatIpv6(words: Ipv6Words): string {
  const groups: number[] = [];
  for (const word of words) groups.push(word >>> 16, word & 0xffff);
  let bestStart = -1;
  let bestLength = 1; // RFC 5952 §4.2.2: a single zero group is never shortened.
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  if (a.family === 4) return b.family === 4 && a.value === b.value;
  if (b.family !== 6) return false;
  const x = a.words;
  const y = b.words;
  return x[0] === y[0] && x[1] === y[1] && x[2] === y[2] && x[3] === y[3];
}

/** The address as an unsigned integer (32 or 128 bits), for ordering and arithmetic. */
export function ipToBigInt(address: IpAddress): bigint {
  if (address.family === 4) return BigInt(address.value);
  let result = 0n;
  for (const word of address.words) result = (result << 32n) | BigInt(word);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Internals shared with cidr.ts. Not re-exported from index.ts.

/**
 * Parses a literal without turning IPv4-mapped IPv6 into IPv4, so that a CIDR such as
 * `::ffff:10.0.0.0/104` can be mapped together with its prefix. Null when invalid.
 */
export function parseIpLiteral(text: string): IpAddress | null {
  const n = text.length;
  if (text.indexOf(':') < 0) {
    const value = scanIpv4(text, 0, n);
    return value < 0 ? null : { family: 4, value };
  }
  if (!scanIpv6(text, 0, n)) return null;
  return { family: 6, words: [SCRATCH_WORDS[0]!, SCRATCH_WORDS[1]!, SCRATCH_WORDS[2]!, SCRATCH_WORDS[3]!] };
}

/** Family 6 mapped addresses become family 4; everything else is returned unchanged. */
export function unmapIpv4(address: IpAddress): IpAddress {
  if (address.family === 6 && isIpv4MappedWords(address.words)) return ipv4(address.words[3]);
  return address;
}

/** Quotes user input for a message: JSON escaping shows stray spaces and control characters. */
export function quoteInput(text: unknown): string {
  if (typeof text !== 'string') return String(text);
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(shown);
}

export function invalidIpMessage(text: unknown, slashHint?: string): string {
  if (typeof text !== 'string') return `the IP address must be text, got ${typeof text}`;
  return `${quoteInput(text)} is not a valid IP address: ${invalidIpReason(text, slashHint)}`;
}

/**
 * Explains why `text` was rejected. Runs only after the fast scanners failed, so it favours clear
 * wording over speed.
 */
export function invalidIpReason(text: string, slashHint?: string): string {
  if (text.length === 0) return 'it is empty';
  if (/\s/.test(text)) return 'it contains whitespace; remove it';
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(text);
  if (bracketed) {
    const inner = parseIpLiteral(bracketed[1] ?? '');
    const what = bracketed[2] === undefined ? 'the brackets' : 'the brackets and the port';
    return inner
      ? `remove ${what}; use ${formatIp(unmapIpv4(inner))}`
      : `brackets and ports are not allowed, only a bare address`;
  }
  if (text.includes('[') || text.includes(']'))
    return 'brackets and ports are not allowed, only a bare address';
  const percent = text.indexOf('%');
  if (percent >= 0) {
    const inner = parseIpLiteral(text.slice(0, percent));
    const fix = inner ? `; use ${formatIp(unmapIpv4(inner))}` : '';
    return `zone identifiers (${text.slice(percent)}) are not allowed${fix}`;
  }
  if (text.includes('/')) {
    return slashHint ?? 'it has a prefix length; a single address is expected here, not a network';
  }
  const colon = text.indexOf(':');
  if (colon >= 0 && text.includes('.') && text.lastIndexOf(':') === colon) {
    const host = text.slice(0, colon);
    if (scanIpv4(host, 0, host.length) >= 0) return `ports are not allowed; use ${host}`;
  }
  return colon < 0 ? ipv4Reason(text) : ipv6Reason(text);
}

function ipv4Reason(text: string): string {
  if (/^[0-9]+$/.test(text)) {
    return 'a bare number is not accepted; write IPv4 as four dotted decimal octets, e.g. 192.0.2.1';
  }
  if (/0x/i.test(text)) return 'hexadecimal octets are not accepted; write decimal octets, e.g. 192.0.2.1';
  const bad = /[^0-9.]/.exec(text);
  if (bad) {
    if (/[A-Za-z]/.test(text) && /^[A-Za-z0-9.-]+$/.test(text)) {
      return 'hostnames are not accepted; give the IP address';
    }
    return `the character ${quoteInput(bad[0])} is not allowed in an IP address`;
  }
  const parts = text.split('.');
  if (parts.length !== 4) {
    const shorthand = parts.length < 4 ? ' (shorthand forms such as 10.1 are not accepted)' : '';
    return `an IPv4 address has exactly 4 dotted octets, this has ${parts.length}${shorthand}`;
  }
  return octetReason(parts) ?? 'it is not a valid IPv4 address';
}

function octetReason(parts: readonly string[]): string | null {
  for (const part of parts) {
    if (part === '') return 'an octet is empty';
    if (part.length > 1 && part.startsWith('0')) {
      return `octet ${part} has a leading zero, which some systems read as octal; write it without leading zeros`;
    }
    if (Number(part) > 255) return `octet ${part} is greater than 255`;
  }
  return null;
}

function ipv6Reason(text: string): string {
  const bad = /[^0-9A-Fa-f:.]/.exec(text);
  if (bad) {
    if (/^[A-Za-z0-9.-]+:[0-9]+$/.test(text))
      return 'hostnames and ports are not accepted; give the IP address';
    return `the character ${quoteInput(bad[0])} is not allowed in an IP address`;
  }
  if (text.includes(':::')) return '":::" is not valid; use "::" for a run of zero groups';
  const doubleColons = text.split('::').length - 1;
  if (doubleColons > 1) return '"::" may appear only once';
  if (/^:[^:]/.test(text) || text === ':') return 'it starts with a single ":"';
  if (/[^:]:$/.test(text)) return 'it ends with a single ":"';
  if (/\.[^:]*:/.test(text)) return 'an embedded IPv4 address is allowed only in the last 32 bits';
  const groups = text.split(':').filter((g) => g !== '');
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] ?? '';
    if (group.includes('.')) {
      if (i !== groups.length - 1) return 'an embedded IPv4 address is allowed only in the last 32 bits';
      const parts = group.split('.');
      if (parts.length !== 4 || /[^0-9.]/.test(group)) {
        return `embedded IPv4 address ${group} must be four dotted decimal octets`;
      }
      const reason = octetReason(parts);
      if (reason) return `embedded IPv4 address ${group} is invalid: ${reason}`;
      count += 2;
    } else {
      if (group.length > 4) return `group ${group} has more than 4 hex digits`;
      count += 1;
    }
  }
  if (doubleColons === 1 && count > 7) return `too many groups (${count}) for an address with "::"`;
  if (doubleColons === 0 && count > 8) return `too many groups (${count}); an IPv6 address has 8`;
  if (doubleColons === 0 && count < 8) return `too few groups (${count} of 8); use "::" to shorten zeros`;
  return 'it is not a valid IPv6 address';
}

// ---------------------------------------------------------------------------------------------
// Scanners: char-code loops with no allocation, because normalizeSourceAddress runs per packet.

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[65 + c] = 10 + c;
  HEX_VALUE[97 + c] = 10 + c;
}

/** Output of scanIpv6. JS is single-threaded and the scanner never yields, so sharing is safe. */
const SCRATCH_WORDS = new Uint32Array(4);
const SCRATCH_GROUPS = new Uint16Array(8);

/**
 * Strict dotted-quad in text[start, end): four decimal octets 0–255, no leading zeros, nothing
 * else. Returns the unsigned 32-bit value, or -1.
 */
export function scanIpv4(text: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

/**
 * RFC 4291 §2.2 text in text[start, end): eight 1–4 digit hex groups, at most one "::" standing for
 * one or more zero groups, optionally ending in a dotted-quad for the low 32 bits. On success the
 * address is in SCRATCH_WORDS.
 */
function scanIpv6(text: string, start: number, end: number): boolean {
  const groups = SCRATCH_GROUPS;
  let i = start;
  let count = 0;
  let gap = -1;
  if (end - start < 2) return false;
  if (text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      const h = c < 128 ? HEX_VALUE[c]! : -1;
      if (h < 0) break;
      value = ((value << 4) | h) & 0xfffff;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46) {
      // Embedded IPv4 (RFC 4291 §2.2 form 3) must run to the end and fill the last two groups.
      if (count > 6) return false;
      const v4 = scanIpv4(text, groupStart, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    const digits = i - groupStart;
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i === end) return false; // a trailing single ':'
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    if (count > 7) return false; // "::" stands for at least one group
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k]!;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  const words = SCRATCH_WORDS;
  words[0] = (groups[0]! << 16) | groups[1]!;
  words[1] = (groups[2]! << 16) | groups[3]!;
  words[2] = (groups[4]! << 16) | groups[5]!;
  words[3] = (groups[6]! << 16) | groups[7]!;
  return true;
}
