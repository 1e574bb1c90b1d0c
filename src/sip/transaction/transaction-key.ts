// Transaction matching keys: RFC 3261 §17.1.3 (a response to a client transaction) and §17.2.3 (a
// request to a server transaction). Keys are strings so the table is a plain Map; the prefixes keep
// client keys, server keys and RFC 2543 fall-back keys apart.
import { getCallId } from '../parser/call-id.ts';
import { getCSeq } from '../parser/cseq.ts';
import { getFrom, getTo } from '../parser/name-addr.ts';
import { fail, ok, type Parsed } from '../parser/parsed.ts';
import type { SipMessage, SipRequest, SipResponse } from '../parser/sip-message.ts';
import { getVias, hasRfc3261Branch, type Via } from '../parser/via.ts';

function topVia(msg: SipMessage): Parsed<Via> {
  const vias = getVias(msg);
  if (!vias.ok) return vias;
  const top = vias.value[0];
  return top === undefined ? fail('no Via') : ok(top);
}

/** sent-by = host [ ":" port ] (§20.42); hosts compare case-insensitively (§19.1.4 applies to Via hosts too). */
function sentBy(via: Via): string {
  return via.port === undefined ? via.host.toLowerCase() : `${via.host.toLowerCase()}:${via.port}`;
}

/** The key a client transaction is filed under: its own branch and the method it sent (§17.1.3). */
export function clientKey(branch: string, method: string): string {
  return `c ${branch} ${method}`;
}

/**
 * The key of the client transaction a request creates. The request must carry the magic-cookie branch
 * of §8.1.1.7 in its top Via (branch.ts makes one) and a CSeq naming its own method.
 */
export function clientRequestKey(request: SipRequest): Parsed<string> {
  const via = topVia(request);
  if (!via.ok) return via;
  if (!hasRfc3261Branch(via.value) || via.value.branch === undefined) {
    return fail('top Via needs a magic-cookie branch (RFC 3261 §8.1.1.7)');
  }
  const cseq = getCSeq(request);
  if (!cseq.ok) return cseq;
  if (cseq.value.method !== request.method) return fail('CSeq method differs from the request method');
  return ok(clientKey(via.value.branch, request.method));
}

/**
 * §17.1.3: a response matches a client transaction when the branch of its top Via equals the branch
 * of the request that created the transaction and its CSeq method equals that request's method — the
 * method check keeps a CANCEL's response off the INVITE transaction, which shares its branch.
 */
export function responseKey(response: SipResponse): Parsed<string> {
  const via = topVia(response);
  if (!via.ok) return via;
  if (via.value.branch === undefined) return fail('top Via has no branch');
  const cseq = getCSeq(response);
  if (!cseq.ok) return cseq;
  return ok(clientKey(via.value.branch, cseq.value.method));
}

/**
 * §17.2.3: with a magic-cookie branch, a request matches a server transaction when the branch and the
 * sent-by of its top Via are those of the request that created it and its method is that request's
 * method — except ACK, which matches the INVITE. CANCEL keeps its own method, so it is a transaction
 * of its own (§9.2); cancelTargetKey finds the INVITE it cancels.
 *
 * Without the cookie (an RFC 2543 peer), §17.2.3's older rules apply: Request-URI, From tag, Call-ID,
 * CSeq number and top Via, plus the To tag for everything but INVITE/ACK (the INVITE had none and the
 * ACK carries the tag of our response).
 */
export function requestKey(request: SipRequest): Parsed<string> {
  return serverKeyAs(request, request.method === 'ACK' ? 'INVITE' : request.method);
}

/** The key of the INVITE server transaction a CANCEL targets (§9.2: same key, method INVITE). */
export function cancelTargetKey(cancel: SipRequest): Parsed<string> {
  if (cancel.method !== 'CANCEL') return fail('not a CANCEL');
  return serverKeyAs(cancel, 'INVITE');
}

function serverKeyAs(request: SipRequest, method: string): Parsed<string> {
  const via = topVia(request);
  if (!via.ok) return via;
  if (hasRfc3261Branch(via.value)) {
    return ok(`s ${via.value.branch} ${sentBy(via.value)} ${method}`);
  }
  const callId = getCallId(request);
  if (!callId.ok) return callId;
  const cseq = getCSeq(request);
  if (!cseq.ok) return cseq;
  const from = getFrom(request);
  if (!from.ok) return from;
  let toTag = '';
  if (method !== 'INVITE') {
    const to = getTo(request);
    if (!to.ok) return to;
    toTag = to.value.tag ?? '';
  }
  return ok(
    `s2543 ${request.uri} ${from.value.tag ?? ''} ${callId.value} ${cseq.value.seq} ${via.value.raw} ${method} ${toTag}`,
  );
}
