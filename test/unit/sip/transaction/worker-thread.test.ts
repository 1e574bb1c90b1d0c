// The transaction layer inside a worker thread, as the edge runtime will run it: the thread owns the
// socket, the table and the timers; sipp (the 486 scenario) checks the hop-by-hop ACK it sends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { WorkerReport } from '../../../helpers/invite-client-worker.ts';
import { REPO_ROOT } from '../../../helpers/server-process.ts';
import { freeSipPort, SCENARIOS, sippSkip, waitForUdpBound } from '../../../helpers/sip.ts';

describe('transactions in a worker thread', sippSkip(), () => {
  test('a worker-owned INVITE client transaction gets 486 from sipp and ACKs it hop-by-hop', async () => {
    const port = await freeSipPort();
    const sipp = spawn(
      'sipp',
      [
        '-sf',
        join(SCENARIOS, 'uas-busy-486.xml'),
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-m',
        '1',
        '-nostdin',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' },
    );
    let output = '';
    sipp.stdout.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-10_000);
    });
    sipp.stderr.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-10_000);
    });
    const killer = setTimeout(() => sipp.kill('SIGKILL'), 60_000);
    const exited = new Promise<number | null>((r) => sipp.once('close', (code) => r(code)));
    await waitForUdpBound(port);

    const worker = new Worker(join(REPO_ROOT, 'test', 'helpers', 'invite-client-worker.ts'), {
      workerData: { peerPort: port },
      execArgv: ['--import', 'tsx'],
    });
    try {
      const report = await new Promise<WorkerReport>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      assert.notEqual(report.threadId, 0, 'ran on a worker thread');
      assert.equal(report.ownerThreadId, report.threadId, 'the table belongs to that thread');
      assert.equal(report.outcome, 'final');
      assert.deepEqual(report.statuses, [180, 486]);
      assert.equal(report.state, 'completed');
      assert.match(report.ack ?? '', /^ACK sip:/);
      assert.equal(report.tableSize, 1);
      assert.equal(await exited, 0, output);
    } finally {
      clearTimeout(killer);
      worker.postMessage('close');
      await new Promise((r) => worker.once('exit', r));
    }
  });
});
