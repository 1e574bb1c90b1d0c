// Helpers for the RFC 3261 §17 transaction tests: SIP messages parsed by the real parser, and a
// transport that records what a transaction sends and can fail on demand (the real-socket behaviour
// is covered by test/unit/sip/transaction/sipp-invite-client.test.ts).
import { parseMessage } from '../../src/sip/parser/parse-message.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/parser/sip-message.ts';
import type { TransactionTransport } from '../../src/sip/transaction/transaction-transport.ts';

export function parse(text: string): SipMessage {
  const r = parseMessage(Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8'), { transport: 'udp' });
  if (r.kind !== 'ok')
    throw new Error(`test message does not parse: ${r.kind === 'error' ? r.reason : r.kind}`);
  return r.message;
}

export function parseBytes(bytes: Buffer): SipMessage {
  const r = parseMessage(bytes, { transport: 'udp' });
  if (r.kind !== 'ok') throw new Error(`sent bytes do not parse: ${r.kind === 'error' ? r.reason : r.kind}`);
  return r.message;
}

export interface RequestOptions {
  method?: string;
  branch?: string;
  sentBy?: string;
  cseq?: number;
  toTag?: string;
  transport?: string;
  route?: string;
  uri?: string;
}

export function request(o: RequestOptions = {}): SipRequest {
  const method = o.method ?? 'INVITE';
  const uri = o.uri ?? 'sip:+15551234567@pbx.example.com';
  const route = o.route === undefined ? '' : `Route: ${o.route}\n`;
  const msg = parse(
    `${method} ${uri} SIP/2.0
Via: SIP/2.0/${o.transport ?? 'UDP'} ${o.sentBy ?? '192.0.2.10:5060'};branch=${o.branch ?? 'z9hG4bKtest1'};rport
Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKupstream
Max-Forwards: 69
${route}From: <sip:platform@example.net>;tag=from1
To: <sip:+15551234567@pbx.example.com>${o.toTag === undefined ? '' : `;tag=${o.toTag}`}
Call-ID: call-1@example.net
CSeq: ${o.cseq ?? 1} ${method}
Timestamp: 54
Content-Length: 0

`,
  );
  if (msg.kind !== 'request') throw new Error('not a request');
  return msg;
}

/** A response to `req` as the next hop would send it (its Via list, To with a tag for > 100). */
export function response(req: SipRequest, status: number, reason = 'Reason'): SipResponse {
  let head = `SIP/2.0 ${status} ${reason}\n`;
  for (const v of req.headers.getAll('via')) head += `Via: ${v}\n`;
  const to = req.headers.get('to') ?? '';
  head += `From: ${req.headers.get('from')}\nTo: ${status > 100 && !to.includes('tag=') ? `${to};tag=pbx9` : to}\n`;
  head += `Call-ID: ${req.headers.get('call-id')}\nCSeq: ${req.headers.get('cseq')}\nContent-Length: 0\n\n`;
  const msg = parse(head);
  if (msg.kind !== 'response') throw new Error('not a response');
  return msg;
}

/** Records every send; `failNextSend` makes send throw once; `emitError` plays an asynchronous failure. */
export class RecordingTransport implements TransactionTransport {
  readonly sent: Buffer[] = [];
  failNextSend = false;
  readonly #listeners = new Set<(error: Error) => void>();

  constructor(readonly reliable: boolean) {}

  send(bytes: Buffer): void {
    if (this.failNextSend) {
      this.failNextSend = false;
      throw new Error('send failed');
    }
    this.sent.push(bytes);
  }

  onError(listener: (error: Error) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  emitError(error = new Error('ICMP port unreachable')): void {
    for (const l of [...this.#listeners]) l(error);
  }

  /** The start lines of everything sent, e.g. `INVITE sip:…` or `SIP/2.0 100 Trying`. */
  startLines(): string[] {
    return this.sent.map((b) => b.toString('utf8').split('\r\n', 1)[0]!);
  }
}

/** A client TU that records what its transaction reports. */
export class RecordingClientUser {
  readonly responses: SipResponse[] = [];
  timeouts = 0;
  readonly errors: Error[] = [];
  receiveResponse(r: SipResponse): void {
    this.responses.push(r);
  }
  timeout(): void {
    this.timeouts++;
  }
  transportError(e: Error): void {
    this.errors.push(e);
  }
}

export class RecordingServerUser {
  timeouts = 0;
  readonly errors: Error[] = [];
  timeout(): void {
    this.timeouts++;
  }
  transportError(e: Error): void {
    this.errors.push(e);
  }
}
