// Public surface of the SIP message parser.
export type { AuthHeader } from './auth-header.ts';
export { parseAuthHeader } from './auth-header.ts';
export { getCallId, parseCallId } from './call-id.ts';
export { parseContentLength } from './content-length.ts';
export type { CSeq } from './cseq.ts';
export { CSEQ_MAX, getCSeq, parseCSeq } from './cseq.ts';
export { canonicalHeaderName, headerKey } from './header-names.ts';
export type { ParamMap } from './header-values.ts';
export {
  parseParams,
  parseQuotedString,
  parseTokenList,
  quoteString,
  splitHeaderValues,
  unescapeUriPart,
} from './header-values.ts';
export type { HostPort, HostType } from './host.ts';
export { hostType, isHostname, isIPv4, isIPv6, parseHostPort } from './host.ts';
export { getMaxForwards, parseMaxForwards } from './max-forwards.ts';
export type { ContactList, NameAddr } from './name-addr.ts';
export {
  getContacts,
  getFrom,
  getRecordRoutes,
  getRoutes,
  getTo,
  parseContacts,
  parseNameAddr,
  parseNameAddrList,
} from './name-addr.ts';
export type {
  ParseError,
  ParseIncomplete,
  ParseKeepalive,
  ParseOk,
  ParseOptions,
  ParseResult,
} from './parse-message.ts';
export {
  DEFAULT_MAX_HEADER_LENGTH,
  DEFAULT_MAX_HEADERS,
  DEFAULT_MAX_SIZE,
  parseMessage,
} from './parse-message.ts';
export type { Parsed } from './parsed.ts';
export type { ProxyValidationOptions, ResponseVerdict, Verdict } from './request-validation.ts';
export { validateRequestForProxy, validateResponseForProxy } from './request-validation.ts';
export type { HeaderInput } from './serialize.ts';
export { buildResponse, serializeMessage, serializeRequest, serializeResponse } from './serialize.ts';
export { parseSipDate } from './sip-date.ts';
export type { SipHeader } from './sip-headers.ts';
export { SipHeaders } from './sip-headers.ts';
export type { PartialMessage, SipMessage, SipRequest, SipResponse } from './sip-message.ts';
export { KNOWN_METHODS } from './sip-message.ts';
export type { StartLine, StartLineError } from './start-line.ts';
export { parseStartLine, SIP_VERSION } from './start-line.ts';
export type { AbsoluteUri, SipUri, Uri, UriParseOptions } from './uri.ts';
export { getRequestUri, parseSipUri, parseUri } from './uri.ts';
export type { Via } from './via.ts';
export { BRANCH_MAGIC_COOKIE, getVias, hasRfc3261Branch, parseVia, parseVias } from './via.ts';
