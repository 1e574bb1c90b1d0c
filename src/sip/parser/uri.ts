import { allEscapedOr, HNV, isAlpha, PARAMCHAR, PASSWORD, SCHEME, scan, URIC, USER } from './char-classes.ts';
import type { ParamMap } from './header-values.ts';
import { MAX_PARAMS } from './header-values.ts';
import { type HostType, parseHostPort } from './host.ts';
import { fail, ok, type Parsed } from './parsed.ts';
import type { SipRequest } from './sip-message.ts';

/** RFC 3261 §19.1.1 SIP-URI / SIPS-URI. Text parts stay escaped exactly as received (§19.1.4). */
export interface SipUri {
  readonly kind: 'sip';
  readonly scheme: 'sip' | 'sips';
  readonly user?: string;
  readonly password?: string;
  readonly host: string;
  readonly hostType: HostType;
  readonly port?: number;
  /** uri-parameters: lower-cased names, raw values (null for a flag such as `lr`). */
  readonly params: ParamMap;
  /** headers component (`?h=v&...`), raw, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly raw: string;
}

/** RFC 3261 §25.1 absoluteURI with a scheme other than sip/sips (tel:, http:, unknown ones...). */
export interface AbsoluteUri {
  readonly kind: 'absolute';
  /** Lower-cased scheme (schemes are case-insensitive, RFC 3986 §3.1). */
  readonly scheme: string;
  /** Everything after the first ":". */
  readonly opaque: string;
  readonly raw: string;
}

export type Uri = SipUri | AbsoluteUri;

export interface UriParseOptions {
  /**
   * Whether a `?headers` component is allowed (default true). RFC 3261 §19.1.1 Table 1: headers
   * are not allowed in a Request-URI (RFC 4475 §3.1.2.11 escruri).
   */
  readonly allowHeaders?: boolean;
}

/**
 * Parses a SIP/SIPS URI strictly (RFC 3261 §19.1.1, §25.1) or any other scheme as an opaque
 * absoluteURI (RFC 3261 §25.1 / RFC 2396 §3). An unknown scheme is not an error here: a proxy
 * answers it with 416 (RFC 3261 §16.3 step 2, RFC 4475 §3.3.2). Embedded whitespace, angle
 * brackets or quotes are never valid (RFC 4475 §3.1.2.7, §3.1.2.8).
 */
export function parseUri(raw: string, opts: UriParseOptions = {}): Parsed<Uri> {
  const colon = raw.indexOf(':');
  if (colon <= 0) return fail('URI without scheme');
  if (!isAlpha(raw.charCodeAt(0)) || scan(raw, 1, SCHEME) !== colon) return fail('invalid URI scheme');
  const scheme = raw.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') {
    const opaque = raw.slice(colon + 1);
    if (opaque.length === 0 || !allEscapedOr(opaque, 0, opaque.length, URIC)) {
      return fail(`invalid characters in ${scheme}: URI`);
    }
    return ok({ kind: 'absolute', scheme, opaque, raw });
  }
  return parseSipUriBody(raw, colon + 1, scheme, opts.allowHeaders ?? true);
}

/** Like parseUri but only accepts sip:/sips:. */
export function parseSipUri(raw: string, opts: UriParseOptions = {}): Parsed<SipUri> {
  const r = parseUri(raw, opts);
  if (!r.ok) return r;
  if (r.value.kind !== 'sip') return fail(`not a SIP URI: scheme ${r.value.scheme}`);
  return ok(r.value);
}

