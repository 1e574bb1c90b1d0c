// createEdgeState(): the backend it picks, state shared between two "nodes" through the real Redis, and
// what happens when Redis is unreachable at start or goes away and comes back (a TCP relay in front of
// the real Redis is cut and restored): nonce counts fail closed, everything else falls back to local
// state with one log line per outage, and health() says so.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import { type Logger, pino } from 'pino';
import { createEdgeState, type EdgeState } from '../../src/sip/state/edge-state.ts';
import { StateUnavailableError } from '../../src/sip/state/state-unavailable-error.ts';
import { TestClock } from '../helpers/sip-state-contracts.ts';
import {
  connectTestRedis,
  deleteKeysUnder,
  randomPrefix,
  TEST_REDIS_URL,
  waitFor,
} from '../helpers/sip-state-redis.ts';

interface LogLine {
  level: number;
  msg: string;
  backend?: string;
  reason?: string;
}

function captureLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log: Logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

const WARN = 40;
const INFO = 30;

test('memory backend: one process, nothing degraded', async () => {
  const { log, lines } = captureLog();
  const clock = new TestClock();
  const state = await createEdgeState({
    mode: 'single',
    log,
    now: clock.now,
    processes: 2,
    config: { authFailure: { maxFailures: 3, windowSeconds: 60, banSeconds: 60 }, sipPacketRate: 200 },
  });
  try {
    assert.deepEqual(state.health(), { backend: 'memory', degraded: false });
    assert.equal(await state.nonceCounts.check('n', 1, 60), 'fresh');
    assert.equal(await state.nonceCounts.check('n', 1, 60), 'replay');
    for (let i = 0; i < 2; i++) assert.equal((await state.bans.recordFailure('192.0.2.1')).banned, false);
    assert.equal((await state.bans.recordFailure('192.0.2.1')).newlyBanned, true, 'policy from config');
    assert.equal(state.bans.isBanned('192.0.2.1'), true);
    let allowed = 0;
    for (let i = 0; i < 20; i++) if ((await state.cps.take('trunk', 5)).allowed) allowed++;
    assert.equal(allowed, 5);
    assert.equal(state.packetRate.ratePerSecond, 100, '200/s shared by 2 processes');
    assert.equal((await state.registrar.setBinding('sip:a@t', 'sip:a@192.0.2.1', 60)).kind, 'ok');
    assert.equal((await state.registrar.getBindings('sip:a@t')).length, 1);
    state.acceptedTransactions.remember('tx1', 32);
    assert.equal(await state.acceptedTransactions.has('tx1'), true);
    assert.equal(lines.length, 0);
  } finally {
    await state.close();
  }
});

