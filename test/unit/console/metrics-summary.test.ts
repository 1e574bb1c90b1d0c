// The overview's summary of SIP outcomes from /metrics samples (console/src/metrics-summary.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import {
  addSample,
  outcomeGroup,
  parseOutcomeCounter,
  summarize,
} from '../../../console/src/metrics-summary.ts';
import { createEdgeMetrics, OUTCOMES } from '../../../src/sip/edge/edge-metrics.ts';

async function exposition(counts: Partial<Record<(typeof OUTCOMES)[number], number>>): Promise<string> {
  const registry = new Registry();
  const m = createEdgeMetrics(registry);
  for (const [o, n] of Object.entries(counts)) {
    for (let i = 0; i < (n ?? 0); i++) m.outcome(o as (typeof OUTCOMES)[number], i % 2 === 0 ? 'udp' : 'tcp');
  }
  return registry.metrics();
}

test('reads the edge exposition per outcome, summed over transports', async () => {
  const totals = parseOutcomeCounter(await exposition({ admitted: 3, acl_refused: 2 }));
  assert.equal(totals.get('admitted'), 3);
  assert.equal(totals.get('acl_refused'), 2);
  assert.equal(totals.get('bad_digest'), 0);
  assert.equal(totals.size, OUTCOMES.length);
});

test('every outcome of the edge falls in a group; admitted ones are admitted', () => {
  for (const o of OUTCOMES)
    assert.ok(['admitted', 'challenged', 'refused', 'other'].includes(outcomeGroup(o)));
  assert.equal(outcomeGroup('admitted'), 'admitted');
  assert.equal(outcomeGroup('registered'), 'admitted');
  assert.equal(outcomeGroup('challenged'), 'challenged');
  assert.equal(outcomeGroup('banned'), 'refused');
  assert.equal(outcomeGroup('cps_refused'), 'refused');
});

test('recent counts are the growth inside the window; older samples are dropped', async () => {
  const window = 300_000;
  let samples = addSample(
    [],
    { at: 0, totals: parseOutcomeCounter(await exposition({ admitted: 5 })) },
    window,
  );
  samples = addSample(
    samples,
    { at: 200_000, totals: parseOutcomeCounter(await exposition({ admitted: 8, bad_digest: 1 })) },
    window,
  );
  let s = summarize(samples);
  assert.equal(s.coveredMs, 200_000);
  assert.equal(s.rows.find((r) => r.outcome === 'admitted')?.recent, 3);
  assert.equal(s.rows.find((r) => r.outcome === 'admitted')?.total, 8);
  assert.deepEqual(s.recentByGroup, { admitted: 3, challenged: 0, refused: 1, other: 0 });

  // 600 s: the sample at 0 is out of the window; the one at 200 s is before its start and stays as the base.
  samples = addSample(
    samples,
    { at: 600_000, totals: parseOutcomeCounter(await exposition({ admitted: 10, bad_digest: 4 })) },
    window,
  );
  s = summarize(samples);
  assert.equal(samples.length, 2);
  assert.equal(s.rows.find((r) => r.outcome === 'admitted')?.recent, 2);
  assert.equal(s.rows.find((r) => r.outcome === 'bad_digest')?.recent, 3);
});

test('a restarted edge (smaller totals) counts what it has as recent', () => {
  const s = summarize([
    { at: 0, totals: new Map([['admitted', 50]]) },
    { at: 10_000, totals: new Map([['admitted', 4]]) },
  ]);
  assert.equal(s.rows[0]?.recent, 4);
});
