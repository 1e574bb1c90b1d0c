import { isDigit, isToken } from './char-classes.ts';

export const SIP_VERSION = 'SIP/2.0';

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string; readonly version: string }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string; readonly version: string };

export interface StartLineError {
  readonly kind: 'error';
  readonly reason: string;
  /** Suggested status for a request: 505 for a well-formed but unsupported SIP-Version, else 400. */
  readonly status: number;
  /** What the line seems to be, so the caller can decide whether a response is possible. */
  readonly looksLike: 'request' | 'response' | 'unknown';
  readonly method?: string;
}

/** RFC 3261 §7.1 SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (case-insensitive); only 2.0 is supported. */
function checkVersion(v: string): 'ok' | 'unsupported' | 'invalid' {
  if (v.length === 7 && v.toUpperCase() === SIP_VERSION) return 'ok';
  if (v.length > 16 || v.slice(0, 4).toUpperCase() !== 'SIP/') return 'invalid';
  const dot = v.indexOf('.', 4);
  if (dot <= 4 || dot === v.length - 1) return 'invalid';
  for (let i = 4; i < v.length; i++) {
    if (i !== dot && !isDigit(v.charCodeAt(i))) return 'invalid';
  }
  return 'unsupported';
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

/**
 * Parses a Request-Line or Status-Line strictly: exactly one SP between elements, no leading or
 * trailing whitespace (RFC 3261 §7.1, §7.2; RFC 4475 §3.1.2.8-§3.1.2.10), 3-digit status code in
 * 100-699 (RFC 3261 §21; RFC 4475 §3.1.2.19). The Request-URI itself is validated by the caller.
 */
export function parseStartLine(line: string): StartLine | StartLineError {
  if (line.length > 4 && line.slice(0, 4).toUpperCase() === 'SIP/') return parseStatusLine(line);
  const sp1 = line.indexOf(' ');
  const method = sp1 > 0 ? line.slice(0, sp1) : '';
  if (!isToken(method))
    return { kind: 'error', reason: 'invalid start line', status: 400, looksLike: 'unknown' };
  const bad = (reason: string, status = 400): StartLineError => ({
    kind: 'error',
    reason,
    status,
    looksLike: 'request',
    method,
  });
  const sp2 = line.lastIndexOf(' ');
  if (sp2 === sp1) return bad('Request-Line without SIP-Version');
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (uri.length === 0 || version.length === 0 || uri.includes(' ')) {
    return bad('Request-Line elements must be separated by exactly one SP');
  }
  if (line.includes('\t') || hasControl(line)) return bad('control character or HTAB in Request-Line');
  const v = checkVersion(version);
  if (v === 'invalid') return bad(`invalid SIP-Version ${JSON.stringify(version.slice(0, 16))}`);
  // RFC 3261 §8.2.2 (and §21.5.15): an unsupported SIP-Version is answered 505.
  if (v === 'unsupported') return bad(`unsupported SIP-Version ${version}`, 505);
  return { kind: 'request', method, uri, version: SIP_VERSION };
}

function parseStatusLine(line: string): StartLine | StartLineError {
  const bad = (reason: string): StartLineError => ({
    kind: 'error',
    reason,
    status: 400,
    looksLike: 'response',
  });
  const sp1 = line.indexOf(' ');
  if (sp1 < 0) return bad('Status-Line without status code');
  const v = checkVersion(line.slice(0, sp1));
  if (v !== 'ok') return bad(`${v} SIP-Version in Status-Line`);
  let codeEnd = line.indexOf(' ', sp1 + 1);
  if (codeEnd < 0) codeEnd = line.length;
  // RFC 3261 §7.2: Status-Code = 3DIGIT; §21 defines 1xx-6xx.
  if (codeEnd - sp1 - 1 !== 3) return bad('status code must be exactly 3 digits');
  let status = 0;
  for (let i = sp1 + 1; i < codeEnd; i++) {
    const c = line.charCodeAt(i);
    if (!isDigit(c)) return bad('status code must be exactly 3 digits');
    status = status * 10 + (c - 48);
  }
  if (status < 100 || status > 699) return bad('status code out of range 100-699');
  // RFC 3261 §25.1 Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB);
  // may be empty (RFC 4475 §3.1.1.13). A missing final SP is tolerated.
  const reason = codeEnd < line.length ? line.slice(codeEnd + 1) : '';
  if (hasControl(reason)) return bad('control character in Reason-Phrase');
  return { kind: 'response', status, reason, version: SIP_VERSION };
}
