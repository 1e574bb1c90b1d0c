import { scan, trimWs, WORD } from './char-classes.ts';
import { fail, ok, type Parsed } from './parsed.ts';
import type { SipMessage } from './sip-message.ts';

/** RFC 3261 §20.8 / §25.1 callid = word [ "@" word ]. Returns the trimmed value. */
export function parseCallId(raw: string): Parsed<string> {
  const value = trimWs(raw);
  const e1 = scan(value, 0, WORD);
  if (e1 === 0) return fail('empty or invalid Call-ID');
  if (e1 === value.length) return ok(value);
  if (value.charCodeAt(e1) !== 64 /* @ */) return fail('invalid character in Call-ID');
  const e2 = scan(value, e1 + 1, WORD);
  if (e2 === e1 + 1 || e2 !== value.length) return fail('invalid Call-ID host part');
  return ok(value);
}

/** Lazily parsed, cached Call-ID (first Call-ID header field). */
export function getCallId(msg: SipMessage): Parsed<string> {
  return msg.headers.memo('call-id', 'single', () => {
    const v = msg.headers.get('call-id');
    return v === undefined ? fail('missing Call-ID') : parseCallId(v);
  });
}
