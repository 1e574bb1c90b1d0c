import { isHex, scan, skipWs, TOKEN, trimWs } from './char-classes.ts';
import { isIPv6 } from './host.ts';
import { fail, ok, type Parsed } from './parsed.ts';

/** Header/Via/URI parameters: lower-cased name → value (null for a flag without "="). */
export type ParamMap = ReadonlyMap<string, string | null>;

/** Upper bound on parameters per element, so a hostile `;a;a;a...` stays cheap. */
export const MAX_PARAMS = 64;
/** Upper bound on comma-separated elements per header field. */
export const MAX_LIST_ELEMENTS = 128;

/**
 * RFC 3261 §25.1 quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE;
 * quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F). `pos` must point at the opening DQUOTE.
 * Returns the unescaped content and the position after the closing DQUOTE.
 */
export function parseQuotedString(s: string, pos: number): Parsed<{ value: string; end: number }> {
  if (s.charCodeAt(pos) !== 34) return fail('expected quoted-string');
  let out = '';
  let run = pos + 1;
  for (let i = pos + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 /* " */) return ok({ value: out + s.slice(run, i), end: i + 1 });
    if (c === 92 /* \ */) {
      const n = s.charCodeAt(i + 1);
      // RFC 3261 §25.1: quoted-pair excludes LF (%x0A) and CR (%x0D) and non-ASCII.
      if (Number.isNaN(n) || n === 10 || n === 13 || n > 127) return fail('invalid quoted-pair');
      out += s.slice(run, i) + s[i + 1];
      i++;
      run = i + 1;
      continue;
    }
    // RFC 3261 §25.1 qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
    if (c < 32 && c !== 9) return fail('control character in quoted-string');
    if (c === 127) return fail('DEL in quoted-string');
  }
  return fail('unterminated quoted-string');
}

/** Quotes a string for use as a quoted-string (RFC 3261 §25.1), escaping `"` and `\`. */
export function quoteString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * RFC 3261 §25.1 generic-param list: *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
 * gen-value = token / host / quoted-string. SEMI and EQUAL allow SWS around them.
 * Parsing stops at end of input or (when `stopAtComma`) at a "," — the returned `end` points there.
 * Names are lower-cased (parameter names are case-insensitive); duplicates are an error.
 */
export function parseParams(
  s: string,
  pos: number,
  stopAtComma: boolean,
): Parsed<{ params: Map<string, string | null>; end: number }> {
  const params = new Map<string, string | null>();
  pos = skipWs(s, pos);
  while (pos < s.length) {
    const c = s.charCodeAt(pos);
    if (c === 44 /* , */ && stopAtComma) break;
    if (c !== 59 /* ; */) return fail(`unexpected ${JSON.stringify(s[pos])} where ";" was expected`);
    pos = skipWs(s, pos + 1);
    const nameEnd = scan(s, pos, TOKEN);
    if (nameEnd === pos) return fail('empty parameter name');
    const name = s.slice(pos, nameEnd).toLowerCase();
    pos = skipWs(s, nameEnd);
    let value: string | null = null;
    if (s.charCodeAt(pos) === 61 /* = */) {
      pos = skipWs(s, pos + 1);
      const v = parseGenValue(s, pos);
      if (!v.ok) return fail(`parameter ${name}: ${v.reason}`);
      value = v.value.value;
      pos = skipWs(s, v.value.end);
    }
    if (params.has(name)) return fail(`duplicate parameter ${name}`);
    if (params.size >= MAX_PARAMS) return fail('too many parameters');
    params.set(name, value);
  }
  return ok({ params, end: pos });
}

