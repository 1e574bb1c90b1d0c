import { isWsp, scan, skipWs, TOKEN, trimWs } from './char-classes.ts';
import { MAX_LIST_ELEMENTS, type ParamMap, parseParams, parseQuotedString } from './header-values.ts';
import { fail, ok, type Parsed } from './parsed.ts';
import type { SipMessage } from './sip-message.ts';
import { parseUri, type Uri } from './uri.ts';

/**
 * RFC 3261 §20.10 / §25.1: ( name-addr / addr-spec ) *( SEMI param ), used by From, To, Contact,
 * Route, Record-Route, Reply-To, Refer-To...
 */
export interface NameAddr {
  /** Unescaped quoted-string content, or the `*(token LWS)` form as written; absent when none. */
  readonly displayName?: string;
  readonly uri: Uri;
  /** True for the name-addr form (`<uri>`); false for a bare addr-spec. */
  readonly bracketed: boolean;
  /**
   * Header parameters (lower-cased names). For a bare addr-spec every `;param` belongs here, not to
   * the URI (RFC 3261 §20.10; RFC 4475 §3.3.12 cparam01).
   */
  readonly params: ParamMap;
  readonly tag?: string;
  /** This element as written. */
  readonly raw: string;
}

/** RFC 3261 §20.10: Contact is either `*` or a list of addresses. */
export type ContactList =
  | { readonly star: true }
  | { readonly star: false; readonly contacts: readonly NameAddr[] };

/** Parses a single-valued address header (From, To, Reply-To, Refer-To...). */
export function parseNameAddr(value: string): Parsed<NameAddr> {
  const r = parseElement(value, 0, false);
  if (!r.ok) return r;
  if (r.value.end < value.length)
    return fail(`unexpected ${JSON.stringify(value[r.value.end])} after address`);
  return ok(r.value.na);
}

/** Parses a comma-separated address list (Contact, Route, Record-Route, Path...). */
export function parseNameAddrList(value: string): Parsed<NameAddr[]> {
  const out: NameAddr[] = [];
  let pos = 0;
  for (;;) {
    const r = parseElement(value, pos, true);
    if (!r.ok) return r;
    if (out.length >= MAX_LIST_ELEMENTS) return fail('too many addresses');
    out.push(r.value.na);
    pos = r.value.end;
    if (pos >= value.length) return ok(out);
    pos++; // parseParams stopped at ","
  }
}

/** Parses every Contact header field value (RFC 3261 §20.10); `*` must stand alone. */
export function parseContacts(values: readonly string[]): Parsed<ContactList> {
  const contacts: NameAddr[] = [];
  let star = false;
  for (const v of values) {
    if (trimWs(v) === '*') {
      star = true;
      continue;
    }
    const r = parseNameAddrList(v);
    if (!r.ok) return fail(`Contact: ${r.reason}`);
    for (const na of r.value) contacts.push(na);
  }
  if (star)
    return contacts.length === 0 && values.length === 1
      ? ok({ star: true })
      : fail('Contact "*" mixed with addresses');
  return ok({ star: false, contacts });
}

/** Lazily parsed, cached From (first From header field). */
export function getFrom(msg: SipMessage): Parsed<NameAddr> {
  return single(msg, 'from', 'From');
}

/** Lazily parsed, cached To (first To header field). */
export function getTo(msg: SipMessage): Parsed<NameAddr> {
  return single(msg, 'to', 'To');
}

/** Lazily parsed, cached Contact list (empty list when there is no Contact). */
export function getContacts(msg: SipMessage): Parsed<ContactList> {
  return msg.headers.memo('contact', 'contacts', () => parseContacts(msg.headers.getAll('contact')));
}

/** Lazily parsed, cached Route set in order (RFC 3261 §20.34). */
export function getRoutes(msg: SipMessage): Parsed<NameAddr[]> {
  return msg.headers.memo('route', 'list', () => parseList(msg.headers.getAll('route'), 'Route'));
}

