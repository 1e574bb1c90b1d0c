import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CpsSettings } from '../../../src/domain/cps.ts';
import { effectiveCpsLimit } from '../../../src/domain/cps.ts';
import { CpsPacer, type PacedCall, type Refusal } from '../../../src/domain/cps-pacer.ts';

function cred(
  id: string,
  cpsLimit: number | null,
  cpsKey: string | null = null,
  orgId = 'MAORG',
): CpsSettings {
  return { id, orgId, cpsLimit, cpsKey };
}

function call(callId: string, credential: CpsSettings, group: CpsSettings[] = []): PacedCall {
  return { callId, credential, limit: effectiveCpsLimit(credential, group) };
}

interface Run {
  sent: { callId: string; at: number }[];
  refused: Refusal<PacedCall>[];
}

/** Enqueues every call at `at` (ms), then drives the pacer with a fake clock until it is idle. */
function drive(pacer: CpsPacer, arrivals: { at: number; call: PacedCall }[]): Run {
  const run: Run = { sent: [], refused: [] };
  const pending = [...arrivals].sort((a, b) => a.at - b.at);
  for (;;) {
    const wake = pacer.nextWakeAt();
    const arrival = pending[0];
    if (arrival !== undefined && (wake === undefined || arrival.at <= wake)) {
      pending.shift();
      const r = pacer.enqueue(arrival.call, arrival.at);
      if (r.kind === 'send') run.sent.push({ callId: arrival.call.callId, at: arrival.at });
      if (r.kind === 'refused') run.refused.push(r);
      continue;
    }
    if (wake === undefined) break;
    const { released, refused } = pacer.next(wake);
    for (const c of released) run.sent.push({ callId: c.callId, at: wake });
    run.refused.push(...refused);
  }
  return run;
}

/** The most departures inside any half-open window [t, t + 1000 ms). */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (const start of times) {
    const n = times.filter((t) => t >= start && t < start + 1000).length;
    most = Math.max(most, n);
  }
  return most;
}

