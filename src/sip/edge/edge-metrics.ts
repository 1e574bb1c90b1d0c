// Prometheus counters for the SIP edge. Outcome labels never separate "unknown user" from "bad
// digest" (a caller could otherwise probe which usernames exist): both count as bad_digest.
import { Counter, Histogram, type Registry } from 'prom-client';

export const OUTCOMES = [
  'admitted',
  'challenged',
  'bad_digest',
  'replay',
  'stale',
  'acl_refused',
  'banned',
  'cps_refused',
  'rate_capped',
  'parse_error',
  'not_found',
  'disabled',
  'invalid_request',
  'retransmission',
  'in_dialog_relayed',
  'in_dialog_refused',
  'registered',
  'options',
  'state_unavailable',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface EdgeMetrics {
  outcome(o: Outcome, transport: 'udp' | 'tcp'): void;
  observeLatency(seconds: number): void;
  responsesRelayed(): void;
  /** Bytes for a TCP connection handed to the thread that owns it (tcp-handoff.ts). */
  tcpHandoff(): void;
}

export function createEdgeMetrics(registry: Registry): EdgeMetrics {
  const requests = new Counter({
    name: 'trunkgate_sip_requests_total',
    help: 'SIP requests handled by the edge, by outcome',
    labelNames: ['outcome', 'transport'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'trunkgate_sip_request_duration_seconds',
    help: 'Time from receiving a SIP request to answering or forwarding it',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  const relayed = new Counter({
    name: 'trunkgate_sip_responses_relayed_total',
    help: 'SIP responses relayed back by Via',
    registers: [registry],
  });
  const handoffs = new Counter({
    name: 'trunkgate_sip_tcp_handoffs_total',
    help: 'SIP messages for a TCP connection handed to the edge thread that owns it',
    registers: [registry],
  });
  // Pre-create every series so a dashboard sees zeros rather than gaps, and keep the children:
  // labels() hashes its arguments on every call, which is wasted work on the hot path.
  const children = new Map<string, { inc(): void }>();
  for (const o of OUTCOMES)
    for (const t of ['udp', 'tcp'] as const) {
      const child = requests.labels(o, t);
      child.inc(0);
      children.set(`${o}|${t}`, child);
    }
  return {
    outcome: (o, t) => children.get(`${o}|${t}`)?.inc(),
    observeLatency: (s) => latency.observe(s),
    responsesRelayed: () => relayed.inc(),
    tcpHandoff: () => handoffs.inc(),
  };
}
