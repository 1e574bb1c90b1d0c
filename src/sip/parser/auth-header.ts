import { scan, skipWs, TOKEN } from './char-classes.ts';
import { MAX_PARAMS, parseQuotedString } from './header-values.ts';
import { fail, ok, type Parsed } from './parsed.ts';

/**
 * Authorization / Proxy-Authorization credentials or WWW-Authenticate / Proxy-Authenticate
 * challenge (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1).
 */
export interface AuthHeader {
  /** The auth-scheme as written (compare case-insensitively, e.g. `Digest`). */
  readonly scheme: string;
  /**
   * auth-params: lower-cased names → values (quoted-strings unescaped). For a non-Digest scheme
   * whose data is not in auth-param form (e.g. a token68), this is empty and `data` holds it.
   */
  readonly params: ReadonlyMap<string, string>;
  /** Raw text after the scheme. */
  readonly data: string;
}

/**
 * RFC 3261 §25.1: credentials = ("Digest" LWS digest-response) / other-response;
 * other-response = auth-scheme LWS auth-param *(COMMA auth-param);
 * auth-param = auth-param-name EQUAL ( token / quoted-string ).
 * A duplicated parameter is an error (it would make digest verification ambiguous).
 * An unknown scheme is not an error (RFC 4475 §3.3.7 regaut01): the registrar decides.
 */
export function parseAuthHeader(value: string): Parsed<AuthHeader> {
  let p = skipWs(value, 0);
  const se = scan(value, p, TOKEN);
  if (se === p) return fail('missing auth-scheme');
  const scheme = value.slice(p, se);
  p = skipWs(value, se);
  const data = value.slice(p);
  const isDigest = scheme.toLowerCase() === 'digest';
  if (p === value.length) {
    return isDigest ? fail('Digest without parameters') : ok({ scheme, params: new Map(), data });
  }
  if (p === se) return fail('expected whitespace after auth-scheme');
  const params = parseAuthParams(value, p);
  if (!params.ok) {
    return isDigest ? fail(`Digest: ${params.reason}`) : ok({ scheme, params: new Map(), data });
  }
  return ok({ scheme, params: params.value, data });
}

function parseAuthParams(s: string, p: number): Parsed<Map<string, string>> {
  const params = new Map<string, string>();
  for (;;) {
    const ne = scan(s, p, TOKEN);
    if (ne === p) return fail('invalid auth-param name');
    const name = s.slice(p, ne).toLowerCase();
    p = skipWs(s, ne);
    if (s.charCodeAt(p) !== 61 /* = */)
      return fail(`auth-param ${name} without "=" (several challenges in one field?)`);
    p = skipWs(s, p + 1);
    let v: string;
    if (s.charCodeAt(p) === 34) {
      const q = parseQuotedString(s, p);
      if (!q.ok) return fail(`auth-param ${name}: ${q.reason}`);
      v = q.value.value;
      p = q.value.end;
    } else {
      const ve = scan(s, p, TOKEN);
      if (ve === p) return fail(`auth-param ${name}: empty or invalid value`);
      v = s.slice(p, ve);
      p = ve;
    }
    if (params.has(name)) return fail(`duplicate auth-param ${name}`);
    if (params.size >= MAX_PARAMS) return fail('too many auth-params');
    params.set(name, v);
    p = skipWs(s, p);
    if (p === s.length) return ok(params);
    if (s.charCodeAt(p) !== 44 /* , */) return fail(`unexpected ${JSON.stringify(s[p])} in auth-params`);
    p = skipWs(s, p + 1);
  }
}
