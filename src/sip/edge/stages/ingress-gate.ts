// Ingress gate (Kamailio's REQINIT): what every packet passes before any policy is read — the
// ban list and the per-source packet cap (before parsing, so a flood costs as little as possible),
// then parsing, then the proxy's request validation (RFC 3261 §16.3) and loop detection.

import { getTo } from '../../parser/name-addr.ts';
import { parseMessage } from '../../parser/parse-message.ts';
import { validateRequestForProxy } from '../../parser/request-validation.ts';
import { buildResponse, serializeResponse } from '../../parser/serialize.ts';
import type { PartialMessage, SipMessage } from '../../parser/sip-message.ts';
import { getVias, parseVia } from '../../parser/via.ts';
import type { Remote } from '../../transport/remote.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import { TransactionCache } from '../transaction-cache.ts';
import { isOurBranch } from '../via-branch.ts';
import { answeredVia } from '../via-received.ts';
import type { RequestContext } from './request-context.ts';
import { type Responder, SERVER_HEADER } from './responder.ts';

export class IngressGate {
  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly responder: Responder,
  ) {}

  /** Ban list and packet cap; a refused packet is dropped silently (a banned source learns nothing). */
  admitPacket(from: Remote): boolean {
    if (this.d.state.isBanned(from.address)) {
      this.d.metrics.outcome('banned', from.transport);
      return false;
    }
    if (!this.d.state.allowPacket(from.address)) {
      this.d.metrics.outcome('rate_capped', from.transport);
      return false;
    }
    return true;
  }

  /** The parsed message, or undefined when there is none to handle (answered 400 where possible). */
  parse(data: Buffer, from: Remote): SipMessage | undefined {
    const parsed = parseMessage(data, {
      transport: from.transport === 'udp' ? 'udp' : 'stream',
      maxSize: this.d.maxMessageSize,
    });
    if (parsed.kind === 'ok') return parsed.message;
    if (parsed.kind === 'error') {
      this.d.metrics.outcome('parse_error', from.transport);
      this.responder.refusalLog(from, 'parse_error', parsed.reason);
      if (parsed.canRespond && parsed.partial !== undefined) {
        const res = buildResponse(
          withReceived(parsed.partial, from),
          parsed.status,
          statusReason(parsed.status),
          [SERVER_HEADER],
        );
        this.d.reply(serializeResponse(res), from);
      }
    }
    return undefined; // keep-alive, incomplete or refused
  }

  /**
   * RFC 3261 §16.3 validation and §16.3 step 4 loop detection; fills the context's Vias, To
   * and transaction key for the stages after it.
   */
  check(ctx: RequestContext): boolean {
    const { req, from } = ctx;
    const verdict = validateRequestForProxy(req);
    if (!verdict.ok) {
      this.d.metrics.outcome('invalid_request', from.transport);
      this.responder.refusalLog(from, 'invalid_request', verdict.reason, req);
      if (req.method !== 'ACK')
        this.responder.respond(req, from, verdict.status, verdict.reason, verdict.headers ?? []);
      return false;
    }
    const vias = getVias(req);
    if (!vias.ok || vias.value.length === 0) return false; // validation guarantees a Via; be defensive
    const topVia = vias.value[0]!;
    // RFC 3261 §16.3 step 4 / §16.6: a request carrying our own branch has looped back to us.
    const { host, port } = this.d.identity;
    for (const v of vias.value) {
      if (isOurBranch(v.branch) && v.host === host && (v.port ?? 5060) === port) {
        this.d.metrics.outcome('invalid_request', from.transport);
        if (req.method !== 'ACK') this.responder.respond(req, from, 482, 'Loop Detected');
        return false;
      }
    }
    ctx.vias = vias.value;
    ctx.topVia = topVia;
    ctx.txKey = TransactionCache.key(topVia.branch ?? '', req.method, from.address, from.port);
    const to = getTo(req);
    if (to.ok) {
      ctx.to = to.value;
      ctx.inDialog = to.value.tag !== undefined;
    }
    return true;
  }
}

/** RFC 3581 §4 for a message that did not parse whole: its top Via, when that parses, is stamped. */
function withReceived(partial: PartialMessage, from: Remote): PartialMessage {
  const first = partial.via[0];
  const top = first === undefined ? undefined : parseVia(first);
  if (top === undefined || !top.ok) return partial;
  const vias = top.value.map((v) => v.raw);
  vias[0] = answeredVia(top.value[0]!, from);
  return { ...partial, via: [...vias, ...partial.via.slice(1)] };
}

function statusReason(status: number): string {
  switch (status) {
    case 505:
      return 'Version Not Supported';
    case 501:
      return 'Not Implemented';
    case 513:
      return 'Message Too Large';
    default:
      return 'Bad Request';
  }
}
