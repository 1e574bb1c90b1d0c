// Response relay (RFC 3261 §16.7): a response carrying our branch in its top Via goes back by
// Via — ours is popped and the response is sent to the next Via's received/rport (RFC 3581 §4).
// Responses that are not ours are dropped (§16.7 step 3). A TCP caller whose connection is gone
// is reached at its Via sent-by port (RFC 3261 §18.2.2).

import { validateResponseForProxy } from '../../parser/request-validation.ts';
import { serializeResponse } from '../../parser/serialize.ts';
import type { SipResponse } from '../../parser/sip-message.ts';
import { getVias } from '../../parser/via.ts';
import { rewriteVias } from '../forwarding-headers.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import { isOurBranch } from '../via-branch.ts';

export class ResponseRelay {
  constructor(private readonly d: RequestHandlerDeps) {}

  run(res: SipResponse): void {
    if (!validateResponseForProxy(res).ok) return;
    const vias = getVias(res);
    if (!vias.ok || vias.value.length < 2) return;
    const ours = vias.value[0]!;
    if (!isOurBranch(ours.branch)) return;
    const next = vias.value[1]!;
    const rest: string[] = [];
    for (let i = 1; i < vias.value.length; i++) rest.push(vias.value[i]!.raw);
    rewriteVias(res, rest);
    const host = next.received ?? next.host;
    const sentByPort = next.port ?? 5060;
    let port = typeof next.rport === 'number' ? next.rport : sentByPort;
    const transport = next.transport === 'TCP' ? 'tcp' : 'udp';
    // RFC 3261 §18.2.2: over TCP the response goes on the connection the request came on; when that
    // connection is gone, to the received address and the sent-by port (where the caller listens).
    if (transport === 'tcp' && port !== sentByPort && this.d.tcpConnected?.(host, port) === false)
      port = sentByPort;
    this.d.metrics.responsesRelayed();
    this.d.sendTo(serializeResponse(res), host, port, transport);
  }
}
