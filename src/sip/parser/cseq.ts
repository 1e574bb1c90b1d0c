import { isDigit, isWsp, parseDecimal, scan, skipWs, TOKEN } from './char-classes.ts';
import { fail, ok, type Parsed } from './parsed.ts';
import type { SipMessage } from './sip-message.ts';

/** RFC 3261 §8.1.1.5: the sequence number MUST be a 32-bit unsigned integer less than 2**31. */
export const CSEQ_MAX = 2 ** 31 - 1;

/** RFC 3261 §20.16 CSeq = 1*DIGIT LWS Method. */
export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export function parseCSeq(value: string): Parsed<CSeq> {
  let p = skipWs(value, 0);
  const ds = p;
  while (p < value.length && isDigit(value.charCodeAt(p))) p++;
  if (p === ds) return fail('CSeq without sequence number');
  // Leading zeros are legal (RFC 4475 §3.1.1.1 "0009"); bound the digit run before converting.
  const seq = p - ds <= 16 ? parseDecimal(value.slice(ds, p), CSEQ_MAX) : -1;
  if (seq < 0) return fail('CSeq sequence number out of range (RFC 3261 §8.1.1.5)');
  if (!isWsp(value.charCodeAt(p))) return fail('CSeq: expected whitespace before method');
  p = skipWs(value, p);
  const me = scan(value, p, TOKEN);
  if (me === p) return fail('CSeq without method');
  if (skipWs(value, me) !== value.length) return fail('junk after CSeq method');
  return ok({ seq, method: value.slice(p, me) });
}

/** Lazily parsed, cached CSeq (first CSeq header field). */
export function getCSeq(msg: SipMessage): Parsed<CSeq> {
  return msg.headers.memo('cseq', 'single', () => {
    const v = msg.headers.get('cseq');
    return v === undefined ? fail('missing CSeq') : parseCSeq(v);
  });
}
