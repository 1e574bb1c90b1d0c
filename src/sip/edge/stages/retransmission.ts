// Retransmission (RFC 3261 §17.2, §16.11): a request whose transaction was already answered or
// forwarded gets the same answer again, or is forwarded again, without a second evaluation.
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import type { TransactionCache } from '../transaction-cache.ts';
import type { RequestContext } from './request-context.ts';

export class Retransmission {
  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly tx: TransactionCache,
    private readonly now: () => number,
  ) {}

  /** False when the request was a retransmission and has been dealt with. */
  run(ctx: RequestContext): boolean {
    const cached = this.tx.get(ctx.txKey, this.now());
    if (cached === undefined) return true;
    this.d.metrics.outcome('retransmission', ctx.from.transport);
    if (cached.kind === 'response') this.d.reply(cached.data, ctx.from);
    else this.d.sendTo(cached.data, cached.host, cached.port, cached.transport);
    return false;
  }
}
