/**
 * Character classes of the RFC 3261 §25.1 ABNF as bit tables over US-ASCII.
 * Every check is a table lookup, so scanners built on them are linear and cannot backtrack.
 */

export const TOKEN = 1; // RFC 3261 §25.1 token
export const UNRESERVED = 2; // RFC 3261 §25.1 unreserved = alphanum / mark
export const USER = 4; // RFC 3261 §25.1 user (minus escaped)
export const PASSWORD = 8; // RFC 3261 §25.1 password (minus escaped)
export const PARAMCHAR = 16; // RFC 3261 §25.1 paramchar (minus escaped)
export const HNV = 32; // RFC 3261 §25.1 hname/hvalue chars (minus escaped)
export const WORD = 64; // RFC 3261 §25.1 word (Call-ID)
export const URIC = 128; // RFC 2396 §2 uric (minus escaped): absoluteURI bodies
export const SCHEME = 256; // RFC 3261 §25.1 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
export const HOSTNAME = 512; // alphanum / "-" / "."

const table = new Uint16Array(128);

function mark(chars: string, bit: number): void {
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    table[c] = (table[c] ?? 0) | bit;
  }
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGIT = '0123456789';
const ALNUM = ALPHA + DIGIT;
const MARK = "-_.!~*'()";

mark(ALNUM + "-.!%*_+`'~", TOKEN);
mark(ALNUM + MARK, UNRESERVED | USER | PASSWORD | PARAMCHAR | HNV | URIC);
mark('&=+$,;?/', USER);
mark('&=+$,', PASSWORD);
mark('[]/:&+$', PARAMCHAR);
mark('[]/?:+$', HNV);
mark(ALNUM + '-.!%*_+`\'~()<>:\\"/[]?{}', WORD);
mark(';/?:@&=+$,', URIC);
mark(ALNUM + '+-.', SCHEME);
mark(ALNUM + '-.', HOSTNAME);

/** True when the UTF-16 code unit `c` is ASCII and in every class of `bits`. */
export function is(c: number, bits: number): boolean {
  return c < 128 && (table[c]! & bits) === bits;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** RFC 3261 §25.1 WSP = SP / HTAB. */
export function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

/** Skips SWS (after unfolding, LWS is only SP/HTAB). Returns the new position. */
export function skipWs(s: string, pos: number): number {
  while (pos < s.length && isWsp(s.charCodeAt(pos))) pos++;
  return pos;
}

/** Trims SP/HTAB only (String#trim would also eat Unicode spaces that belong to the value). */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Scans a run of `bits` characters from `pos`; returns the end position. */
export function scan(s: string, pos: number, bits: number): number {
  while (pos < s.length && is(s.charCodeAt(pos), bits)) pos++;
  return pos;
}

/**
 * Checks that every character of s[from, to) is in `bits` or is an RFC 3261 §25.1 escaped
 * triplet ("%" HEXDIG HEXDIG).
 */
export function allEscapedOr(s: string, from: number, to: number, bits: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      if (i + 2 >= to || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (!is(c, bits)) {
      return false;
    }
  }
  return true;
}

export function isToken(s: string): boolean {
  return s.length > 0 && scan(s, 0, TOKEN) === s.length;
}

/**
 * Parses an unsigned decimal of at most `maxDigits` significant digits (leading zeros allowed,
 * RFC 3261 §25.1 1*DIGIT). Returns -1 for anything that is not all digits or exceeds `max`.
 */
export function parseDecimal(s: string, max: number): number {
  if (s.length === 0) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
    if (n > max) return -1;
  }
  return n;
}
