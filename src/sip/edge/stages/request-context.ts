// Everything the stages of the request pipeline share about one request: the message, where it
// came from, and the header values parsed once (Via, To, Request-URI) plus what earlier
// stages decided (target, admission). One object per request, its shape fixed at construction so
// every stage reads it through the same hidden class.
import type { IpAddress } from '../../../domain/address/index.ts';
import type { NameAddr } from '../../parser/name-addr.ts';
import type { SipRequest } from '../../parser/sip-message.ts';
import type { SipUri } from '../../parser/uri.ts';
import type { Via } from '../../parser/via.ts';
import type { Remote } from '../../transport/remote.ts';
import type { AdmissionTarget, PolicySnapshot } from '../admission-policy.ts';

/** How an admitted request was admitted (X-Trunkgate-Auth). */
export type AdmissionKind = 'ip' | 'digest' | 'ip+digest' | 'none';

export class RequestContext {
  /** When the packet was read (process.hrtime.bigint), for the latency histogram. */
  readonly started: bigint;
  readonly req: SipRequest;
  readonly from: Remote;
  /** All Vias, topmost first (ingress gate); empty until then. */
  vias: readonly Via[] = [];
  /** The caller's Via (the top one). */
  topVia: Via | undefined = undefined;
  /** Retransmission-cache key: top branch, method, source (TransactionCache.key). */
  txKey = '';
  /** The To header, or undefined when it does not parse. */
  to: NameAddr | undefined = undefined;
  /** A To tag makes the request part of a dialog (RFC 3261 §12.2). */
  inDialog = false;
  /** The Request-URI when it is a SIP URI (target stage). */
  ruri: SipUri | undefined = undefined;
  /** The source as a normalised IP address (target stage). */
  source: IpAddress | undefined = undefined;
  /** The policy snapshot read once for this request (target stage). */
  policy: PolicySnapshot | undefined = undefined;
  /** The trunk or application the Request-URI names (target stage). */
  target: AdmissionTarget | undefined = undefined;
  /** Set by the digest stage when the request is admitted. */
  auth: AdmissionKind = 'none';
  /** The credential that authenticated the request, null when none did. */
  credentialUuid: string | null = null;

  constructor(req: SipRequest, from: Remote, started: bigint) {
    this.req = req;
    this.from = from;
    this.started = started;
  }
}