/** RFC 3261 §25.1 gen-value = token / host / quoted-string. */
function parseGenValue(s: string, pos: number): Parsed<{ value: string; end: number }> {
  const c = s.charCodeAt(pos);
  if (c === 34 /* " */) return parseQuotedString(s, pos);
  if (c === 91 /* [ */) {
    const close = s.indexOf(']', pos);
    if (close < 0 || !isIPv6(s.slice(pos + 1, close))) return fail('invalid IPv6 reference');
    return ok({ value: s.slice(pos, close + 1), end: close + 1 });
  }
  const end = scan(s, pos, TOKEN);
  if (s.charCodeAt(end) === 58 /* : */) {
    // RFC 3261 §20.42 via-received = "received" EQUAL (IPv4address / IPv6address): a bare IPv6 address.
    let e = pos;
    while (e < s.length && (isHex(s.charCodeAt(e)) || s.charCodeAt(e) === 58 || s.charCodeAt(e) === 46)) e++;
    if (isIPv6(s.slice(pos, e))) return ok({ value: s.slice(pos, e), end: e });
  }
  if (end === pos) return fail('empty value');
  return ok({ value: s.slice(pos, end), end });
}

/**
 * Splits a header value at top-level commas (RFC 3261 §7.3.1), ignoring commas inside
 * quoted-strings (with quoted-pairs) and inside `<...>`. Elements are trimmed; empty elements are
 * dropped. Unbalanced quotes or angle brackets are an error.
 */
export function splitHeaderValues(value: string): Parsed<string[]> {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92 /* \ */) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) {
      inQuote = true;
    } else if (c === 60 /* < */) {
      if (inAngle) return fail('nested "<"');
      inAngle = true;
    } else if (c === 62 /* > */) {
      inAngle = false;
    } else if (c === 44 /* , */ && !inAngle) {
      const el = trimWs(value.slice(start, i));
      if (el.length > 0) {
        if (out.length >= MAX_LIST_ELEMENTS) return fail('too many list elements');
        out.push(el);
      }
      start = i + 1;
    }
  }
  if (inQuote) return fail('unterminated quoted-string');
  if (inAngle) return fail('unterminated "<"');
  const last = trimWs(value.slice(start));
  if (last.length > 0) {
    if (out.length >= MAX_LIST_ELEMENTS) return fail('too many list elements');
    out.push(last);
  }
  return ok(out);
}

/**
 * A comma-separated list of tokens (RFC 3261 §20.29 Proxy-Require, §20.32 Require, §20.37 Supported,
 * §20.5 Allow): option-tag = token. An empty value is an empty list.
 */
export function parseTokenList(value: string): Parsed<string[]> {
  const out: string[] = [];
  let pos = skipWs(value, 0);
  while (pos < value.length) {
    const end = scan(value, pos, TOKEN);
    if (end === pos) return fail(`invalid token list: ${JSON.stringify(value.slice(0, 64))}`);
    if (out.length >= MAX_LIST_ELEMENTS) return fail('too many list elements');
    out.push(value.slice(pos, end));
    pos = skipWs(value, end);
    if (pos < value.length) {
      if (value.charCodeAt(pos) !== 44)
        return fail(`invalid token list: ${JSON.stringify(value.slice(0, 64))}`);
      pos = skipWs(value, pos + 1);
    }
  }
  return ok(out);
}

/**
 * Decodes RFC 3261 §25.1 escaped triplets; the resulting octets are read as UTF-8.
 * Malformed escapes are kept verbatim. Raw values elsewhere stay escaped (RFC 3261 §19.1.4).
 */
export function unescapeUriPart(s: string): string {
  if (!s.includes('%')) return s;
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    if (
      s.charCodeAt(i) === 37 &&
      i + 2 < s.length &&
      isHex(s.charCodeAt(i + 1)) &&
      isHex(s.charCodeAt(i + 2))
    ) {
      if (run < i) parts.push(Buffer.from(s.slice(run, i), 'utf8'));
      parts.push(Buffer.of(Number.parseInt(s.slice(i + 1, i + 3), 16)));
      i += 2;
      run = i + 1;
    }
  }
  if (run < s.length) parts.push(Buffer.from(s.slice(run), 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}
