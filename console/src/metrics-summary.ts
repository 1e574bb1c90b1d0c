// The overview's "last minutes" of SIP outcomes, from GET /metrics (Prometheus text format).
// The counters there are totals since the edge started, so the console samples them while the page
// is open and shows, per outcome, the growth between the oldest sample inside the window and now.

/** How the outcomes of src/sip/edge/edge-metrics.ts read to a person. */
const GROUPS: Record<string, 'admitted' | 'challenged' | 'refused' | 'other'> = {
  admitted: 'admitted',
  registered: 'admitted',
  options: 'admitted',
  in_dialog_relayed: 'admitted',
  challenged: 'challenged',
  stale: 'challenged',
  retransmission: 'other',
};

export type OutcomeGroup = 'admitted' | 'challenged' | 'refused' | 'other';

export function outcomeGroup(outcome: string): OutcomeGroup {
  return GROUPS[outcome] ?? 'refused';
}

export interface MetricsSample {
  at: number;
  /** outcome → total since the edge started, summed over transports */
  totals: Map<string, number>;
}

const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The per-outcome totals of one counter in an exposition, summed over its other labels. */
export function parseOutcomeCounter(
  text: string,
  metric = 'trunkgate_sip_requests_total',
): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE_RE.exec(line);
    if (m === null || m[1] !== metric) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    let outcome = '';
    for (const l of (m[2] ?? '').matchAll(LABEL_RE)) if (l[1] === 'outcome') outcome = l[2] ?? '';
    if (outcome === '') continue;
    totals.set(outcome, (totals.get(outcome) ?? 0) + value);
  }
  return totals;
}

/** Adds a sample and drops those older than the window, keeping one at or before its start. */
export function addSample(
  samples: readonly MetricsSample[],
  sample: MetricsSample,
  windowMs: number,
): MetricsSample[] {
  const all = [...samples, sample];
  const start = sample.at - windowMs;
  let first = 0;
  while (first + 1 < all.length && (all[first + 1]?.at ?? 0) <= start) first++;
  return all.slice(first);
}

export interface OutcomeRow {
  outcome: string;
  group: OutcomeGroup;
  /** since the edge started */
  total: number;
  /** within the sampled window */
  recent: number;
}

export interface MetricsSummary {
  rows: OutcomeRow[];
  /** how long the window really covers (shorter until the page has been open that long) */
  coveredMs: number;
  recentByGroup: Record<OutcomeGroup, number>;
}

export function summarize(samples: readonly MetricsSample[]): MetricsSummary {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const recentByGroup: Record<OutcomeGroup, number> = { admitted: 0, challenged: 0, refused: 0, other: 0 };
  if (first === undefined || last === undefined) return { rows: [], coveredMs: 0, recentByGroup };
  const rows: OutcomeRow[] = [];
  for (const [outcome, total] of last.totals) {
    const before = first.totals.get(outcome) ?? 0;
    // A smaller total means the edge restarted in between: everything counted is recent.
    const recent = total >= before ? total - before : total;
    const group = outcomeGroup(outcome);
    recentByGroup[group] += recent;
    rows.push({ outcome, group, total, recent });
  }
  rows.sort((a, b) => b.recent - a.recent || b.total - a.total || a.outcome.localeCompare(b.outcome));
  return { rows, coveredMs: last.at - first.at, recentByGroup };
}
