import { isToken } from './char-classes.ts';
import { parseNameAddr } from './name-addr.ts';
import { SipHeaders } from './sip-headers.ts';
import type { PartialMessage, SipMessage, SipRequest, SipResponse } from './sip-message.ts';

const CRLF_RE = /[\r\n]/;

function checkLine(what: string, s: string): void {
  // Guard against header/start-line injection from application-supplied values.
  if (CRLF_RE.test(s)) throw new RangeError(`${what} contains CR or LF`);
}

function serializeHeadersAndBody(startLine: string, msg: SipMessage): Buffer {
  checkLine('SIP-Version', msg.version);
  let head = `${startLine}\r\n`;
  for (const h of msg.headers) {
    // Content-Length is always regenerated from the body actually sent (RFC 3261 §18.3, §20.14).
    if (h.name === 'Content-Length') continue;
    if (!isToken(h.name)) throw new RangeError(`invalid header name ${JSON.stringify(h.name)}`);
    checkLine('header value', h.value);
    head += `${h.name}: ${h.value}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  const headBuf = Buffer.from(head, 'utf8');
  return msg.body.length === 0
    ? headBuf
    : Buffer.concat([headBuf, msg.body], headBuf.length + msg.body.length);
}

/**
 * RFC 3261 §7.1 Request-Line + headers (long-form names) + body. Content-Length is rewritten
 * to the body size. Throws RangeError on CR/LF in start-line elements (a programming error).
 */
export function serializeRequest(req: SipRequest): Buffer {
  if (!isToken(req.method)) throw new RangeError('invalid method');
  checkLine('Request-URI', req.uri);
  if (req.uri.includes(' ')) throw new RangeError('Request-URI contains SP');
  return serializeHeadersAndBody(`${req.method} ${req.uri} ${req.version}`, req);
}

/** RFC 3261 §7.2 Status-Line + headers + body; see serializeRequest. */
export function serializeResponse(res: SipResponse): Buffer {
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 699)
    throw new RangeError('invalid status');
  checkLine('Reason-Phrase', res.reason);
  return serializeHeadersAndBody(`${res.version} ${res.status} ${res.reason}`, res);
}

export function serializeMessage(msg: SipMessage): Buffer {
  return msg.kind === 'request' ? serializeRequest(msg) : serializeResponse(msg);
}

/** Header to add to a built response: [name, value]. */
export type HeaderInput = readonly [name: string, value: string];

/**
 * Builds a response to a request — or to the `partial` of a request that failed to parse — per
 * RFC 3261 §8.2.6.2: Via (all, in order), From, Call-ID and CSeq copied; To copied with `toTag`
 * added when it has none and the status is not 100; Timestamp copied into a 100 (§8.2.6.1);
 * then `extraHeaders`; Content-Length: 0 and an empty body.
 */
export function buildResponse(
  request: SipRequest | PartialMessage,
  status: number,
  reason: string,
  extraHeaders: readonly HeaderInput[] = [],
  toTag?: string,
): SipResponse {
  if (toTag !== undefined && !isToken(toTag)) throw new RangeError('To tag must be a token');
  const isFull = 'headers' in request;
  const vias = isFull ? request.headers.getAll('via') : request.via;
  const from = isFull ? request.headers.get('from') : request.from;
  let to = isFull ? request.headers.get('to') : request.to;
  const callId = isFull ? request.headers.get('call-id') : request.callId;
  const cseq = isFull ? request.headers.get('cseq') : request.cseq;

  if (to !== undefined && toTag !== undefined && status > 100) {
    const parsed = parseNameAddr(to);
    if (parsed.ok && parsed.value.tag === undefined) to = `${to};tag=${toTag}`;
  }
  const headers = new SipHeaders();
  for (const v of vias) headers.append('Via', v);
  if (from !== undefined) headers.append('From', from);
  if (to !== undefined) headers.append('To', to);
  if (callId !== undefined) headers.append('Call-ID', callId);
  if (cseq !== undefined) headers.append('CSeq', cseq);
  if (status === 100 && isFull) {
    const ts = request.headers.get('timestamp');
    if (ts !== undefined) headers.append('Timestamp', ts);
  }
  for (const [name, value] of extraHeaders) headers.append(name, value);
  headers.append('Content-Length', '0');
  checkLine('Reason-Phrase', reason);
  return { kind: 'response', status, reason, version: 'SIP/2.0', headers, body: Buffer.alloc(0) };
}
