// CPS: a target's `cps_limit` caps new calls (INVITEs) per second; over it the caller gets 503
// with Retry-After (RFC 3261 §21.5.4) and the call goes no further.
import type { AdmissionTarget } from '../admission-policy.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import type { RequestContext } from './request-context.ts';
import type { Responder } from './responder.ts';

export class Cps {
  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly responder: Responder,
  ) {}

  /** Whether this stage applies: an INVITE to a target with a limit. */
  applies(ctx: RequestContext): boolean {
    return ctx.req.method === 'INVITE' && ctx.target !== undefined && ctx.target.cpsLimit !== null;
  }

  /** False when the call is over the limit and has been answered 503. */
  run(ctx: RequestContext): boolean {
    const target = ctx.target as AdmissionTarget;
    const limit = target.cpsLimit as number;
    const r = this.d.state.takeCps(`${target.kind}:${target.id}`, limit);
    if (r.allowed) return true;
    this.d.metrics.outcome('cps_refused', ctx.from.transport);
    this.responder.refusalLog(
      ctx.from,
      'cps_refused',
      `${target.kind} ${target.id} over ${limit} calls/s`,
      ctx.req,
    );
    this.responder.respondCached(ctx, 503, 'Service Unavailable', [
      ['Retry-After', String(Math.max(1, r.retryAfterSeconds))],
    ]);
    return false;
  }
}
