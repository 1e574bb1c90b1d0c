import { parseDecimal, trimWs } from './char-classes.ts';
import { fail, ok, type Parsed } from './parsed.ts';

/**
 * RFC 3261 §20.14 Content-Length = 1*DIGIT. Signs, spaces inside, non-digits and values above `max`
 * are errors (RFC 4475 §3.1.2.2 clerr, §3.1.2.3 ncl).
 */
export function parseContentLength(value: string, max: number): Parsed<number> {
  const v = trimWs(value);
  const n = v.length <= 16 ? parseDecimal(v, max) : -1;
  if (n >= 0) return ok(n);
  return /^[0-9]+$/.test(v) ? fail('Content-Length too large') : fail('invalid Content-Length');
}
