import { isUtf8 } from 'node:buffer';
import { getCallId, parseCallId } from './call-id.ts';
import { isToken, trimWs } from './char-classes.ts';
import { parseContentLength } from './content-length.ts';
import { getCSeq, parseCSeq } from './cseq.ts';
import { canonicalHeaderName } from './header-names.ts';
import { parseMaxForwards } from './max-forwards.ts';
import { getContacts, getFrom, getRecordRoutes, getRoutes, getTo, parseNameAddr } from './name-addr.ts';
import { parseSipDate } from './sip-date.ts';
import { type SipHeader, SipHeaders } from './sip-headers.ts';
import { KNOWN_METHODS, type PartialMessage, type SipMessage } from './sip-message.ts';
import { parseStartLine, type StartLine, type StartLineError } from './start-line.ts';
import { getRequestUri } from './uri.ts';
import { getVias } from './via.ts';

export interface ParseOptions {
  /** `udp`: one datagram holds one message (RFC 3261 §18.3). `stream`: TCP/TLS byte stream framed by Content-Length. */
  readonly transport: 'udp' | 'stream';
  /** Largest accepted message (start line + headers + body), in octets. Default 65535. */
  readonly maxSize?: number;
  /** Largest number of header field lines. Default 256. */
  readonly maxHeaders?: number;
  /** Longest header field (name + value, after unfolding). Default 8192. */
  readonly maxHeaderLength?: number;
}

export const DEFAULT_MAX_SIZE = 65535;
export const DEFAULT_MAX_HEADERS = 256;
export const DEFAULT_MAX_HEADER_LENGTH = 8192;

export interface ParseOk {
  readonly kind: 'ok';
  readonly message: SipMessage;
  /** Octets of the input used: the whole datagram for UDP; header section + body for a stream. */
  readonly consumed: number;
  /** UDP only: octets after Content-Length that were discarded (RFC 3261 §18.3). */
  readonly discarded: number;
}

/** Stream only: more bytes are needed. Call again with the same (grown) buffer. */
export interface ParseIncomplete {
  readonly kind: 'incomplete';
}

/**
 * A CRLFCRLF keep-alive "ping" (RFC 5626 §3.5.1; answer with CRLF on a stream), or a UDP datagram
 * holding only CRLFs. Skip `consumed` octets.
 */
export interface ParseKeepalive {
  readonly kind: 'keepalive';
  readonly consumed: number;
}

export interface ParseError {
  readonly kind: 'error';
  readonly reason: string;
  /**
   * Suggested response status: 400 (malformed), 505 (unsupported SIP-Version), 501 (unknown method
   * with mismatched CSeq, RFC 4475 §3.1.2.18), 513 (too large, RFC 3261 §21.5.14).
   */
  readonly status: number;
  /**
   * True when the message was a request other than ACK and Via, From, To, Call-ID and CSeq could be
   * salvaged, so `buildResponse(partial, status, ...)` can address an error response. Responses are never answered.
   */
  readonly canRespond: boolean;
  /**
   * Octets to skip. Always the whole datagram for UDP. For a stream it is set only when framing was
   * intact; when absent the stream cannot be resynchronised and the connection must be closed.
   */
  readonly consumed?: number;
  readonly partial?: PartialMessage;
}

export type ParseResult = ParseOk | ParseIncomplete | ParseKeepalive | ParseError;

const CR = 13;
const LF = 10;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const INCOMPLETE: ParseIncomplete = Object.freeze({ kind: 'incomplete' });
const MAX_CONTENT_LENGTH_VALUES = 8;

/**
 * Parses one SIP message from `buf` (RFC 3261 §7). Never throws: every protocol outcome is a value.
 * Work is bounded by `maxSize`, `maxHeaders` and `maxHeaderLength`; no pattern used can backtrack.
 *
 * The core headers (Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Route, Record-Route, Date)
 * and the Request-URI are validated here (their parsed forms are cached for the accessors);
 * other headers are kept raw and parsed on demand.
 */
export function parseMessage(buf: Buffer, opts: ParseOptions): ParseResult {
  try {
    return parse(buf, opts);
  } catch (err) {
    return {
      kind: 'error',
      reason: `internal parser error: ${err instanceof Error ? err.message : String(err)}`,
      status: 500,
      canRespond: false,
    };
  }
}

