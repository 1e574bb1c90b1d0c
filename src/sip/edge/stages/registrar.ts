// Registrar (RFC 3261 §10.3): an admitted REGISTER is answered here; its bindings are kept with
// their expiry in the shared state and every current binding is listed in the 200.

import { getContacts } from '../../parser/name-addr.ts';
import type { HeaderInput } from '../../parser/serialize.ts';
import type { AdmissionTarget } from '../admission-policy.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import type { RequestContext } from './request-context.ts';
import { type Responder, SERVER_HEADER } from './responder.ts';

const MAX_REGISTER_EXPIRES = 3600;
const DEFAULT_REGISTER_EXPIRES = 3600;

export class Registrar {
  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly responder: Responder,
  ) {}

  run(ctx: RequestContext): void {
    const { req } = ctx;
    const target = ctx.target as AdmissionTarget;
    const toUri = ctx.to?.uri;
    const aor = toUri?.kind === 'sip' ? `${toUri.user ?? ''}@${toUri.host}`.toLowerCase() : '';
    const key = `${target.id}|${aor}`;
    const contacts = getContacts(req);
    const expiresHeader = req.headers.get('expires');
    const defaultExpires = clampExpires(
      expiresHeader === undefined ? DEFAULT_REGISTER_EXPIRES : Number(expiresHeader),
    );
    if (contacts.ok && !contacts.value.star) {
      for (const c of contacts.value.contacts) {
        const e = c.params.get('expires');
        const expires = e === undefined || e === null ? defaultExpires : clampExpires(Number(e));
        this.d.state.setBinding(key, c.uri.raw, expires);
      }
    } else if (contacts.ok && contacts.value.star) {
      // §10.3 step 6: `Contact: *` removes every binding of the AOR.
      for (const b of this.d.state.getBindings(key)) this.d.state.setBinding(key, b.contact, 0);
    }
    const bindings = this.d.state.getBindings(key);
    const extra: HeaderInput[] = bindings.map((b) => [
      'Contact',
      `<${b.contact}>;expires=${b.expiresInSeconds}`,
    ]);
    extra.push(SERVER_HEADER);
    this.d.metrics.outcome('registered', ctx.from.transport);
    this.responder.respondCached(ctx, 200, 'OK', extra);
  }
}

function clampExpires(n: number): number {
  if (!Number.isFinite(n) || n < 0) return DEFAULT_REGISTER_EXPIRES;
  return Math.min(Math.floor(n), MAX_REGISTER_EXPIRES);
}
