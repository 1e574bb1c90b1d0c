// Forwarder (Kamailio's RELAY): an admitted request goes statelessly to the configured upstream
// (RFC 3261 §16.6, §16.11) with our Via, a Record-Route for dialog-creating methods, our realm's
// credentials consumed (§22.3) and the X-Trunkgate-* identity headers the upstream trusts.
import { isIPv4 } from 'node:net';
import { getFrom } from '../../parser/name-addr.ts';
import { serializeRequest } from '../../parser/serialize.ts';
import type { AdmissionTarget } from '../admission-policy.ts';
import { decrementMaxForwards, pushVia, stripCallerIdentity } from '../forwarding-headers.ts';
import { type OurRealm, ourRealm, removeOurCredentials } from '../our-credentials.ts';
import { dialogMac } from '../record-route.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import type { TransactionCache } from '../transaction-cache.ts';
import type { RequestContext } from './request-context.ts';
import type { Responder } from './responder.ts';

export class Forwarder {
  private readonly realm: OurRealm;

  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly tx: TransactionCache,
    private readonly responder: Responder,
    private readonly now: () => number,
  ) {
    this.realm = ourRealm(d);
  }

  run(ctx: RequestContext): void {
    const { req, from } = ctx;
    const target = ctx.target as AdmissionTarget;
    const upstream = this.d.upstream;
    if (upstream === undefined) {
      this.responder.finalRefusal(
        ctx,
        'not_found',
        503,
        'Service Unavailable',
        'no upstream configured (TRUNKGATE_UPSTREAM)',
      );
      return;
    }
    const h = req.headers;
    stripCallerIdentity(req);
    // Our realm's credentials are consumed here (§22.3); others pass through.
    removeOurCredentials(req, 'Proxy-Authorization', this.realm, this.now());
    decrementMaxForwards(req);
    if (
      req.method === 'INVITE' ||
      req.method === 'SUBSCRIBE' ||
      req.method === 'REFER' ||
      req.method === 'NOTIFY'
    ) {
      const fromHeader = getFrom(req);
      const mac = dialogMac(
        this.d.keys.recordRoute,
        h.get('call-id') ?? '',
        fromHeader.ok ? (fromHeader.value.tag ?? '') : '',
      );
      // RFC 5658 §3.2: when the two sides reach us by different transports (or address families),
      // record two routes — the lower one faces the caller, the top one the upstream — so an
      // in-dialog request from either side leaves by the other side's transport.
      if (from.transport !== upstream.transport || !sameFamily(from.address, upstream.host))
        h.prepend('Record-Route', this.recordRoute(mac, from.transport, from.address));
      h.prepend('Record-Route', this.recordRoute(mac, upstream.transport, upstream.host));
    }
    h.append('X-Trunkgate-Account', target.accountAuthId);
    h.append(target.kind === 'trunk' ? 'X-Trunkgate-Trunk' : 'X-Trunkgate-Application', target.id);
    h.append('X-Trunkgate-Auth', ctx.auth);
    if (ctx.credentialUuid !== null) h.append('X-Trunkgate-Credential', ctx.credentialUuid);
    pushVia(req, ctx.vias, from, this.d.identity, this.d.keys.branch, upstream.transport);
    const data = serializeRequest(req);
    this.tx.set(
      ctx.txKey,
      { kind: 'forwarded', data, host: upstream.host, port: upstream.port, transport: upstream.transport },
      this.now(),
    );
    // A CANCEL for this INVITE may reach another worker or node (in-dialog.ts); digest-admitted
    // requests were already remembered by the digest stage.
    if (req.method === 'INVITE' && ctx.credentialUuid === null) this.d.state.rememberAccepted(ctx.txKey);
    this.d.metrics.outcome('admitted', from.transport);
    this.d.sendTo(data, upstream.host, upstream.port, upstream.transport);
  }

  /** Our Record-Route as the peer at `peer` must reach it (its address family, its transport). */
  private recordRoute(mac: string, transport: 'udp' | 'tcp', peer: string): string {
    const { host, hostIpv6, port } = this.d.identity;
    const named = hostIpv6 !== undefined && peer.includes(':') && isIPv4(host) ? hostIpv6 : host;
    const h = named.includes(':') ? `[${named}]` : named;
    return `<sip:${h}:${port};transport=${transport};lr;tg=${mac}>`;
  }
}

function sameFamily(a: string, b: string): boolean {
  return a.includes(':') === b.includes(':');
}