function parse(buf: Buffer, opts: ParseOptions): ParseResult {
  const stream = opts.transport === 'stream';
  const maxSize = opts.maxSize ?? DEFAULT_MAX_SIZE;
  const maxHeaders = opts.maxHeaders ?? DEFAULT_MAX_HEADERS;
  const maxHeaderLength = opts.maxHeaderLength ?? DEFAULT_MAX_HEADER_LENGTH;
  const len = buf.length;
  const udpConsumed = stream ? undefined : len;
  let start = 0;

  if (stream) {
    // RFC 3261 §7.5: CRLFs before a start-line are ignored; RFC 5626 §3.5.1: CRLFCRLF is a keep-alive ping.
    while (start < len && buf[start] === CR) {
      const rem = len - start;
      if (rem === 1) return INCOMPLETE;
      if (buf[start + 1] !== LF) return simpleError('bare CR before start line');
      if (rem >= 4 && buf[start + 2] === CR && buf[start + 3] === LF)
        return { kind: 'keepalive', consumed: start + 4 };
      if (rem === 2 || (rem === 3 && buf[start + 2] === CR)) return INCOMPLETE; // maybe the first half of a ping
      start += 2;
    }
    if (start === len) return INCOMPLETE;
  } else {
    if (len === 0) return simpleError('empty datagram', 0);
    while (start + 1 < len && buf[start] === CR && buf[start + 1] === LF) start += 2;
    if (start === len) return { kind: 'keepalive', consumed: len };
    if (len - start > maxSize) return simpleError(`message larger than ${maxSize} octets`, len, 513);
  }

  let headerEnd = buf.indexOf(CRLFCRLF, start);
  let missingBlankLine = false;
  if (headerEnd < 0 || headerEnd - start > maxSize) {
    if (headerEnd >= 0 || len - start > maxSize) {
      return simpleError(`header section larger than ${maxSize} octets`, udpConsumed, 513);
    }
    if (stream) return earlyStreamCheck(buf, start, maxHeaderLength);
    // UDP without the empty line: keep parsing to salvage what is needed for a 400.
    missingBlankLine = true;
    headerEnd = len;
    if (len >= 2 && buf[len - 2] === CR && buf[len - 1] === LF) headerEnd = len - 2;
  }

  const head = buf.subarray(start, headerEnd);
  // RFC 3261 §7.3.1 / §25: header text is UTF-8.
  if (!isUtf8(head)) return simpleError('header section is not valid UTF-8', udpConsumed);
  const text = head.toString('utf8');

  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const startLineText = text.slice(0, eol);
  const sl: StartLine | StartLineError =
    startLineText.includes('\n') || startLineText.includes('\r')
      ? { kind: 'error', reason: 'bare CR or LF in start line', status: 400, looksLike: 'unknown' }
      : parseStartLine(startLineText);

  // RFC 3261 §7.3.1: header fields; a line starting with SP/HTAB continues the previous field.
  const fields: SipHeader[] = [];
  let headerError: string | undefined;
  let headerErrorStatus = 400;
  let curName = '';
  let curValue = '';
  let has = false;
  const flush = (): void => {
    if (has) fields.push({ name: canonicalHeaderName(curName), rawName: curName, value: trimWs(curValue) });
    has = false;
  };
  let pos = eol + 2;
  while (pos < text.length) {
    let e = text.indexOf('\r\n', pos);
    if (e < 0) e = text.length;
    const line = text.slice(pos, e);
    pos = e + 2;
    if (line.includes('\n') || line.includes('\r')) {
      headerError ??= 'bare CR or LF in header section';
      has = false;
      continue;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 32 || c0 === 9) {
      if (!has) {
        headerError ??= 'continuation line without a header field';
        continue;
      }
      // The CRLF of the fold is dropped and the whitespace kept: CRLF WSP is LWS (RFC 3261 §7.3.1).
      curValue += line;
      if (curName.length + curValue.length > maxHeaderLength) {
        headerError ??= `header field ${curName} longer than ${maxHeaderLength}`;
        has = false;
      }
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    const rawName = colon > 0 ? trimWs(line.slice(0, colon)) : '';
    if (!isToken(rawName)) {
      headerError ??= colon < 0 ? 'header line without ":"' : 'invalid header field name';
      continue;
    }
    if (fields.length >= maxHeaders) {
      headerError ??= `more than ${maxHeaders} header fields`;
      headerErrorStatus = 513;
      break;
    }
    if (line.length > maxHeaderLength) {
      headerError ??= `header field ${rawName} longer than ${maxHeaderLength}`;
      continue;
    }
    curName = rawName;
    curValue = line.slice(colon + 1);
    has = true;
  }
  flush();
  const headers = new SipHeaders(fields);
  const partial = (): PartialMessage => partialOf(sl, startLineText, headers);

  if (sl.kind === 'error') return errorWith(sl.reason, sl.status, partial(), udpConsumed);
  if (headerError !== undefined) return errorWith(headerError, headerErrorStatus, partial(), udpConsumed);
  if (missingBlankLine) return errorWith('no empty line after the header section', 400, partial(), len);

  // Framing (RFC 3261 §18.3, §20.14).
  const bodyStart = headerEnd + 4;
  let contentLength: number | undefined;
  let conflict = false;
  let clCount = 0;
  for (const v of headers.getAll('content-length')) {
    for (const part of v.split(',', MAX_CONTENT_LENGTH_VALUES + 1)) {
      if (++clCount > MAX_CONTENT_LENGTH_VALUES)
        return errorWith('too many Content-Length values', 400, partial(), udpConsumed);
      const r = parseContentLength(part, maxSize);
      if (!r.ok) return errorWith(r.reason, r.reason.includes('large') ? 513 : 400, partial(), udpConsumed);
      if (contentLength === undefined) contentLength = r.value;
      else if (contentLength !== r.value) conflict = true;
    }
  }

  let body: Buffer;
  let consumed: number;
  let discarded = 0;
  if (stream) {
    // RFC 4475 §3.3.9: on a stream, conflicting lengths are an unrecoverable framing error.
    if (conflict) return errorWith('conflicting Content-Length values on a stream', 400, partial());
    // RFC 3261 §18.3: Content-Length MUST be used with stream-oriented transports.
    if (contentLength === undefined)
      return errorWith('missing Content-Length on a stream transport', 400, partial());
    if (bodyStart - start + contentLength > maxSize) {
      return errorWith(`message larger than ${maxSize} octets`, 513, partial());
    }
    if (len < bodyStart + contentLength) return INCOMPLETE;
    body = Buffer.from(buf.subarray(bodyStart, bodyStart + contentLength));
    consumed = bodyStart + contentLength;
  } else {
    const available = Math.max(0, len - bodyStart);
    if (contentLength === undefined || conflict) {
      // RFC 3261 §18.3: without Content-Length the body runs to the end of the datagram. With
      // conflicting values (RFC 4475 §3.3.9) the datagram still frames the message; the
      // application answers 400 (see validateRequestForProxy).
      body = Buffer.from(buf.subarray(bodyStart, len));
    } else if (contentLength > available) {
      // RFC 3261 §18.3: a datagram ending before the body does is an error (400 for a request).
      return errorWith('Content-Length larger than the datagram', 400, partial(), len);
    } else {
      body = Buffer.from(buf.subarray(bodyStart, bodyStart + contentLength));
      discarded = available - contentLength;
    }
    consumed = len;
  }

  const message: SipMessage =
    sl.kind === 'request'
      ? { kind: 'request', method: sl.method, uri: sl.uri, version: sl.version, headers, body }
      : { kind: 'response', status: sl.status, reason: sl.reason, version: sl.version, headers, body };

  const invalid = validateCore(message);
  if (invalid !== undefined) return errorWith(invalid.reason, invalid.status, partial(), consumed);
  return { kind: 'ok', message, consumed, discarded };
}

/** Syntax of the elements every SIP element relies on; results are cached for the accessors. */
function validateCore(msg: SipMessage): { reason: string; status: number } | undefined {
  const h = msg.headers;
  const bad = (reason: string, status = 400) => ({ reason, status });
  if (msg.kind === 'request') {
    const uri = getRequestUri(msg);
    if (!uri.ok) return bad(`Request-URI: ${uri.reason}`);
  }
  const vias = getVias(msg);
  if (!vias.ok) return bad(vias.reason);
  for (const [key, first] of [
    ['from', getFrom],
    ['to', getTo],
  ] as const) {
    const values = h.getAll(key);
    for (let i = 0; i < values.length; i++) {
      const r = i === 0 ? first(msg) : parseNameAddr(values[i]!);
      if (!r.ok) return bad(r.reason);
    }
  }
  const callIds = h.getAll('call-id');
  for (let i = 0; i < callIds.length; i++) {
    const r = i === 0 ? getCallId(msg) : parseCallId(callIds[i]!);
    if (!r.ok) return bad(r.reason);
  }
  const cseqs = h.getAll('cseq');
  for (let i = 0; i < cseqs.length; i++) {
    const r = i === 0 ? getCSeq(msg) : parseCSeq(cseqs[i]!);
    if (!r.ok) return bad(r.reason);
    // RFC 3261 §8.1.1.5: the CSeq method MUST match the request method (RFC 4475 §3.1.2.17).
    // RFC 4475 §3.1.2.18: with an unknown method, 501 is the better answer.
    if (msg.kind === 'request' && r.value.method !== msg.method) {
      return bad(
        `CSeq method ${r.value.method} does not match request method ${msg.method}`,
        KNOWN_METHODS.has(msg.method) ? 400 : 501,
      );
    }
  }
  for (const v of h.getAll('max-forwards')) {
    const r = parseMaxForwards(v);
    if (!r.ok) return bad(r.reason);
  }
  if (h.has('contact')) {
    const r = getContacts(msg);
    if (!r.ok) return bad(r.reason);
  }
  if (h.has('route')) {
    const r = getRoutes(msg);
    if (!r.ok) return bad(r.reason);
  }
  if (h.has('record-route')) {
    const r = getRecordRoutes(msg);
    if (!r.ok) return bad(r.reason);
  }
  for (const v of h.getAll('date')) {
    const r = parseSipDate(v);
    if (!r.ok) return bad(r.reason);
  }
  return undefined;
}

function partialOf(sl: StartLine | StartLineError, startLine: string, headers: SipHeaders): PartialMessage {
  const kind = sl.kind === 'error' ? sl.looksLike : sl.kind;
  const method = sl.kind === 'request' || sl.kind === 'error' ? sl.method : undefined;
  const from = headers.get('from');
  const to = headers.get('to');
  const callId = headers.get('call-id');
  const cseq = headers.get('cseq');
  return {
    kind,
    startLine: startLine.length > 256 ? startLine.slice(0, 256) : startLine,
    via: headers.getAll('via'),
    ...(method !== undefined && { method }),
    ...(sl.kind === 'request' && { uri: sl.uri }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    ...(callId !== undefined && { callId }),
    ...(cseq !== undefined && { cseq }),
  };
}

function errorWith(reason: string, status: number, partial: PartialMessage, consumed?: number): ParseError {
  // RFC 3261 §17: ACK is never answered; responses are never answered.
  const canRespond =
    partial.kind === 'request' &&
    partial.method !== 'ACK' &&
    partial.via.length > 0 &&
    partial.from !== undefined &&
    partial.to !== undefined &&
    partial.callId !== undefined &&
    partial.cseq !== undefined;
  return { kind: 'error', reason, status, canRespond, partial, ...(consumed !== undefined && { consumed }) };
}

function simpleError(reason: string, consumed?: number, status = 400): ParseError {
  return { kind: 'error', reason, status, canRespond: false, ...(consumed !== undefined && { consumed }) };
}

/**
 * Stream without a complete header section yet: fail fast when the first line is already
 * complete and cannot start a SIP message, or when a line outgrows the limit; else wait.
 */
function earlyStreamCheck(buf: Buffer, start: number, maxLine: number): ParseResult {
  const eol = buf.indexOf('\r\n', start, 'latin1');
  if (eol < 0) {
    return buf.length - start > maxLine ? simpleError(`start line longer than ${maxLine}`) : INCOMPLETE;
  }
  if (eol - start > maxLine) return simpleError(`start line longer than ${maxLine}`);
  const line = buf.toString('utf8', start, eol);
  const sl = parseStartLine(line);
  // Not SIP at all (e.g. an HTTP request): no point buffering the rest.
  if (sl.kind === 'error' && (sl.looksLike === 'unknown' || !/SIP\/[0-9]/i.test(line)))
    return simpleError(sl.reason);
  return INCOMPLETE;
}
