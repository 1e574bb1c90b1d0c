// RFC 3261 §9.1: the CANCEL a client builds for a pending INVITE. It shares the INVITE's branch so
// the next hop can find the INVITE (§9.2, transaction-key.ts cancelTargetKey), yet it is a
// non-INVITE transaction of its own: its responses match on CSeq method CANCEL (§17.1.3).
import { getCSeq } from '../parser/cseq.ts';
import { fail, ok, type Parsed } from '../parser/parsed.ts';
import { SipHeaders } from '../parser/sip-headers.ts';
import type { SipRequest } from '../parser/sip-message.ts';
import { getVias } from '../parser/via.ts';

/**
 * §9.1: Request-URI, Call-ID, To, From and the CSeq number of the request being cancelled, method
 * CANCEL; a single Via equal to that request's top Via; its Route header fields. Max-Forwards as in
 * the INVITE (§8.1.1 requires one).
 */
export function buildCancel(invite: SipRequest): Parsed<SipRequest> {
  if (invite.method !== 'INVITE') return fail('only an INVITE can be cancelled');
  const vias = getVias(invite);
  if (!vias.ok) return vias;
  const top = vias.value[0];
  if (top === undefined) return fail('INVITE has no Via');
  const cseq = getCSeq(invite);
  if (!cseq.ok) return cseq;
  const from = invite.headers.get('from');
  const to = invite.headers.get('to');
  const callId = invite.headers.get('call-id');
  if (from === undefined || to === undefined || callId === undefined) {
    return fail('From, To or Call-ID missing');
  }
  const headers = new SipHeaders();
  headers.append('Via', top.raw);
  headers.append('Max-Forwards', invite.headers.get('max-forwards') ?? '70');
  for (const route of invite.headers.getAll('route')) headers.append('Route', route);
  headers.append('From', from);
  headers.append('To', to);
  headers.append('Call-ID', callId);
  headers.append('CSeq', `${cseq.value.seq} CANCEL`);
  headers.append('Content-Length', '0');
  return ok({
    kind: 'request',
    method: 'CANCEL',
    uri: invite.uri,
    version: 'SIP/2.0',
    headers,
    body: Buffer.alloc(0),
  });
}
