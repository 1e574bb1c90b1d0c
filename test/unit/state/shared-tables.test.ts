// The shared-memory tables (src/state/) from several worker threads at once: the invariants that
// used to need a broker process hold with every thread writing the same SharedArrayBuffers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { attachSharedState, createSharedStateMemory } from '../../../src/state/shared-state.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'shared-state-hammer.ts');
const WORKERS = 4;
const NOW = 1_800_000_000_000;

interface Result {
  fresh: string[];
  newlyBanned: number;
  sawBan: boolean;
  cpsAllowed: number;
  packetsAllowed: number;
  bindingsRefused: number;
  ownRecent: boolean;
}

test('four threads hammer every shared table at once; the invariants hold', async () => {
  const memory = createSharedStateMemory({
    policy: { maxFailures: 10, windowSeconds: 60, banSeconds: 60 },
    packetRatePerSecond: 100,
    sizes: { nonceSlots: 1024, transactionBuckets: 64 },
  });
  const main = attachSharedState(memory, () => NOW);
  const seqs = Array.from({ length: 40 }, () => main.nonces.issue());
  const ncs = 100;
  const barrier = new SharedArrayBuffer(8);
  const results = await Promise.all(
    Array.from(
      { length: WORKERS },
      (_, index) =>
        new Promise<Result>((resolve, reject) => {
          const w = new Worker(FIXTURE, {
            execArgv: ['--import', 'tsx'],
            workerData: { memory, barrier, workers: WORKERS, index, now: NOW, seqs, ncs },
          });
          w.once('message', (m: Result) => resolve(m));
          w.once('error', reject);
          w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited ${code}`)));
        }),
    ),
  );

  // No lost nc update: each (nonce, nc) was fresh exactly once across all threads and rounds.
  const fresh = results.flatMap((r) => r.fresh);
  assert.equal(fresh.length, seqs.length * ncs, 'every nc admitted once');
  assert.equal(new Set(fresh).size, fresh.length, 'and never twice');

  // One ban from 60 concurrent failures, reported once, seen by every thread and the main one.
  assert.equal(
    results.reduce((n, r) => n + r.newlyBanned, 0),
    1,
  );
  assert.ok(results.every((r) => r.sawBan));
  assert.ok(main.failures.isBanned('198.51.100.7'));

  // CPS and packet rate: exactly the limit in total at one instant, never more.
  assert.equal(
    results.reduce((n, r) => n + r.cpsAllowed, 0),
    50,
  );
  assert.equal(
    results.reduce((n, r) => n + r.packetsAllowed, 0),
    100,
  );

  // Bindings: 32 contacts offered, 10 kept, 22 refused, the AoR lists exactly 10.
  assert.equal(
    results.reduce((n, r) => n + r.bindingsRefused, 0),
    WORKERS * 8 - 10,
  );
  assert.equal(main.bindings.getBindings('T1|alice@example.com').length, 10);

  // Bounded: 80,000 transactions into 64 × 8 slots.
  assert.ok(
    results.every((r) => r.ownRecent),
    'a thread finds the record it just wrote',
  );
  assert.ok(main.evictions()['transactions']! > 0, 'full buckets evicted');
  assert.ok(main.transactionCount() <= 64 * 8, 'never more records than slots');
});

test('nonce slots: a reissued slot answers reused, a fresh nonce starts a new window', () => {
  const memory = createSharedStateMemory({
    policy: { maxFailures: 3, windowSeconds: 60, banSeconds: 60 },
    packetRatePerSecond: 10,
    sizes: { nonceSlots: 4 },
  });
  const s = attachSharedState(memory);
  const first = s.nonces.issue();
  assert.equal(s.nonces.check(first, 1), 'fresh');
  assert.equal(s.nonces.check(first, 1), 'replay');
  assert.equal(s.nonces.check(first, 3), 'fresh');
  assert.equal(s.nonces.check(first, 2), 'fresh', 'late but inside the window');
  assert.equal(s.nonces.check(first, 2), 'replay');
  for (let i = 0; i < 4; i++) s.nonces.issue();
  assert.equal(s.nonces.check(first, 4), 'reused', 'its slot went to a newer nonce');
  assert.equal(s.nonces.check((first + 12345) >>> 0, 1), 'reused', 'a sequence never issued');
});

test('failure window slides, bans expire, CPS refuses with Retry-After and recovers', () => {
  let now = NOW;
  const memory = createSharedStateMemory({
    policy: { maxFailures: 3, windowSeconds: 10, banSeconds: 30 },
    packetRatePerSecond: 2,
    sizes: { nonceSlots: 4 },
  });
  const s = attachSharedState(memory, () => now);
  s.failures.recordFailure('a');
  s.failures.recordFailure('a');
  now += 11_000; // both left the window
  assert.equal(s.failures.recordFailure('a').failures, 1);
  s.failures.recordFailure('a');
  const third = s.failures.recordFailure('a');
  assert.deepEqual([third.newlyBanned, s.failures.isBanned('a')], [true, true]);
  now += 30_001;
  assert.equal(s.failures.isBanned('a'), false);
  assert.equal(s.failures.recordFailure('a').failures, 1, 'the ban cleared the count');

  assert.equal(s.cps.take('k', 2).allowed, true);
  assert.equal(s.cps.take('k', 2).allowed, true);
  const refused = s.cps.take('k', 2);
  assert.equal(refused.allowed, false);
  assert.ok(refused.retryAfterSeconds >= 1);
  now += 1200;
  assert.equal(s.cps.take('k', 2).allowed, true);

  assert.deepEqual(
    [s.packetRate.allow('p'), s.packetRate.allow('p'), s.packetRate.allow('p')],
    [true, true, false],
  );
  now += 500;
  assert.equal(s.packetRate.allow('p'), true, 'one token back after 0.5 s at 2/s');
});

test('bindings: refresh, remove, expiry and the contact size bound', () => {
  let now = NOW;
  const memory = createSharedStateMemory({
    policy: { maxFailures: 3, windowSeconds: 10, banSeconds: 30 },
    packetRatePerSecond: 2,
    sizes: { nonceSlots: 4, bindingBuckets: 4 },
  });
  const s = attachSharedState(memory, () => now);
  s.bindings.setBinding('a', 'sip:one@h', 60);
  s.bindings.setBinding('a', 'sip:two@h', 10);
  assert.deepEqual(
    s.bindings.getBindings('a').map((b) => [b.contact, b.expiresSeconds]),
    [
      ['sip:one@h', 60],
      ['sip:two@h', 10],
    ],
  );
  s.bindings.setBinding('a', 'sip:one@h', 0);
  assert.deepEqual(
    s.bindings.getBindings('a').map((b) => b.contact),
    ['sip:two@h'],
  );
  now += 10_000;
  assert.deepEqual(s.bindings.getBindings('a'), []);
  assert.equal(s.bindings.setBinding('a', `sip:${'x'.repeat(300)}@h`, 60).kind, 'contact_too_long');
  s.bindings.setBinding('a', 'sip:é@h', 60);
  assert.deepEqual(
    s.bindings.getBindings('a').map((b) => b.contact),
    ['sip:é@h'],
  );
  s.bindings.removeAll('a');
  assert.deepEqual(s.bindings.getBindings('a'), []);
});
