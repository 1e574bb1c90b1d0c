import type { SipHeaders } from './sip-headers.ts';

/** RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF. */
export interface SipRequest {
  readonly kind: 'request';
  /** Case-sensitive method token (RFC 3261 §7.1). */
  method: string;
  /** Raw Request-URI; parsed lazily with `getRequestUri`. */
  uri: string;
  /** Always `SIP/2.0` for parsed messages (the only version accepted, RFC 3261 §7.1). */
  version: string;
  headers: SipHeaders;
  body: Buffer;
}

/** RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF. */
export interface SipResponse {
  readonly kind: 'response';
  status: number;
  /** Reason phrase, decoded as UTF-8 (RFC 3261 §25.1 allows UTF8-NONASCII); may be empty. */
  reason: string;
  version: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/**
 * What could be salvaged from a message that failed to parse: enough to address a 400
 * (RFC 3261 §8.2.6.2 copies Via, From, To, Call-ID, CSeq). Values are raw strings.
 */
export interface PartialMessage {
  readonly kind: 'request' | 'response' | 'unknown';
  readonly startLine?: string;
  readonly method?: string;
  readonly uri?: string;
  readonly via: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly callId?: string;
  readonly cseq?: string;
}

/** RFC 3261 §27.4 methods plus the common extensions (RFC 3262, 3265, 3311, 3428, 3515, 3903, 6086). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);
