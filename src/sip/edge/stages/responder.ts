// Responder: the responses the edge itself sends (RFC 3261 §8.2.6), remembered for
// retransmissions (§17.2), and the one structured log line per refusal.
import { getCSeq } from '../../parser/cseq.ts';
import { buildResponse, type HeaderInput, serializeResponse } from '../../parser/serialize.ts';
import type { PartialMessage, SipRequest } from '../../parser/sip-message.ts';
import { getVias } from '../../parser/via.ts';
import type { Remote } from '../../transport/remote.ts';
import type { Outcome } from '../edge-metrics.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import type { TransactionCache } from '../transaction-cache.ts';
import { answeredVia } from '../via-received.ts';
import type { RequestContext } from './request-context.ts';

export const SERVER_HEADER: HeaderInput = ['Server', 'trunkgate'];
export const ALLOW: HeaderInput = [
  'Allow',
  'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, PRACK, UPDATE, INFO, REFER, NOTIFY, SUBSCRIBE, MESSAGE',
];

/**
 * The request as the response should copy it (RFC 3261 §8.2.6.2) with its top Via stamped by
 * received/rport (RFC 3581 §4), or the request itself when the Via needs nothing.
 */
function withReceived(req: SipRequest, from: Remote): SipRequest | PartialMessage {
  const vias = getVias(req);
  if (!vias.ok || vias.value.length === 0) return req;
  const top = vias.value[0]!;
  const stamped = answeredVia(top, from);
  if (stamped === top.raw) return req;
  const via: string[] = [stamped];
  for (let i = 1; i < vias.value.length; i++) via.push(vias.value[i]!.raw);
  const h = req.headers;
  const partial: PartialMessage = {
    kind: 'request',
    method: req.method,
    uri: req.uri,
    via,
    from: h.get('from'),
    to: h.get('to'),
    callId: h.get('call-id'),
    cseq: h.get('cseq'),
  };
  return partial;
}

const ALLOW_ONLY: readonly HeaderInput[] = [ALLOW];

export class Responder {
  private readonly toTag: string;

  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly tx: TransactionCache,
    private readonly now: () => number,
  ) {
    this.toTag = d.keys.toTag;
  }

  /** Answers `req` (not remembered: for answers a retransmission may not repeat). */
  respond(
    req: SipRequest,
    to: Remote,
    status: number,
    reason: string,
    extra: readonly HeaderInput[] = [],
  ): Buffer {
    const res = buildResponse(
      withReceived(req, to),
      status,
      reason,
      extra.length === 0 ? [SERVER_HEADER] : extra,
      this.toTag,
    );
    const data = serializeResponse(res);
    this.d.reply(data, to);
    return data;
  }

  /** Answers and remembers the answer for retransmissions (§17.2). */
  respondCached(
    ctx: RequestContext,
    status: number,
    reason: string,
    extra: readonly HeaderInput[] = [],
    addServer = true,
  ): void {
    const headers = addServer && !extra.includes(SERVER_HEADER) ? [...extra, SERVER_HEADER] : extra;
    const data = this.respond(ctx.req, ctx.from, status, reason, headers);
    this.tx.set(ctx.txKey, { kind: 'response', data }, this.now());
  }

  /** OPTIONS to a target (no user part): answered here with what the edge relays (§11.2). */
  options(ctx: RequestContext): void {
    this.d.metrics.outcome('options', ctx.from.transport);
    this.respondCached(ctx, 200, 'OK', ALLOW_ONLY);
  }

  /** A final refusal: counted, logged once, answered and remembered. */
  finalRefusal(ctx: RequestContext, outcome: Outcome, status: number, reason: string, why: string): void {
    this.d.metrics.outcome(outcome, ctx.from.transport);
    this.refusalLog(ctx.from, outcome, why, ctx.req);
    this.respondCached(ctx, status, reason);
  }

  /** One structured line per refusal: source, reason; never a credential or a digest. */
  refusalLog(from: Remote, outcome: string, why: string, req?: SipRequest): void {
    const cseq = req === undefined ? undefined : getCSeq(req);
    this.d.log.info(
      {
        sip: {
          outcome,
          reason: why,
          source: `${from.address}:${from.port}`,
          transport: from.transport,
          method: req?.method,
          call_id: req?.headers.get('call-id'),
          cseq: cseq?.ok ? cseq.value.seq : undefined,
        },
      },
      'sip request refused',
    );
  }
}