/** Lazily parsed, cached Record-Route set in order (RFC 3261 §20.30). */
export function getRecordRoutes(msg: SipMessage): Parsed<NameAddr[]> {
  return msg.headers.memo('record-route', 'list', () =>
    parseList(msg.headers.getAll('record-route'), 'Record-Route'),
  );
}

function single(msg: SipMessage, key: string, label: string): Parsed<NameAddr> {
  return msg.headers.memo(key, 'single', () => {
    const v = msg.headers.get(key);
    if (v === undefined) return fail(`missing ${label}`);
    const r = parseNameAddr(v);
    return r.ok ? r : fail(`${label}: ${r.reason}`);
  });
}

function parseList(values: readonly string[], label: string): Parsed<NameAddr[]> {
  const out: NameAddr[] = [];
  for (const v of values) {
    const r = parseNameAddrList(v);
    if (!r.ok) return fail(`${label}: ${r.reason}`);
    for (const na of r.value) out.push(na);
  }
  return ok(out);
}

function parseElement(s: string, pos: number, inList: boolean): Parsed<{ na: NameAddr; end: number }> {
  pos = skipWs(s, pos);
  const start = pos;
  if (pos >= s.length) return fail('empty address');
  let displayName: string | undefined;
  let c = s.charCodeAt(pos);
  if (c === 34 /* " */) {
    // RFC 3261 §25.1 display-name = *(token LWS) / quoted-string
    const q = parseQuotedString(s, pos);
    if (!q.ok) return fail(`display name: ${q.reason}`);
    displayName = q.value.value;
    pos = skipWs(s, q.value.end);
    if (s.charCodeAt(pos) !== 60) return fail('expected "<" after quoted display name');
  } else if (c !== 60 /* < */) {
    // Either "token *(LWS token) [SWS] <" (display name) or a bare addr-spec such as "sip:a@b".
    let p = pos;
    let sawToken = false;
    for (;;) {
      const e = scan(s, p, TOKEN);
      if (e === p) break;
      sawToken = true;
      p = skipWs(s, e);
    }
    if (sawToken && s.charCodeAt(p) === 60) {
      displayName = trimWs(s.slice(pos, p));
      pos = p;
    }
  }

  let uriText: string;
  let bracketed: boolean;
  c = s.charCodeAt(pos);
  if (c === 60) {
    // RFC 3261 §25.1 LAQUOT = SWS "<"; RAQUOT = ">" SWS: no whitespace inside (RFC 4475 §3.1.2.14).
    const close = s.indexOf('>', pos + 1);
    if (close < 0) return fail('unterminated "<"');
    uriText = s.slice(pos + 1, close);
    if (uriText.length === 0) return fail('empty <>');
    for (let i = 0; i < uriText.length; i++) {
      const u = uriText.charCodeAt(i);
      if (isWsp(u) || u === 60 || u === 34) return fail('whitespace or delimiter inside <addr-spec>');
    }
    bracketed = true;
    pos = close + 1;
  } else {
    let e = pos;
    while (e < s.length) {
      const u = s.charCodeAt(e);
      if (u === 59 /* ; */ || u === 44 /* , */ || isWsp(u)) break;
      e++;
    }
    uriText = s.slice(pos, e);
    // RFC 3261 §20.10: an addr-spec holding ",", ";" or "?" MUST use the name-addr form (RFC 4475 §3.1.2.13).
    if (uriText.includes('?')) return fail('addr-spec with "?" must be enclosed in "<>"');
    if (uriText.length === 0) return fail('empty addr-spec');
    bracketed = false;
    pos = e;
  }
  const uri = parseUri(uriText);
  if (!uri.ok) return uri;

  const pr = parseParams(s, pos, inList);
  if (!pr.ok) return pr;
  const params = pr.value.params;
  const tag = params.get('tag');
  if (tag === null || tag === '') return fail('tag without value');
  const na: NameAddr = {
    uri: uri.value,
    bracketed,
    params,
    raw: trimWs(s.slice(start, pr.value.end)),
    ...(displayName !== undefined && { displayName }),
    ...(tag !== undefined && { tag }),
  };
  return ok({ na, end: pr.value.end });
}
