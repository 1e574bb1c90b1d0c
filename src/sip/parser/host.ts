import { isIPv6 as netIsIPv6 } from 'node:net';
import { HOSTNAME, is, isAlpha, isDigit, parseDecimal } from './char-classes.ts';
import { fail, ok, type Parsed } from './parsed.ts';

export type HostType = 'hostname' | 'ipv4' | 'ipv6';

export interface HostPort {
  /** As written; IPv6 references keep their brackets (RFC 3261 §25.1 IPv6reference). */
  readonly host: string;
  readonly hostType: HostType;
  readonly port?: number;
}

const MAX_HOST_LENGTH = 255;

/** RFC 3261 §25.1 IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT (each ≤ 255). */
export function isIPv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46 /* . */) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (isDigit(c)) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** RFC 3261 §25.1 IPv6address (no brackets, no zone identifier). */
export function isIPv6(s: string): boolean {
  return s.length >= 2 && s.length <= 45 && !s.includes('%') && netIsIPv6(s);
}

/**
 * RFC 3261 §25.1 hostname = *( domainlabel "." ) toplabel [ "." ];
 * domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum;
 * toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum.
 */
export function isHostname(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > MAX_HOST_LENGTH) return false;
  const end = s.charCodeAt(len - 1) === 46 ? len - 1 : len; // optional trailing "."
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    if (i < end && s.charCodeAt(i) !== 46) {
      if (!is(s.charCodeAt(i), HOSTNAME)) return false;
      continue;
    }
    if (i === labelStart) return false; // empty label
    if (s.charCodeAt(labelStart) === 45 || s.charCodeAt(i - 1) === 45) return false; // leading/trailing "-"
    if (i === end && !isAlpha(s.charCodeAt(labelStart))) return false; // toplabel starts with ALPHA
    labelStart = i + 1;
  }
  return true;
}

/** Classifies a host (hostname / IPv4address / IPv6reference); undefined when invalid. */
export function hostType(s: string): HostType | undefined {
  if (s.charCodeAt(0) === 91 /* [ */) {
    return s.charCodeAt(s.length - 1) === 93 && isIPv6(s.slice(1, -1)) ? 'ipv6' : undefined;
  }
  if (isDigit(s.charCodeAt(s.length - 1)) && isIPv4(s)) return 'ipv4';
  return isHostname(s) ? 'hostname' : undefined;
}

/** RFC 3261 §25.1 hostport = host [ ":" port ]; port limited to 0..65535. */
export function parseHostPort(s: string): Parsed<HostPort> {
  let hostEnd: number;
  if (s.charCodeAt(0) === 91 /* [ */) {
    hostEnd = s.indexOf(']');
    if (hostEnd < 0) return fail('unterminated IPv6 reference');
    hostEnd++;
  } else {
    hostEnd = s.indexOf(':');
    if (hostEnd < 0) hostEnd = s.length;
  }
  const host = s.slice(0, hostEnd);
  const type = hostType(host);
  if (type === undefined) return fail(`invalid host: ${host.slice(0, 64)}`);
  if (hostEnd === s.length) return ok({ host, hostType: type });
  if (s.charCodeAt(hostEnd) !== 58 /* : */) return fail('junk after host');
  const portText = s.slice(hostEnd + 1);
  const port = portText.length <= 5 ? parseDecimal(portText, 65535) : -1;
  if (port < 0) return fail(`invalid port: ${portText.slice(0, 16)}`);
  return ok({ host, hostType: type, port });
}
