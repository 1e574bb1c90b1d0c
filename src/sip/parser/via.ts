import { HOSTNAME, isDigit, parseDecimal, scan, skipWs, TOKEN, trimWs } from './char-classes.ts';
import { MAX_LIST_ELEMENTS, type ParamMap, parseParams } from './header-values.ts';
import { type HostType, hostType, isIPv4, isIPv6 } from './host.ts';
import { fail, ok, type Parsed } from './parsed.ts';
import type { SipMessage } from './sip-message.ts';

/** RFC 3261 §17.1.3 / §8.1.1.7: branch IDs of RFC 3261 elements start with this magic cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/** One via-parm (RFC 3261 §20.42, §25.1). */
export interface Via {
  /** protocol-name, upper-cased (normally `SIP`). */
  readonly protocolName: string;
  readonly protocolVersion: string;
  /** Transport token upper-cased: UDP, TCP, TLS, SCTP, WS, WSS or any other token. */
  readonly transport: string;
  readonly host: string;
  readonly hostType: HostType;
  readonly port?: number;
  readonly branch?: string;
  readonly received?: string;
  /** RFC 3581 §4: `true` when rport is present without a value (request), else the port. */
  readonly rport?: number | true;
  readonly maddr?: string;
  readonly ttl?: number;
  /** All via-params, lower-cased names. */
  readonly params: ParamMap;
  /** This via-parm as written. */
  readonly raw: string;
}

/**
 * Parses one Via header field value, which may hold several comma-separated via-parms
 * (RFC 3261 §7.3.1, §20.42). sent-protocol = protocol-name SLASH protocol-version SLASH transport,
 * where SLASH = SWS "/" SWS (RFC 4475 §3.1.1.1 exercises the whitespace).
 */
export function parseVia(value: string): Parsed<Via[]> {
  const out: Via[] = [];
  let pos = skipWs(value, 0);
  if (pos === value.length) return fail('empty Via');
  for (;;) {
    const r = parseViaParm(value, pos);
    if (!r.ok) return r;
    if (out.length >= MAX_LIST_ELEMENTS) return fail('too many Via values');
    out.push(r.value.via);
    pos = r.value.end;
    if (pos >= value.length) return ok(out);
    // parseParams stopped at a comma.
    pos = skipWs(value, pos + 1);
    if (pos === value.length) return fail('trailing comma in Via');
  }
}

/** All Via values of several header fields, in order (RFC 3261 §7.3.1: equivalent to one comma list). */
export function parseVias(values: readonly string[]): Parsed<Via[]> {
  const out: Via[] = [];
  for (const v of values) {
    const r = parseVia(v);
    if (!r.ok) return r;
    for (const via of r.value) out.push(via);
  }
  return ok(out);
}

/** Lazily parsed, cached Via list of a message (topmost first). */
export function getVias(msg: SipMessage): Parsed<Via[]> {
  return msg.headers.memo('via', 'vias', () => parseVias(msg.headers.getAll('via')));
}

/** True when the branch is an RFC 3261 transaction ID: the magic cookie plus at least one more character (RFC 4475 §3.2.1). */
export function hasRfc3261Branch(via: Via): boolean {
  return (
    via.branch !== undefined &&
    via.branch.length > BRANCH_MAGIC_COOKIE.length &&
    via.branch.startsWith(BRANCH_MAGIC_COOKIE)
  );
}