test('redis backend: two nodes share nonce counts, bans, CPS, bindings and accepted transactions', async (t) => {
  const probe = await connectTestRedis(t);
  if (probe === undefined) return;
  const keyPrefix = randomPrefix();
  const { log, lines } = captureLog();
  const nodes: EdgeState[] = [];
  try {
    for (let i = 0; i < 2; i++)
      nodes.push(await createEdgeState({ mode: 'single', redisUrl: TEST_REDIS_URL, keyPrefix, log }));
    const [a, b] = nodes as [EdgeState, EdgeState];
    assert.deepEqual(a.health(), { backend: 'redis', degraded: false });

    assert.equal(await a.nonceCounts.check('nonce-1', 1, 60), 'fresh');
    assert.equal(await b.nonceCounts.check('nonce-1', 1, 60), 'replay', 'the same nc on another node');
    assert.equal(await b.nonceCounts.check('nonce-1', 2, 60), 'fresh');

    const jobs = [];
    for (let i = 0; i < 20; i++) jobs.push((i % 2 === 0 ? a : b).cps.take('trunk-x', 5));
    assert.equal((await Promise.all(jobs)).filter((r) => r.allowed).length, 5);

    for (let i = 0; i < 9; i++) await (i % 2 === 0 ? a : b).bans.recordFailure('203.0.113.7');
    const tenth = await a.bans.recordFailure('203.0.113.7');
    assert.equal(tenth.newlyBanned, true);
    assert.ok((await waitFor(() => b.bans.isBanned('203.0.113.7'), 2000)) >= 0, 'ban propagated to node b');

    await a.registrar.setBinding('sip:carol@t.example', 'sip:carol@192.0.2.3', 120);
    assert.deepEqual(await b.registrar.getBindings('sip:carol@t.example'), [
      { contact: 'sip:carol@192.0.2.3', expiresSeconds: 120 },
    ]);
    a.acceptedTransactions.remember('z9hG4bKabc|INVITE|192.0.2.3|5060', 32); // fire-and-forget
    let seen = false;
    for (let i = 0; i < 100 && !seen; i++) {
      seen = await b.acceptedTransactions.has('z9hG4bKabc|INVITE|192.0.2.3|5060');
      if (!seen) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(seen, true, 'an accepted transaction is visible on the other node');
    assert.equal(await b.acceptedTransactions.has('z9hG4bKother|INVITE|192.0.2.3|5060'), false);
    assert.equal(lines.length, 0, 'nothing logged while healthy');
  } finally {
    for (const n of nodes) await n.close();
    await deleteKeysUnder(probe, keyPrefix);
    probe.disconnect();
  }
});

test('redis unreachable at start: degraded, nonce counts fail closed, the rest runs locally', async () => {
  const { log, lines } = captureLog();
  const state = await createEdgeState({
    mode: 'single',
    redisUrl: 'redis://127.0.0.1:1',
    log,
    config: { authFailure: { maxFailures: 10, windowSeconds: 60, banSeconds: 60 } },
  });
  try {
    assert.deepEqual(state.health(), { backend: 'redis', degraded: true });
    await assert.rejects(
      async () => state.nonceCounts.check('n', 1, 60),
      (err: unknown) => err instanceof StateUnavailableError && err.backend === 'redis',
    );
    const outcomes = [];
    for (let i = 0; i < 12; i++) outcomes.push(await state.bans.recordFailure('192.0.2.9'));
    assert.deepEqual(
      outcomes.map((o) => o.newlyBanned),
      [false, false, false, false, false, false, false, false, false, true, false, false],
    );
    assert.equal(state.bans.isBanned('192.0.2.9'), true);
    let allowed = 0;
    for (let i = 0; i < 20; i++) if ((await state.cps.take('trunk', 5)).allowed) allowed++;
    assert.equal(allowed, 5, 'the CPS limit still holds, per node');
    assert.equal((await state.registrar.setBinding('sip:a@t', 'sip:a@192.0.2.1', 60)).kind, 'ok');
    assert.equal((await state.registrar.getBindings('sip:a@t')).length, 1);
    state.acceptedTransactions.remember('tx', 32);
    await new Promise((r) => setImmediate(r));
    assert.equal(await state.acceptedTransactions.has('tx'), true);
    await assert.rejects(async () => state.cps.take('trunk', 0), RangeError, 'a caller bug is not an outage');
    const warns = lines.filter((l) => l.level === WARN);
    assert.equal(warns.length, 1, 'one log line for the outage, however many calls fell back');
    assert.equal(warns[0]?.backend, 'redis');
    assert.match(warns[0]?.msg ?? '', /nonce-count checks fail closed/);
  } finally {
    await state.close();
  }
});

/** A TCP relay to the real Redis that can be cut (every connection dropped) and restored on its port. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('redis lost and restored: fallback with one warn line, recovery with one info line', async (t) => {
  const probe = await connectTestRedis(t);
  if (probe === undefined) return;
  const url = new URL(TEST_REDIS_URL);
  const relay = new Relay({ host: url.hostname, port: Number(url.port || 6379) });
  await relay.start();
  const keyPrefix = randomPrefix();
  const { log, lines } = captureLog();
  const state = await createEdgeState({
    mode: 'single',
    redisUrl: `redis://127.0.0.1:${relay.port}`,
    keyPrefix,
    log,
    redisOptions: { retryStrategy: () => 50 },
  });
  try {
    assert.deepEqual(state.health(), { backend: 'redis', degraded: false });
    assert.equal(await state.nonceCounts.check('n', 1, 60), 'fresh');
    for (let i = 0; i < 10; i++) await state.bans.recordFailure('192.0.2.20'); // banned in Redis
    assert.equal(state.bans.isBanned('192.0.2.20'), true);

    await relay.cut();
    assert.ok((await waitFor(() => state.health().degraded, 2000)) >= 0, 'degraded once the link is gone');
    await assert.rejects(async () => state.nonceCounts.check('n', 2, 60), StateUnavailableError);
    assert.equal(state.bans.isBanned('192.0.2.20'), true, 'bans learned from Redis stay in force');
    for (let i = 0; i < 10; i++) await state.bans.recordFailure('192.0.2.21');
    assert.equal(state.bans.isBanned('192.0.2.21'), true, 'banned by the local fallback');
    let allowed = 0;
    for (let i = 0; i < 20; i++) if ((await state.cps.take('trunk', 5)).allowed) allowed++;
    assert.equal(allowed, 5);
    assert.equal(lines.filter((l) => l.level === WARN).length, 1);

    await relay.start();
    assert.ok((await waitFor(() => !state.health().degraded, 5000)) >= 0, 'recovered after reconnecting');
    assert.equal(await state.nonceCounts.check('n', 2, 60), 'fresh', 'nonce counts work again');
    assert.equal(await state.nonceCounts.check('n', 1, 60), 'replay', 'with the state kept in Redis');
    assert.equal(state.bans.isBanned('192.0.2.21'), true, 'the local ban runs its course');
    const info = lines.filter((l) => l.level === INFO);
    assert.equal(info.length, 1);
    assert.match(info[0]?.msg ?? '', /recovered/);
    assert.equal(lines.filter((l) => l.level === WARN).length, 1);
  } finally {
    await state.close();
    await relay.cut();
    await deleteKeysUnder(probe, keyPrefix);
    probe.disconnect();
  }
});
