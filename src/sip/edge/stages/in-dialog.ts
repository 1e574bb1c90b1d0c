// In-dialog (Kamailio's WITHINDLG): ACK, CANCEL and requests with a To tag never reach the
// target/digest stages. They are relayed only along a route the edge itself recorded (loose
// routing, RFC 3261 §16.4, HMAC-checked by record-route.ts), and a CANCEL only after its INVITE
// (§16.10).
import { getFrom, getRoutes } from '../../parser/name-addr.ts';
import { serializeRequest } from '../../parser/serialize.ts';
import { getRequestUri } from '../../parser/uri.ts';
import { decrementMaxForwards, pushVia, stripCallerIdentity } from '../forwarding-headers.ts';
import { type OurRealm, ourRealm, removeOurCredentials } from '../our-credentials.ts';
import { verifyDialogMac } from '../record-route.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import { TransactionCache } from '../transaction-cache.ts';
import type { RequestContext } from './request-context.ts';
import type { Responder } from './responder.ts';

export class InDialog {
  private readonly realm: OurRealm;

  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly tx: TransactionCache,
    private readonly responder: Responder,
    private readonly now: () => number,
  ) {
    this.realm = ourRealm(d);
  }

  /** An ACK for our own non-2xx final response is absorbed (§17.2.1); 2xx ACKs are in-dialog. */
  ack(ctx: RequestContext): void {
    if (ctx.inDialog && this.routedByUs(ctx)) this.relay(ctx);
  }

  /** A request with a To tag: relayed along our route, else 481. */
  request(ctx: RequestContext): void {
    if (this.routedByUs(ctx)) {
      this.relay(ctx);
      return;
    }
    this.d.metrics.outcome('in_dialog_refused', ctx.from.transport);
    this.responder.refusalLog(ctx.from, 'in_dialog_refused', 'no Route of ours', ctx.req);
    this.responder.respond(ctx.req, ctx.from, 481, 'Call/Transaction Does Not Exist');
  }

  /** CANCEL follows its INVITE (§16.10): forwarded when the INVITE with the same branch was. */
  async cancel(ctx: RequestContext): Promise<void> {
    const { req, from } = ctx;
    const inviteKey = TransactionCache.key(ctx.topVia?.branch ?? '', 'INVITE', from.address, from.port);
    const cached = this.tx.get(inviteKey, this.now());
    let invite: { host: string; port: number; transport: 'udp' | 'tcp' } | undefined =
      cached?.kind === 'forwarded' ? cached : undefined;
    // Cluster workers share the port, so the INVITE may have been admitted by another worker (or
    // node): the shared state knows, and it went to the one configured upstream.
    if (invite === undefined && this.d.upstream !== undefined && (await this.d.state.wasAccepted(inviteKey)))
      invite = this.d.upstream;
    if (invite === undefined) {
      this.responder.respond(req, from, 481, 'Call/Transaction Does Not Exist');
      return;
    }
    decrementMaxForwards(req);
    stripCallerIdentity(req);
    removeOurCredentials(req, 'Proxy-Authorization', this.realm, this.now());
    pushVia(req, ctx.vias, from, this.d.identity, this.d.keys.branch, invite.transport);
    this.d.sendTo(serializeRequest(req), invite.host, invite.port, invite.transport);
  }

  /** §16.4 loose routing: the top Route is ours (HMAC-checked) — remove it and forward. */
  private routedByUs(ctx: RequestContext): boolean {
    const routes = getRoutes(ctx.req);
    if (!routes.ok || routes.value.length === 0) return false;
    const top = routes.value[0]!;
    if (top.uri.kind !== 'sip') return false;
    const mac = top.uri.params.get('tg');
    if (mac === undefined || mac === null) return false;
    const from = getFrom(ctx.req);
    const callId = ctx.req.headers.get('call-id') ?? '';
    return verifyDialogMac(this.d.keys.recordRoute, mac, callId, [
      from.ok ? from.value.tag : undefined,
      ctx.to?.tag,
    ]);
  }

  /**
   * Pops our Route — both of them when we recorded two (RFC 5658 §3.2, the caller and the callee
   * reached us by different transports or address families) — and sends the request on by the
   * transport our last Route names unless the next hop names its own.
   */
  private relay(ctx: RequestContext): void {
    const { req, from } = ctx;
    const routes = getRoutes(req);
    if (!routes.ok) return;
    const top = routes.value[0]!;
    let ours = top;
    let skip = 1;
    const second = routes.value[1];
    // The second of a double Record-Route carries the same dialog MAC as the first (forwarder.ts).
    if (second !== undefined && second.uri.kind === 'sip' && top.uri.kind === 'sip') {
      const mac = second.uri.params.get('tg');
      if (mac !== undefined && mac !== null && mac === top.uri.params.get('tg')) {
        ours = second;
        skip = 2;
      }
    }
    const remaining = routes.value.slice(skip);
    req.headers.delete('Route');
    for (const r of remaining) req.headers.append('Route', r.raw);
    const ruri = getRequestUri(req);
    const next = remaining[0]?.uri ?? (ruri.ok ? ruri.value : undefined);
    if (next === undefined || next.kind !== 'sip') {
      if (req.method !== 'ACK') this.responder.respond(req, from, 404, 'Not Found');
      return;
    }
    decrementMaxForwards(req);
    stripCallerIdentity(req);
    // §22.3: credentials for our realm end here, in a dialog as on the initial request.
    removeOurCredentials(req, 'Proxy-Authorization', this.realm, this.now());
    const named =
      next.params.get('transport') ??
      (ours.uri.kind === 'sip' ? ours.uri.params.get('transport') : undefined);
    const transport: 'udp' | 'tcp' = named?.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
    pushVia(req, ctx.vias, from, this.d.identity, this.d.keys.branch, transport);
    this.d.metrics.outcome('in_dialog_relayed', from.transport);
    const maddr = next.params.get('maddr');
    this.d.sendTo(serializeRequest(req), unbracket(maddr ?? next.host), next.port ?? 5060, transport);
  }
}

/** A URI's IPv6 reference (`[2001:db8::1]`) as the socket wants it. */
function unbracket(host: string): string {
  return host.charCodeAt(0) === 91 /* [ */ ? host.slice(1, -1) : host;
}