describe('CpsPacer: a token bucket (burst 1) per account and cpsKey, FIFO queue', () => {
  test('20 calls at once at 5/s: all leave within 4 s, in order, never more than 5 in a second', () => {
    const pacer = new CpsPacer({ queueMs: 5000 });
    const c = cred('c1', 5);
    const run = drive(
      pacer,
      Array.from({ length: 20 }, (_, i) => ({ at: 0, call: call(`call-${i}`, c) })),
    );
    assert.equal(run.refused.length, 0);
    assert.equal(run.sent.length, 20);
    assert.deepEqual(
      run.sent.map((s) => s.callId),
      Array.from({ length: 20 }, (_, i) => `call-${i}`),
    );
    const times = run.sent.map((s) => s.at);
    assert.ok(Math.max(...times) <= 4000, `last call left at ${Math.max(...times)} ms`);
    assert.equal(busiestSecond(times), 5);
    assert.equal(pacer.queued, 0);
  });

  test('with the default 2000 ms queue, 20 calls at 5/s: those that cannot leave in 2 s are refused 503', () => {
    const pacer = new CpsPacer();
    const c = cred('c1', 5);
    const run = drive(
      pacer,
      Array.from({ length: 20 }, (_, i) => ({ at: 0, call: call(`call-${i}`, c) })),
    );
    // Leaving at 0, 200, …, 2000 ms: 11 calls; the rest waited 2 s.
    assert.equal(run.sent.length, 11);
    assert.equal(run.refused.length, 9);
    assert.ok(busiestSecond(run.sent.map((s) => s.at)) <= 5);
  });

  test('a 500 ms queue: the overflow is refused 503 with a Retry-After from the bucket', () => {
    const pacer = new CpsPacer({ queueMs: 500 });
    const c = cred('c1', 5);
    const run = drive(
      pacer,
      Array.from({ length: 10 }, (_, i) => ({ at: 0, call: call(`call-${i}`, c) })),
    );
    assert.deepEqual(
      run.sent.map((s) => [s.callId, s.at]),
      [
        ['call-0', 0],
        ['call-1', 200],
        ['call-2', 400],
      ],
    );
    assert.equal(run.refused.length, 7);
    for (const r of run.refused) {
      assert.equal(r.status, 503);
      assert.equal(r.reason, 'queue_timeout');
      assert.ok(Number.isInteger(r.retryAfterSeconds) && r.retryAfterSeconds >= 1);
    }
    assert.deepEqual(
      run.refused.map((r) => r.call.callId),
      Array.from({ length: 7 }, (_, i) => `call-${i + 3}`),
    );
  });

  test('Retry-After grows with the queue still ahead of the bucket', () => {
    const pacer = new CpsPacer({ queueMs: 10_000, maxQueue: 3 });
    const c = cred('c1', 1);
    assert.equal(pacer.enqueue(call('a', c), 0).kind, 'send');
    for (const id of ['b', 'c', 'd']) assert.equal(pacer.enqueue(call(id, c), 0).kind, 'queued');
    const full = pacer.enqueue(call('e', c), 0);
    assert.equal(full.kind, 'refused');
    assert.ok(full.kind === 'refused');
    assert.equal(full.reason, 'queue_full');
    // The token is back at 1 s, then b, c and d leave one second apart: room again after 4 s.
    assert.equal(full.retryAfterSeconds, 4);
    assert.equal(pacer.depth(c), 3);
  });

  test('two credentials sharing a cpsKey with limits 5 and 2: together at most 2 per second', () => {
    const a = cred('a', 5, 'carrier-x');
    const b = cred('b', 2, 'carrier-x');
    const group = [a, b];
    const pacer = new CpsPacer({ queueMs: 60_000 });
    const arrivals = Array.from({ length: 12 }, (_, i) => ({
      at: 0,
      call: call(`call-${i}`, i % 2 === 0 ? a : b, group),
    }));
    const run = drive(pacer, arrivals);
    assert.equal(run.sent.length, 12);
    assert.equal(run.refused.length, 0);
    assert.equal(busiestSecond(run.sent.map((s) => s.at)), 2);
    // The same credentials without the shared key pace independently at their own limits.
    const apart = drive(new CpsPacer({ queueMs: 60_000 }), [
      ...Array.from({ length: 5 }, (_, i) => ({ at: 0, call: call(`a-${i}`, cred('a', 5)) })),
      ...Array.from({ length: 2 }, (_, i) => ({ at: 0, call: call(`b-${i}`, cred('b', 2)) })),
    ]);
    assert.equal(busiestSecond(apart.sent.map((s) => s.at)), 7);
  });

  test('accounts do not share a bucket even with the same cpsKey', () => {
    const pacer = new CpsPacer({ queueMs: 0 });
    assert.equal(pacer.enqueue(call('1', cred('a', 1, 'k', 'MAONE')), 0).kind, 'send');
    assert.equal(pacer.enqueue(call('2', cred('b', 1, 'k', 'MATWO')), 0).kind, 'send');
    assert.equal(pacer.enqueue(call('3', cred('a', 1, 'k', 'MAONE')), 0).kind, 'refused');
  });

  test('0.5 calls per second: one call every 2 s', () => {
    const pacer = new CpsPacer({ queueMs: 60_000 });
    const c = cred('slow', 0.5);
    const run = drive(
      pacer,
      Array.from({ length: 4 }, (_, i) => ({ at: 0, call: call(`call-${i}`, c) })),
    );
    assert.deepEqual(
      run.sent.map((s) => s.at),
      [0, 2000, 4000, 6000],
    );
    // After an idle spell the token is back, but only one: no burst.
    assert.equal(pacer.enqueue(call('late-1', c), 20_000).kind, 'send');
    assert.equal(pacer.enqueue(call('late-2', c), 20_000).kind, 'queued');
    assert.deepEqual(pacer.next(21_999).released, []);
    assert.deepEqual(
      pacer.next(22_000).released.map((x) => x.callId),
      ['late-2'],
    );
  });

  test('no limit: every call leaves at once and nothing is queued', () => {
    const pacer = new CpsPacer({ queueMs: 0 });
    for (let i = 0; i < 50; i++)
      assert.equal(pacer.enqueue(call(`c${i}`, cred('free', null)), 0).kind, 'send');
    assert.equal(pacer.queued, 0);
    assert.equal(pacer.nextWakeAt(), undefined);
  });

  test('cancel removes a queued call; the next one takes its turn', () => {
    const pacer = new CpsPacer({ queueMs: 5000 });
    const c = cred('c1', 1);
    assert.equal(pacer.enqueue(call('a', c), 0).kind, 'send');
    assert.equal(pacer.enqueue(call('b', c), 0).kind, 'queued');
    assert.equal(pacer.enqueue(call('c', c), 0).kind, 'queued');
    assert.equal(pacer.cancel('b'), true);
    assert.equal(pacer.cancel('b'), false);
    assert.equal(pacer.cancel('a'), false, 'a call that already left cannot be cancelled here');
    assert.equal(pacer.depth(c), 1);
    const r = pacer.next(1000);
    assert.deepEqual(
      r.released.map((x) => x.callId),
      ['c'],
    );
    assert.equal(pacer.queued, 0);
  });

  test('a late next() does not let two calls leave closer than the interval', () => {
    const pacer = new CpsPacer({ queueMs: 5000 });
    const c = cred('c1', 5);
    for (const id of ['a', 'b', 'c']) pacer.enqueue(call(id, c), 0);
    assert.deepEqual(
      pacer.next(350).released.map((x) => x.callId),
      ['b'],
    );
    assert.deepEqual(pacer.next(400).released, []);
    assert.deepEqual(
      pacer.next(550).released.map((x) => x.callId),
      ['c'],
    );
  });

  test('options are validated', () => {
    assert.throws(() => new CpsPacer({ queueMs: -1 }), RangeError);
    assert.throws(() => new CpsPacer({ maxQueue: 1.5 }), RangeError);
    assert.throws(() => new CpsPacer().enqueue(call('x', cred('c', 0)), 0), RangeError);
  });
});
