/**
 * Header field names: compact forms and canonical spellings.
 * RFC 3261 §7.3.3: compact forms are equivalent to the long names; header names are
 * case-insensitive (§7.3.1).
 */

// RFC 3261 §7.3.3 and §20; later compact forms from the IANA "Header Fields" registry
// (RFC 3265, 3515, 3892, 4028, 3841, 4474).
const COMPACT: Readonly<Record<string, string>> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  o: 'Event',
  u: 'Allow-Events',
  r: 'Refer-To',
  b: 'Referred-By',
  x: 'Session-Expires',
  a: 'Accept-Contact',
  j: 'Reject-Contact',
  d: 'Request-Disposition',
  y: 'Identity',
  n: 'Identity-Info',
};

const KNOWN = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Diversion',
  'Error-Info',
  'Event',
  'Expires',
  'From',
  'History-Info',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Replaces',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Retry-After',
  'Route',
  'RSeq',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
];

const CANONICAL = new Map<string, string>();
for (const name of KNOWN) CANONICAL.set(name.toLowerCase(), name);
const COMPACT_MAP = new Map<string, string>(Object.entries(COMPACT));

/**
 * Canonical long form of a header name: compact forms are expanded, known headers get their
 * registered spelling, unknown headers keep the spelling they arrived with.
 */
export function canonicalHeaderName(rawName: string): string {
  const lower = rawName.toLowerCase();
  if (lower.length === 1) {
    const long = COMPACT_MAP.get(lower);
    if (long !== undefined) return long;
  }
  return CANONICAL.get(lower) ?? rawName;
}

/** Lookup key for a header name: lower-cased canonical long form (so `v`, `VIA` and `Via` agree). */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length === 1) {
    const long = COMPACT_MAP.get(lower);
    if (long !== undefined) return long.toLowerCase();
  }
  return lower;
}
