import { getCallId } from './call-id.ts';
import { getCSeq } from './cseq.ts';
import { parseTokenList } from './header-values.ts';
import { getMaxForwards } from './max-forwards.ts';
import { getFrom, getTo } from './name-addr.ts';
import { KNOWN_METHODS, type SipRequest, type SipResponse } from './sip-message.ts';
import { SIP_VERSION } from './start-line.ts';
import { getRequestUri } from './uri.ts';
import { BRANCH_MAGIC_COOKIE, getVias } from './via.ts';

export type Verdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly status: number;
      readonly reason: string;
      /** Headers the response must carry, e.g. Unsupported for a 420 (RFC 3261 §20.40). */
      readonly headers?: ReadonlyArray<readonly [string, string]>;
    };

export interface ProxyValidationOptions {
  /** Request-URI schemes this proxy routes (RFC 3261 §16.3 step 2). Default sip, sips, tel. */
  readonly uriSchemes?: Iterable<string>;
  /** Option-tags this proxy implements, for Proxy-Require (RFC 3261 §16.3 step 5). Default none. */
  readonly proxyExtensions?: Iterable<string>;
  /**
   * Reject a topmost Via branch that is the bare magic cookie (RFC 4475 §3.2.1 allows a 400 or a
   * fallback to RFC 2543 matching). Default true.
   */
  readonly rejectEmptyBranch?: boolean;
}

const DEFAULT_SCHEMES: ReadonlySet<string> = new Set(['sip', 'sips', 'tel']);
const EMPTY: ReadonlySet<string> = new Set();

// RFC 3261 §8.1.1 / §20: header fields that appear at most once.
const SINGLE_VALUED = [
  ['to', 'To'],
  ['from', 'From'],
  ['call-id', 'Call-ID'],
  ['cseq', 'CSeq'],
  ['max-forwards', 'Max-Forwards'],
  ['content-type', 'Content-Type'],
] as const;

const REQUIRED = [
  ['to', 'To'],
  ['from', 'From'],
  ['call-id', 'Call-ID'],
  ['cseq', 'CSeq'],
  ['via', 'Via'],
] as const;

function reject(status: number, reason: string, headers?: ReadonlyArray<readonly [string, string]>): Verdict {
  return headers === undefined ? { ok: false, status, reason } : { ok: false, status, reason, headers };
}

const OK: Verdict = Object.freeze({ ok: true });

/**
 * Request validation of a proxy, RFC 3261 §16.3 steps 1-3 and 5, with the RFC 4475 §3.3 outcomes:
 * version (505), reasonable syntax — required and single-valued fields, CSeq method, Content-Length
 * (400; 501 for an unknown method with a mismatched CSeq) —, Request-URI scheme (416),
 * Max-Forwards (483) and Proxy-Require (420 with Unsupported). A missing Max-Forwards is tolerated
 * (RFC 2543 peers, RFC 4475 §3.4.1). The caller must not answer an ACK (RFC 3261 §17).
 */
export function validateRequestForProxy(req: SipRequest, opts: ProxyValidationOptions = {}): Verdict {
  const h = req.headers;
  // RFC 3261 §8.2.2 / §21.5.15
  if (req.version.toUpperCase() !== SIP_VERSION) return reject(505, 'Version Not Supported');

  // Step 1: reasonable syntax (RFC 3261 §16.3 step 1; RFC 4475 §3.3.1, §3.3.8, §3.3.9).
  for (const [key, label] of REQUIRED) {
    if (!h.has(key)) return reject(400, `Missing ${label} header field`);
  }
  for (const [key, label] of SINGLE_VALUED) {
    if (h.count(key) > 1) return reject(400, `Multiple ${label} header fields`);
  }
  let clValues = 0;
  for (const v of h.getAll('content-length')) clValues += v.split(',').length;
  if (clValues > 1) return reject(400, 'Multiple Content-Length values');

  const uri = getRequestUri(req);
  if (!uri.ok) return reject(400, `Bad Request-URI: ${uri.reason}`);
  for (const r of [
    getVias(req),
    getFrom(req),
    getTo(req),
    getCallId(req),
    getCSeq(req),
    getMaxForwards(req),
  ]) {
    if (!r.ok) return reject(400, r.reason);
  }
  const cseq = getCSeq(req);
  if (cseq.ok && cseq.value.method !== req.method) {
    // RFC 3261 §8.1.1.5; RFC 4475 §3.1.2.17 (400) and §3.1.2.18 (501 preferred for an unknown method).
    return reject(KNOWN_METHODS.has(req.method) ? 400 : 501, 'CSeq method does not match the request method');
  }
  const vias = getVias(req);
  const top = vias.ok ? vias.value[0] : undefined;
  if ((opts.rejectEmptyBranch ?? true) && top?.branch === BRANCH_MAGIC_COOKIE) {
    return reject(400, 'Missing transaction identifier in Via branch');
  }

  // Step 2: URI scheme (RFC 3261 §16.3 step 2; RFC 4475 §3.3.2, §3.3.3).
  const schemes = opts.uriSchemes === undefined ? DEFAULT_SCHEMES : lowerSet(opts.uriSchemes);
  if (uri.ok && !schemes.has(uri.value.scheme)) return reject(416, 'Unsupported URI Scheme');

  // Step 3: Max-Forwards (RFC 3261 §16.3 step 3; RFC 4475 §3.3.11).
  const mf = getMaxForwards(req);
  if (mf.ok && mf.value === 0) return reject(483, 'Too Many Hops');

  // Step 5: Proxy-Require (RFC 3261 §16.3 step 5; RFC 4475 §3.3.5). Require is for the UAS only.
  if (h.has('proxy-require')) {
    const supported = opts.proxyExtensions === undefined ? EMPTY : lowerSet(opts.proxyExtensions);
    const unsupported: string[] = [];
    for (const v of h.getAll('proxy-require')) {
      const tags = parseTokenList(v);
      if (!tags.ok) return reject(400, `Proxy-Require: ${tags.reason}`);
      for (const t of tags.value) if (!supported.has(t.toLowerCase())) unsupported.push(t);
    }
    if (unsupported.length > 0) {
      return reject(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);
    }
  }
  return OK;
}

export type ResponseVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly action: 'drop'; readonly reason: string };

/**
 * Checks a response a proxy is about to forward (RFC 3261 §16.7). The next hop is the second Via
 * (§16.7 step 3 removes the proxy's own). A broadcast or unspecified next-hop address is dropped
 * (RFC 4475 §3.3.10).
 */
export function validateResponseForProxy(res: SipResponse): ResponseVerdict {
  const vias = getVias(res);
  if (!vias.ok) return { ok: false, action: 'drop', reason: vias.reason };
  if (vias.value.length === 0) return { ok: false, action: 'drop', reason: 'response without Via' };
  const next = vias.value[1];
  if (next === undefined) return { ok: true };
  // RFC 3261 §18.2.2: maddr, else received, else sent-by.
  for (const addr of [next.maddr, next.received, next.host]) {
    if (addr === '255.255.255.255' || addr === '0.0.0.0') {
      return { ok: false, action: 'drop', reason: `next-hop Via address ${addr} is broadcast/unspecified` };
    }
  }
  return { ok: true };
}

function lowerSet(values: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const v of values) out.add(v.toLowerCase());
  return out;
}