function parseViaParm(s: string, pos: number): Parsed<{ via: Via; end: number }> {
  const start = pos;
  const nameEnd = scan(s, pos, TOKEN);
  if (nameEnd === pos) return fail('invalid Via protocol name');
  const protocolName = s.slice(pos, nameEnd).toUpperCase();
  pos = skipWs(s, nameEnd);
  if (s.charCodeAt(pos) !== 47 /* / */) return fail('expected "/" in Via sent-protocol');
  pos = skipWs(s, pos + 1);
  const verEnd = scan(s, pos, TOKEN);
  if (verEnd === pos) return fail('invalid Via protocol version');
  const protocolVersion = s.slice(pos, verEnd);
  pos = skipWs(s, verEnd);
  if (s.charCodeAt(pos) !== 47) return fail('expected "/" in Via sent-protocol');
  pos = skipWs(s, pos + 1);
  const trEnd = scan(s, pos, TOKEN);
  if (trEnd === pos) return fail('invalid Via transport');
  const transport = s.slice(pos, trEnd).toUpperCase();
  pos = skipWs(s, trEnd);
  if (pos === trEnd) return fail('expected whitespace before Via sent-by');

  // sent-by = host [ COLON port ]
  let hostEnd: number;
  if (s.charCodeAt(pos) === 91 /* [ */) {
    hostEnd = s.indexOf(']', pos);
    if (hostEnd < 0) return fail('unterminated IPv6 reference in Via');
    hostEnd++;
  } else {
    hostEnd = scan(s, pos, HOSTNAME);
  }
  const host = s.slice(pos, hostEnd);
  const type = host.length > 0 ? hostType(host) : undefined;
  if (type === undefined) return fail(`invalid Via sent-by host: ${JSON.stringify(host.slice(0, 64))}`);
  pos = skipWs(s, hostEnd);
  let port: number | undefined;
  if (s.charCodeAt(pos) === 58 /* : */) {
    pos = skipWs(s, pos + 1);
    let pe = pos;
    while (pe < s.length && isDigit(s.charCodeAt(pe))) pe++;
    port = pe - pos <= 5 ? parseDecimal(s.slice(pos, pe), 65535) : -1;
    if (port < 0) return fail('invalid Via sent-by port');
    pos = pe;
  }

  const pr = parseParams(s, pos, true);
  if (!pr.ok) return fail(`Via: ${pr.reason}`);
  const params = pr.value.params;

  let branch: string | undefined;
  let received: string | undefined;
  let rport: number | true | undefined;
  let maddr: string | undefined;
  let ttl: number | undefined;
  const b = params.get('branch');
  if (b !== undefined) {
    if (b === null || b.length === 0) return fail('Via branch without value');
    branch = b;
  }
  const rc = params.get('received');
  if (rc !== undefined) {
    // RFC 3261 §20.42 via-received = "received" EQUAL (IPv4address / IPv6address); RFC 5118 §4.5 also sees brackets.
    if (rc === null) return fail('invalid Via received');
    const bare = rc.startsWith('[') && rc.endsWith(']') ? rc.slice(1, -1) : rc;
    if (!(isIPv4(bare) || isIPv6(bare))) return fail('invalid Via received');
    received = rc;
  }
  const rp = params.get('rport');
  if (rp !== undefined) {
    // RFC 3581 §4: response-port = "rport" [EQUAL 1*DIGIT]
    if (rp === null) rport = true;
    else {
      const n = rp.length <= 5 ? parseDecimal(rp, 65535) : -1;
      if (n < 0) return fail('invalid Via rport');
      rport = n;
    }
  }
  const md = params.get('maddr');
  if (md !== undefined) {
    if (md === null || hostType(md) === undefined) return fail('invalid Via maddr');
    maddr = md;
  }
  const tl = params.get('ttl');
  if (tl !== undefined) {
    // RFC 3261 §25.1 ttl = 1*3DIGIT ; 0 to 255
    const n = tl !== null && tl.length <= 3 ? parseDecimal(tl, 255) : -1;
    if (n < 0) return fail('invalid Via ttl');
    ttl = n;
  }

  const via: Via = {
    protocolName,
    protocolVersion,
    transport,
    host,
    hostType: type,
    params,
    raw: trimWs(s.slice(start, pr.value.end)),
    ...(port !== undefined && { port }),
    ...(branch !== undefined && { branch }),
    ...(received !== undefined && { received }),
    ...(rport !== undefined && { rport }),
    ...(maddr !== undefined && { maddr }),
    ...(ttl !== undefined && { ttl }),
  };
  return ok({ via, end: pr.value.end });
}
