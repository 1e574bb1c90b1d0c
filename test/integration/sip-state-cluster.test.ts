// The cluster state broker across real processes: test/fixtures/sip-state-cluster.ts forks a cluster
// primary with 2 workers that hit the same state at the same moment. Run once on the broker alone (no
// Redis: state correct across the workers of one node) and once with the workers on Redis.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import {
  connectTestRedis,
  deleteKeysUnder,
  randomPrefix,
  TEST_REDIS_URL,
} from '../helpers/sip-state-redis.ts';

const FIXTURE = 'test/fixtures/sip-state-cluster.ts';

interface WorkerResult {
  worker: number;
  backend: string;
  freshNcs: number[];
  failures: Array<{ banned: boolean; newlyBanned: boolean; failures: number }>;
  sawBan: boolean;
  cpsAllowed: number;
  bindingsSeen: number;
  batchesForBatchCalls: number;
}

async function runCluster<R = WorkerResult>(env: Record<string, string>): Promise<R[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line !== undefined && code === 0, `cluster fixture failed (exit ${code}):\n${stdout}\n${stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as R[];
}

function assertSharedState(results: WorkerResult[], backend: string): void {
  assert.equal(results.length, 2);
  for (const r of results) assert.equal(r.backend, backend);

  // Nonce counts: 300 ncs, each checked twice by each worker → exactly one 'fresh' each. (With state
  // per worker every nc would be fresh once in each worker: 2.) Who wins which nc depends on timing.
  const fresh = new Map<number, number>();
  for (const r of results) for (const nc of r.freshNcs) fresh.set(nc, (fresh.get(nc) ?? 0) + 1);
  assert.equal(fresh.size, 300, 'every nc was fresh somewhere');
  assert.deepEqual([...new Set(fresh.values())], [1], 'and fresh exactly once across both workers');

  // Bans: 15 failures per worker, concurrently → the 10th of the 30 bans, exactly once.
  const failures = results.flatMap((r) => r.failures);
  assert.equal(failures.length, 30);
  assert.equal(failures.filter((f) => f.newlyBanned).length, 1, 'one new ban in total');
  assert.deepEqual(
    failures
      .filter((f) => !f.banned || f.newlyBanned)
      .map((f) => f.failures)
      .sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    'the counts 1..10 were handed out once each: the ban came at exactly 10 failures in total',
  );
  for (const r of results) assert.equal(r.sawBan, true, `worker ${r.worker} sees the ban`);

  // CPS: limit 5, 10 takes per worker at the same moment → 5 allowed in total.
  assert.equal(
    results.reduce((n, r) => n + r.cpsAllowed, 0),
    5,
  );

  // Registrar: both contacts land on one AoR; whichever write came second sees both.
  assert.deepEqual(results.map((r) => r.bindingsSeen).sort(), [1, 2]);

  // Batching: 1000 calls made in one event-loop turn travel in one IPC message.
  for (const r of results) assert.equal(r.batchesForBatchCalls, 1, `worker ${r.worker}`);
}

test('cluster broker: two worker processes share nonce counts, bans, CPS and bindings (no Redis)', async () => {
  assertSharedState(await runCluster({ TG_STATE_REDIS_URL: '' }), 'cluster');
});

test('cluster workers on Redis: the same guarantees through Redis', async (t) => {
  const probe = await connectTestRedis(t);
  if (probe === undefined) return;
  const prefix = randomPrefix();
  try {
    assertSharedState(
      await runCluster({ TG_STATE_REDIS_URL: TEST_REDIS_URL, TG_STATE_KEY_PREFIX: prefix }),
      'redis',
    );
  } finally {
    await deleteKeysUnder(probe, prefix);
    probe.disconnect();
  }
});

test('cluster worker without a broker: nonce-count checks fail closed (StateUnavailableError)', async () => {
  const results = await runCluster<{ worker: number; outcome: string }>({
    TG_STATE_REDIS_URL: '',
    TG_STATE_SCENARIO: 'no-broker',
  });
  assert.equal(results.length, 2);
  for (const r of results) {
    assert.match(r.outcome, /^StateUnavailableError: the cluster primary did not answer within 200 ms$/);
  }
});
