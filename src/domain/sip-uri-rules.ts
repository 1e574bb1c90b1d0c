// Rules for origination URIs: where an inbound trunk sends calls (Zentrunk URI resource).
// Accepted: a SIP or SIPS URI (RFC 3261 §19.1.1) or plain `host[:port]`, optionally with a user
// part and `;transport=udp|tcp|tls`. The URI grammar is the SIP parser's (src/sip/parser/uri.ts);
// IP hosts are re-read with the strict address parser so "010.1.1.1" is refused, not guessed at.

import { parseSipUri } from '../sip/parser/uri.ts';
import { findSpecialRangeForAddress, formatIp, parseIp } from './address/index.ts';
import { isLoopbackHost } from './loopback-host.ts';

export const ORIGINATION_URI_MAX = 255;
export const SIP_TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type SipTransport = (typeof SIP_TRANSPORTS)[number];

export interface OriginationTarget {
  /** Canonical text: lower-case scheme and host, canonical IP, `;transport` last. */
  readonly uri: string;
  readonly scheme: 'sip' | 'sips';
  readonly user: string | null;
  /** Host name (lower case) or canonical IP address; IPv6 without brackets. */
  readonly host: string;
  readonly hostType: 'hostname' | 'ipv4' | 'ipv6';
  /** null: the default port (5060, or 5061 for TLS) or whatever DNS (RFC 3263) says. */
  readonly port: number | null;
  /** null: chosen per RFC 3263. */
  readonly transport: SipTransport | null;
}

export type UriRuleResult =
  | { readonly ok: true; readonly value: OriginationTarget }
  | { readonly ok: false; readonly message: string };

export interface OriginationUriOptions {
  /** Accept loopback hosts (this machine): for one-machine setups and tests only. */
  readonly allowLoopback?: boolean;
}

/** The 400 text for a loopback host; the same words for URIs and provider servers. */
export function loopbackRefusal(field: string, host: string): string {
  return `${field} host ${host} is this machine (a loopback address); give your PBX's address. This deployment does not allow loopback targets`;
}

/**
 * Addresses a SIP peer can never be: this host, nobody, everyone. Private ranges stay allowed —
 * a PBX on the operator's VPN is a normal origination target. Loopback is checked apart, as an
 * operator may allow it.
 */
const UNREACHABLE_RANGES = new Set([
  '0.0.0.0/8',
  '0.0.0.0/32',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '255.255.255.255/32',
  '::/128',
  '::1/128',
  'fe80::/10',
  'ff00::/8',
]);

const EXAMPLES = 'e.g. sip:pbx.example.com:5060;transport=tcp or 203.0.113.10:5060';

function fail(message: string): UriRuleResult {
  return { ok: false, message };
}

export function parseOriginationUri(text: string, options: OriginationUriOptions = {}): UriRuleResult {
  if (text.length === 0) return fail(`uri is empty; give a SIP URI or host[:port], ${EXAMPLES}`);
  if (text.length > ORIGINATION_URI_MAX)
    return fail(`uri must be at most ${ORIGINATION_URI_MAX} characters (got ${text.length})`);
  if (/\s/.test(text)) return fail(`uri ${JSON.stringify(text)} contains whitespace; remove it`);

  // A bare IPv6 address would read as host "2001" with port "db8…": say what to write instead.
  const bare = parseIp(text);
  if (bare.ok && bare.value.family === 6) {
    return fail(
      `write an IPv6 host in brackets: [${formatIp(bare.value)}] (with a port: [${formatIp(bare.value)}]:5060)`,
    );
  }

  let raw: string;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (scheme !== null && /^sips?$/i.test(scheme[1] ?? '')) {
    raw = text;
  } else if (scheme !== null && !/^\d*(;|$)/.test(text.slice(scheme[0].length))) {
    // Not "host:port": some other scheme (tel:, http://…).
    return fail(`uri scheme "${scheme[1]}:" is not supported; use sip:, sips: or host[:port], ${EXAMPLES}`);
  } else {
    raw = `sip:${text}`;
  }

  const parsed = parseSipUri(raw, { allowHeaders: false });
  if (!parsed.ok)
    return fail(`uri ${JSON.stringify(text)} is not a valid SIP URI: ${parsed.reason}; ${EXAMPLES}`);
  const uri = parsed.value;
  if (uri.password !== undefined)
    return fail('uri must not carry a password; origination URIs are stored and shown in clear');

  let transport: SipTransport | null = null;
  for (const [name, value] of uri.params) {
    if (name !== 'transport')
      return fail(`uri parameter ";${name}" is not supported; only ;transport=udp|tcp|tls may be given`);
    const t = (value ?? '').toLowerCase();
    if (t !== 'udp' && t !== 'tcp' && t !== 'tls')
      return fail(`uri transport "${value ?? ''}" is not supported; use udp, tcp or tls`);
    transport = t;
  }
  if (uri.scheme === 'sips' && transport === 'udp')
    return fail('a sips: URI needs TLS; use transport=tls (or tcp), or a sip: URI for UDP');
  if (uri.port === 0) return fail('uri port must be from 1 to 65535');

  let host: string;
  let hostType: OriginationTarget['hostType'];
  if (uri.hostType === 'hostname') {
    host = uri.host.toLowerCase().replace(/\.$/, '');
    hostType = 'hostname';
    if (isLoopbackHost(host) && options.allowLoopback !== true)
      return fail(`${loopbackRefusal('uri', `"${host}"`)} (RFC 6761 §6.3)`);
  } else {
    const literal = uri.hostType === 'ipv6' ? uri.host.slice(1, -1) : uri.host;
    const address = parseIp(literal);
    if (!address.ok) return fail(`uri host: ${address.message}`);
    const loopback = isLoopbackHost(literal);
    if (loopback && options.allowLoopback !== true)
      return fail(loopbackRefusal('uri', formatIp(address.value)));
    const special = findSpecialRangeForAddress(address.value);
    if (!loopback && special !== null && UNREACHABLE_RANGES.has(special.cidr)) {
      return fail(
        `uri host ${formatIp(address.value)} is in ${special.cidr} (${special.name}, ${special.reference}); it cannot be a PBX's address`,
      );
    }
    host = formatIp(address.value);
    hostType = address.value.family === 4 ? 'ipv4' : 'ipv6';
  }

  const hostText = hostType === 'ipv6' ? `[${host}]` : host;
  const canonical =
    `${uri.scheme}:${uri.user !== undefined ? `${uri.user}@` : ''}${hostText}` +
    `${uri.port !== undefined ? `:${uri.port}` : ''}${transport !== null ? `;transport=${transport}` : ''}`;
  return {
    ok: true,
    value: {
      uri: canonical,
      scheme: uri.scheme,
      user: uri.user ?? null,
      host,
      hostType,
      port: uri.port ?? null,
      transport,
    },
  };
}
