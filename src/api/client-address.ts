// Which address an API request comes from: the socket's peer, unless that peer is one of the
// operator's reverse proxies (TRUNKGATE_TRUSTED_PROXIES), in which case X-Forwarded-For is read
// from the right: each trusted proxy appends the address it received the request from, so the
// right-most hop that is not a trusted proxy is the client. Everything left of it was written by
// the client and is ignored, and a forwarded header from an untrusted peer is ignored entirely.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import {
  hostNetwork,
  type IpAddress,
  NetworkMatcher,
  normalizeSourceAddress,
  parseCidr,
  parseIp,
} from '../domain/address/index.ts';

/** Builds the matcher for a list of trusted proxies (addresses or CIDRs, already validated by config). */
export function trustedProxyMatcher(list: readonly string[]): NetworkMatcher<true> {
  const matcher = new NetworkMatcher<true>();
  for (const item of list) {
    const parsed = item.includes('/') ? parseCidr(item) : parseIp(item);
    if (!parsed.ok) throw new Error(`TRUNKGATE_TRUSTED_PROXIES: ${parsed.message}`);
    matcher.insert('prefix' in parsed.value ? parsed.value : hostNetwork(parsed.value), true);
  }
  return matcher;
}

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

/**
 * One X-Forwarded-For hop: an address, optionally with a port ("198.51.100.7:4711",
 * "[2001:db8::7]:4711") as some proxies write it. Null for anything else ("unknown", garbage).
 */
export function parseForwardedHop(hop: string): IpAddress | null {
  let text = hop.trim();
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    const rest = text.slice(close + 1);
    if (rest !== '' && !isPort(rest.slice(1))) return null;
    text = text.slice(1, close);
  } else if (/^[0-9.]+:[^:]*$/.test(text)) {
    // Dotted IPv4 with a port (one colon; IPv6 has at least two).
    const colon = text.indexOf(':');
    if (!isPort(text.slice(colon + 1))) return null;
    text = text.slice(0, colon);
  }
  const parsed = parseIp(text);
  return parsed.ok ? parsed.value : null;
}

/**
 * The client address for a request that arrived from `peer` carrying `forwardedFor`. Null when it
 * cannot be told (no peer, or a trusted proxy passed on a hop that is not an address): such a
 * request is outside every allowlist.
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: NetworkMatcher<true>,
): IpAddress | null {
  const socket = normalizeSourceAddress(peer);
  if (socket === null || !trusted.contains(socket) || forwardedFor === undefined) return socket;
  // Node joins repeated X-Forwarded-For headers with ", "; join an array the same way.
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let client: IpAddress = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const raw = hops[i] ?? '';
    if (raw.trim() === '' && hops.length === 1) return socket;
    const hop = parseForwardedHop(raw);
    if (hop === null) return null;
    client = hop;
    if (!trusted.contains(hop)) return hop;
  }
  // Every hop is a trusted proxy: the left-most one is where the request entered.
  return client;
}

const matchers = new WeakMap<object, NetworkMatcher<true>>();
const resolved = new WeakMap<object, IpAddress | null>();

/** The client address of a request (computed once per request). */
export function requestClientAddress(request: FastifyRequest, config: Readonly<Config>): IpAddress | null {
  if (resolved.has(request.raw)) return resolved.get(request.raw) ?? null;
  let trusted = matchers.get(config);
  if (trusted === undefined) {
    trusted = trustedProxyMatcher(config.trustedProxies);
    matchers.set(config, trusted);
  }
  // trustProxy is off in app.ts, so request.ip is the socket's peer address.
  const address = resolveClientAddress(request.ip, request.headers['x-forwarded-for'], trusted);
  resolved.set(request.raw, address);
  return address;
}
