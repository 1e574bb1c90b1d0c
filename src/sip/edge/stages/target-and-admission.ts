// Target and admission: the Request-URI names the trunk (`{trunk_id}.{sip_domain}`) or the
// application (`sip:{app_id}@{sip_domain}`); that target must exist, be enabled, not require TLS
// (the edge has no TLS transport yet) and, when it has an ACL, admit the source address.
// OPTIONS pings to the edge itself are answered here for sources some ACL admits.
import { normalizeSourceAddress } from '../../../domain/address/index.ts';
import { getRequestUri, type SipUri } from '../../parser/uri.ts';
import type { AdmissionTarget, PolicySnapshot } from '../admission-policy.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import type { RequestContext } from './request-context.ts';
import { ALLOW, type Responder } from './responder.ts';

const ACCEPT_SDP = ['Accept', 'application/sdp'] as const;

export class TargetAndAdmission {
  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly responder: Responder,
  ) {}

  /** Sets ctx.ruri, source, policy and target; false when the request has been answered. */
  run(ctx: RequestContext): boolean {
    const { req } = ctx;
    const ruri = getRequestUri(req);
    if (!ruri.ok || ruri.value.kind !== 'sip') {
      this.responder.finalRefusal(ctx, 'not_found', 404, 'Not Found', 'request-uri is not a SIP URI');
      return false;
    }
    const uri = ruri.value;
    ctx.ruri = uri;
    const policy = this.d.policy();
    ctx.policy = policy;
    const target = this.findTarget(policy, uri);
    const source = normalizeSourceAddress(ctx.from.address);
    if (source === null) return false; // not an IP address: cannot come from a socket
    ctx.source = source;
    if (target === undefined) {
      if (req.method === 'OPTIONS' && uri.user === undefined && this.isUs(uri)) {
        // Keep-alive pings to the edge itself: answered for sources some ACL admits.
        if (policy.admittedAnywhere(source)) {
          this.d.metrics.outcome('options', ctx.from.transport);
          this.responder.respondCached(ctx, 200, 'OK', [ALLOW, ACCEPT_SDP]);
        } else {
          this.responder.finalRefusal(ctx, 'acl_refused', 403, 'Forbidden', 'source not in any ACL');
        }
        return false;
      }
      this.responder.finalRefusal(
        ctx,
        'not_found',
        404,
        'Not Found',
        `no trunk or application for ${uri.host}`,
      );
      return false;
    }
    if (!target.enabled) {
      this.responder.finalRefusal(
        ctx,
        'disabled',
        403,
        'Forbidden',
        `${target.kind} ${target.id} is disabled`,
      );
      return false;
    }
    // The edge has no TLS transport yet, so a trunk marked secure admits nothing rather than
    // accepting its calls in the clear.
    if (target.secure) {
      this.responder.finalRefusal(
        ctx,
        'disabled',
        403,
        'Forbidden',
        `${target.kind} ${target.id} requires TLS`,
      );
      return false;
    }
    if (target.acl !== null && !target.acl.contains(source)) {
      this.responder.finalRefusal(
        ctx,
        'acl_refused',
        403,
        'Forbidden',
        `source not in the ${target.kind}'s ACL`,
      );
      return false;
    }
    ctx.target = target;
    return true;
  }

  private isUs(uri: SipUri): boolean {
    const host = uri.host.toLowerCase();
    return host === this.d.identity.sipDomain || host === this.d.identity.host;
  }

  /** `{trunk_id}.{sip_domain}` → trunk; `sip:{app_id}@{sip_domain}` → application. */
  private findTarget(policy: PolicySnapshot, uri: SipUri): AdmissionTarget | undefined {
    const host = uri.host.toLowerCase();
    const domain = this.d.identity.sipDomain;
    if (host.length > domain.length + 1 && host.endsWith(`.${domain}`)) return policy.trunkByDomain(host);
    if (host === domain && uri.user !== undefined) return policy.application(uri.user);
    return undefined;
  }
}
