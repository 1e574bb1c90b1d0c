import { parseDecimal, trimWs } from './char-classes.ts';
import { fail, ok, type Parsed } from './parsed.ts';
import type { SipMessage } from './sip-message.ts';

/** RFC 3261 §20.22 Max-Forwards = 1*DIGIT, range 0-255 (leading zeros allowed, RFC 4475 §3.1.1.1 "0068"). */
export function parseMaxForwards(value: string): Parsed<number> {
  const v = trimWs(value);
  const n = v.length <= 16 ? parseDecimal(v, 255) : -1;
  return n < 0 ? fail('Max-Forwards out of range 0-255') : ok(n);
}

/** Lazily parsed, cached Max-Forwards; `undefined` when absent (RFC 2543 peers omit it, RFC 4475 §3.4.1). */
export function getMaxForwards(msg: SipMessage): Parsed<number | undefined> {
  return msg.headers.memo('max-forwards', 'single', () => {
    const v = msg.headers.get('max-forwards');
    return v === undefined ? ok(undefined) : parseMaxForwards(v);
  });
}
