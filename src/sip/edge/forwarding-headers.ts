// The header edits a proxy makes to every request it relays (RFC 3261 §16.6): Max-Forwards
// decremented, its own Via pushed over the caller's (with received/rport, RFC 3581 §4), and
// identity headers only the edge may set removed from what the caller sent.
import { type SipHeader, SipHeaders } from '../parser/sip-headers.ts';
import type { SipRequest, SipResponse } from '../parser/sip-message.ts';
import type { Via } from '../parser/via.ts';
import type { Remote } from '../transport/remote.ts';
import type { EdgeIdentity } from './request-handler-deps.ts';
import { forwardBranch } from './via-branch.ts';
import { relayedCallerVia } from './via-received.ts';

const IDENTITY_PREFIX = 'x-trunkgate-';

/** Identity comes only from us: whatever X-Trunkgate-* the caller sent is removed first. */
export function stripCallerIdentity(req: SipRequest): void {
  for (const hdr of [...req.headers.list()])
    if (hdr.name.toLowerCase().startsWith(IDENTITY_PREFIX)) req.headers.delete(hdr.name);
}

/** RFC 3261 §16.6 step 3: one less than received, 70 when absent (§8.1.1.6). */
export function decrementMaxForwards(req: SipRequest): void {
  const value = req.headers.get('max-forwards');
  const n = value === undefined ? 70 : Number(value);
  req.headers.set('Max-Forwards', String(Number.isFinite(n) ? Math.max(0, n - 1) : 69));
}

/** Rewrites the caller's Via with received/rport (so responses find their way back, RFC 3581) and adds ours. */
export function pushVia(
  req: SipRequest,
  vias: readonly Via[],
  from: Remote,
  identity: EdgeIdentity,
  branchKey: Buffer,
  transport: 'udp' | 'tcp',
): void {
  const topVia = vias[0]!;
  const callerVia = relayedCallerVia(topVia, from);
  const branch = forwardBranch(
    branchKey,
    topVia.branch ?? '',
    `${topVia.host}:${topVia.port ?? ''}`,
    `${from.address}:${from.port}`,
  );
  const ourHost = identity.host.includes(':') ? `[${identity.host}]` : identity.host;
  const out = [`SIP/2.0/${transport.toUpperCase()} ${ourHost}:${identity.port};branch=${branch}`, callerVia];
  for (let i = 1; i < vias.length; i++) out.push(vias[i]!.raw);
  rewriteVias(req, out);
}

/** Replaces the Via fields with `vias`, one field each, where the first Via stood (order kept). */
export function rewriteVias(msg: SipRequest | SipResponse, vias: readonly string[]): void {
  const fields: SipHeader[] = [];
  let placed = false;
  for (const hh of msg.headers.list()) {
    if (hh.name !== 'Via') {
      fields.push(hh);
      continue;
    }
    if (placed) continue;
    placed = true;
    for (const v of vias) fields.push(SipHeaders.field('Via', v));
  }
  msg.headers = new SipHeaders(fields);
}
