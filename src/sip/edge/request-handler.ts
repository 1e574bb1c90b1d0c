// The edge's decision for every SIP message: a short pipeline of named stages, in order, in the
// manner of Kamailio's request_route (docs/sip-pipeline.md). Each stage is
// one file in stages/ and returns whether the request goes on; a stage that stops it has already
// answered, relayed or dropped it. Headers are parsed once into the RequestContext the stages share.
// Outcomes the protocol expects are values; exceptions are bugs or I/O failures and become a 500.
import type { Remote } from '../transport/remote.ts';
import type { RequestHandlerDeps } from './request-handler-deps.ts';
import { Cps } from './stages/cps.ts';
import { Digest } from './stages/digest.ts';
import { Forwarder } from './stages/forwarder.ts';
import { InDialog } from './stages/in-dialog.ts';
import { IngressGate } from './stages/ingress-gate.ts';
import { Registrar } from './stages/registrar.ts';
import { RequestContext } from './stages/request-context.ts';
import { Responder } from './stages/responder.ts';
import { ResponseRelay } from './stages/response-relay.ts';
import { Retransmission } from './stages/retransmission.ts';
import { TargetAndAdmission } from './stages/target-and-admission.ts';
import { TransactionCache } from './transaction-cache.ts';

export type { EdgeIdentity, RequestHandlerDeps, Upstream } from './request-handler-deps.ts';

export class RequestHandler {
  private readonly gate: IngressGate;
  private readonly responses: ResponseRelay;
  private readonly retransmission: Retransmission;
  private readonly inDialog: InDialog;
  private readonly admission: TargetAndAdmission;
  private readonly digest: Digest;
  private readonly cps: Cps;
  private readonly registrar: Registrar;
  private readonly forwarder: Forwarder;
  private readonly responder: Responder;

  constructor(private readonly d: RequestHandlerDeps) {
    const now = d.now ?? Date.now;
    const tx = new TransactionCache();
    this.responder = new Responder(d, tx, now);
    this.gate = new IngressGate(d, this.responder);
    this.responses = new ResponseRelay(d);
    this.retransmission = new Retransmission(d, tx, now);
    this.inDialog = new InDialog(d, tx, this.responder, now);
    this.admission = new TargetAndAdmission(d, this.responder);
    this.digest = new Digest(d, this.responder, now);
    this.cps = new Cps(d, this.responder);
    this.registrar = new Registrar(d, this.responder);
    this.forwarder = new Forwarder(d, tx, this.responder, now);
  }

  /** Entry point for every datagram / framed stream message. Never throws. */
  handle(data: Buffer, from: Remote): void {
    const started = process.hrtime.bigint();
    try {
      if (!this.gate.admitPacket(from)) return; // ban, packet cap
      const msg = this.gate.parse(data, from);
      if (msg === undefined) return;
      if (msg.kind === 'response') {
        this.responses.run(msg);
        return;
      }
      const ctx = new RequestContext(msg, from, started);
      // Every stage is synchronous (shared-memory state, src/state/): no promise per request.
      try {
        this.route(ctx);
        this.d.metrics.observeLatency(Number(process.hrtime.bigint() - ctx.started) / 1e9);
      } catch (err) {
        this.internalError(ctx, err);
      }
    } catch (err) {
      this.d.log.error({ err: errMessage(err), source: from.address }, 'sip edge: unexpected error');
    }
  }

  /** The request route: every request passes these stages in this order until one stops it. */
  private route(ctx: RequestContext): void {
    if (!this.gate.check(ctx)) return; // RFC 3261 §16.3 validation, loop detection
    if (!this.retransmission.run(ctx)) return;
    const method = ctx.req.method;
    if (method === 'ACK') {
      this.inDialog.ack(ctx);
      return;
    }
    if (method === 'CANCEL') {
      this.inDialog.cancel(ctx);
      return;
    }
    if (ctx.inDialog) {
      this.inDialog.request(ctx);
      return;
    }
    if (!this.admission.run(ctx)) return; // target by Request-URI, enabled, TLS, IP ACL
    if (!this.digest.run(ctx)) return;
    if (this.cps.applies(ctx) && !this.cps.run(ctx)) return;
    if (method === 'REGISTER') {
      this.registrar.run(ctx);
      return;
    }
    if (method === 'OPTIONS' && ctx.ruri?.user === undefined) {
      this.responder.options(ctx);
      return;
    }
    this.forwarder.run(ctx);
  }

  private internalError(ctx: RequestContext, err: unknown): void {
    const { req, from } = ctx;
    this.d.log.error(
      { err: errMessage(err), source: from.address, method: req.method },
      'sip edge: request failed',
    );
    this.d.metrics.outcome('state_unavailable', from.transport);
    if (req.method !== 'ACK')
      this.responder.respond(req, from, 500, 'Server Internal Error', [['Retry-After', '5']]);
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
