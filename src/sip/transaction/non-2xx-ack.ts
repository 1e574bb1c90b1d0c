// RFC 3261 §17.1.1.3: the ACK an INVITE client transaction sends for a 300–699 response. It is part
// of the INVITE transaction (hop-by-hop), unlike the ACK for a 2xx, which the TU sends end to end in
// a transaction of its own (§13.2.2.4).
import { getCSeq } from '../parser/cseq.ts';
import { fail, ok, type Parsed } from '../parser/parsed.ts';
import { SipHeaders } from '../parser/sip-headers.ts';
import type { SipRequest, SipResponse } from '../parser/sip-message.ts';
import { getVias } from '../parser/via.ts';

/**
 * §17.1.1.3: Call-ID, From and Request-URI of the original request; To of the response (it carries
 * the tag); a single Via equal to the top Via of the original request; CSeq with the same number and
 * method ACK; every Route of the original request (it went the same way). Max-Forwards is copied
 * because §8.1.1 makes it mandatory on every request.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): Parsed<SipRequest> {
  if (invite.method !== 'INVITE') return fail('not an INVITE');
  if (response.status < 300) return fail('only a 300-699 response is acknowledged hop-by-hop');
  const vias = getVias(invite);
  if (!vias.ok) return vias;
  const top = vias.value[0];
  if (top === undefined) return fail('INVITE has no Via');
  const cseq = getCSeq(invite);
  if (!cseq.ok) return cseq;
  const from = invite.headers.get('from');
  const to = response.headers.get('to');
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
  headers.append('CSeq', `${cseq.value.seq} ACK`);
  headers.append('Content-Length', '0');
  return ok({
    kind: 'request',
    method: 'ACK',
    uri: invite.uri,
    version: 'SIP/2.0',
    headers,
    body: Buffer.alloc(0),
  });
}