function parseSipUriBody(
  raw: string,
  p: number,
  scheme: 'sip' | 'sips',
  allowHeaders: boolean,
): Parsed<SipUri> {
  let user: string | undefined;
  let password: string | undefined;
  // RFC 3261 §25.1: "@" appears in neither hostport, uri-parameters nor headers, so a single
  // "@" always ends the userinfo — even when the user part holds ";", "?" or "/" (RFC 4475 §3.1.1.2, §3.1.1.9).
  const at = raw.indexOf('@', p);
  if (at >= 0) {
    if (raw.indexOf('@', at + 1) >= 0) return fail('more than one "@" in SIP URI');
    const pc = raw.indexOf(':', p);
    const userEnd = pc >= 0 && pc < at ? pc : at;
    if (userEnd === p) return fail('empty user part');
    if (!allEscapedOr(raw, p, userEnd, USER)) return fail('invalid character in user part');
    user = raw.slice(p, userEnd);
    if (userEnd < at) {
      if (!allEscapedOr(raw, userEnd + 1, at, PASSWORD)) return fail('invalid character in password');
      password = raw.slice(userEnd + 1, at);
    }
    p = at + 1;
  }

  let hpEnd = p;
  while (hpEnd < raw.length) {
    const c = raw.charCodeAt(hpEnd);
    if (c === 59 /* ; */ || c === 63 /* ? */) break;
    hpEnd++;
  }
  const hp = parseHostPort(raw.slice(p, hpEnd));
  if (!hp.ok) return hp;

  // RFC 3261 §25.1 uri-parameters = *( ";" uri-parameter ); uri-parameter = pname [ "=" pvalue ].
  const params = new Map<string, string | null>();
  p = hpEnd;
  while (p < raw.length && raw.charCodeAt(p) === 59) {
    let end = p + 1;
    let eq = -1;
    while (end < raw.length) {
      const c = raw.charCodeAt(end);
      if (c === 59 || c === 63) break;
      if (c === 61 /* = */ && eq < 0) eq = end;
      end++;
    }
    const nameEnd = eq < 0 ? end : eq;
    if (nameEnd === p + 1 || !allEscapedOr(raw, p + 1, nameEnd, PARAMCHAR)) {
      return fail('invalid URI parameter name');
    }
    let value: string | null = null;
    if (eq >= 0) {
      if (eq + 1 === end || !allEscapedOr(raw, eq + 1, end, PARAMCHAR))
        return fail('invalid URI parameter value');
      value = raw.slice(eq + 1, end);
    }
    const name = raw.slice(p + 1, nameEnd).toLowerCase();
    if (params.has(name)) return fail(`duplicate URI parameter ${name}`);
    if (params.size >= MAX_PARAMS) return fail('too many URI parameters');
    params.set(name, value);
    p = end;
  }

  // RFC 3261 §25.1 headers = "?" header *( "&" header ); header = hname "=" hvalue.
  const headers: Array<readonly [string, string]> = [];
  if (p < raw.length) {
    if (!allowHeaders) return fail('headers are not allowed in a Request-URI');
    p++; // "?"
    while (p <= raw.length) {
      let end = raw.indexOf('&', p);
      if (end < 0) end = raw.length;
      const eq = raw.indexOf('=', p);
      if (eq < 0 || eq >= end || eq === p) return fail('invalid URI header');
      if (!allEscapedOr(raw, p, eq, HNV) || !allEscapedOr(raw, eq + 1, end, HNV)) {
        return fail('invalid character in URI header');
      }
      if (headers.length >= MAX_PARAMS) return fail('too many URI headers');
      headers.push([raw.slice(p, eq), raw.slice(eq + 1, end)]);
      p = end + 1;
    }
  }

  const uri: SipUri = {
    kind: 'sip',
    scheme,
    host: hp.value.host,
    hostType: hp.value.hostType,
    params,
    headers,
    raw,
    ...(user !== undefined && { user }),
    ...(password !== undefined && { password }),
    ...(hp.value.port !== undefined && { port: hp.value.port }),
  };
  return ok(uri);
}

const requestUriCache = new WeakMap<SipRequest, { raw: string; parsed: Parsed<Uri> }>();

/** Lazily parsed, cached Request-URI (headers component rejected, RFC 3261 §19.1.1 Table 1). */
export function getRequestUri(req: SipRequest): Parsed<Uri> {
  const hit = requestUriCache.get(req);
  if (hit !== undefined && hit.raw === req.uri) return hit.parsed;
  const parsed = parseUri(req.uri, { allowHeaders: false });
  requestUriCache.set(req, { raw: req.uri, parsed });
  return parsed;
}
