// createEdgeState(): one thread's state over this node's shared-memory tables, bans shared between two
// "nodes" through the real Redis, and what happens when Redis is unreachable at start or goes away and
// comes back (a TCP relay in front of the real Redis is cut and restored): nothing fails, bans keep
// being enforced per node with one log line per outage, and health() says so. Nonce counts are not
// here at all: they are node-local (src/state/nonce-table.ts), so Redis is never on the digest path.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import { type Logger, pino } from 'pino';
import { createEdgeState } from '../../src/state/edge-state.ts';
import { createSharedStateMemory } from '../../src/state/shared-state.ts';
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
const POLICY = { maxFailures: 10, windowSeconds: 60, banSeconds: 60 };
const memory = () =>
  createSharedStateMemory({ policy: POLICY, packetRatePerSecond: 100, sizes: { nonceSlots: 64 } });

test("shared memory: two threads' views of one node see one ban, nothing degraded", async () => {
  const { log, lines } = captureLog();
  const m = memory();
  const a = await createEdgeState({ memory: m, log });
  const b = await createEdgeState({ memory: m, log });
  assert.deepEqual(a.health(), { backend: 'shared-memory', degraded: false });
  const outcomes = [];
  for (let i = 0; i < 10; i++) outcomes.push((i % 2 === 0 ? a : b).recordFailure('192.0.2.1'));
  assert.deepEqual(
    outcomes.map((o) => o.newlyBanned),
    [false, false, false, false, false, false, false, false, false, true],
  );
  assert.equal(a.isBanned('192.0.2.1'), true);
  assert.equal(b.isBanned('192.0.2.1'), true);
  assert.equal(lines.length, 0);
  await a.close();
  await b.close();
});

test('redis: a ban reached on one node is enforced on another', async (t) => {
  const probe = await connectTestRedis(t);
  if (probe === undefined) return;
  const keyPrefix = randomPrefix();
  const { log } = captureLog();
  const a = await createEdgeState({ memory: memory(), redisUrl: TEST_REDIS_URL, keyPrefix, log });
  const b = await createEdgeState({ memory: memory(), redisUrl: TEST_REDIS_URL, keyPrefix, log });
  try {
    assert.deepEqual(a.health(), { backend: 'redis', degraded: false });
    // Five failures on each node: neither reaches 10 locally, Redis counts all ten.
    for (let i = 0; i < 5; i++) {
      a.recordFailure('192.0.2.50');
      b.recordFailure('192.0.2.50');
    }
    assert.ok((await waitFor(() => a.isBanned('192.0.2.50') && b.isBanned('192.0.2.50'), 3000)) >= 0);
  } finally {
    await a.close();
    await b.close();
    await deleteKeysUnder(probe, keyPrefix);
    probe.disconnect();
  }
});

test('redis unreachable at start: degraded, bans enforced per node, nothing throws', async () => {
  const { log, lines } = captureLog();
  const state = await createEdgeState({ memory: memory(), redisUrl: 'redis://127.0.0.1:1', log });
  try {
    assert.deepEqual(state.health(), { backend: 'redis', degraded: true });
    const outcomes = [];
    for (let i = 0; i < 12; i++) outcomes.push(state.recordFailure('192.0.2.9'));
    assert.deepEqual(
      outcomes.map((o) => o.newlyBanned),
      [false, false, false, false, false, false, false, false, false, true, false, false],
    );
    assert.equal(state.isBanned('192.0.2.9'), true);
    let allowed = 0;
    for (let i = 0; i < 20; i++) if (state.shared.cps.take('trunk', 5).allowed) allowed++;
    assert.equal(allowed, 5, 'the CPS limit holds, per node');
    const warns = lines.filter((l) => l.level === WARN);
    assert.equal(warns.length, 1, 'one log line for the outage, however many calls fell back');
    assert.equal(warns[0]?.backend, 'redis');
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

test('redis lost and restored: bans per node meanwhile, one warn line, one info line', async (t) => {
  const probe = await connectTestRedis(t);
  if (probe === undefined) return;
  const url = new URL(TEST_REDIS_URL);
  const relay = new Relay({ host: url.hostname, port: Number(url.port || 6379) });
  await relay.start();
  const keyPrefix = randomPrefix();
  const { log, lines } = captureLog();
  const state = await createEdgeState({
    memory: memory(),
    redisUrl: `redis://127.0.0.1:${relay.port}`,
    keyPrefix,
    log,
    redisOptions: { retryStrategy: () => 50 },
  });
  try {
    assert.deepEqual(state.health(), { backend: 'redis', degraded: false });
    for (let i = 0; i < 10; i++) state.recordFailure('192.0.2.20');
    assert.equal(state.isBanned('192.0.2.20'), true);

    await relay.cut();
    assert.ok((await waitFor(() => state.health().degraded, 2000)) >= 0, 'degraded once the link is gone');
    assert.equal(state.isBanned('192.0.2.20'), true, 'bans stay in force');
    for (let i = 0; i < 10; i++) state.recordFailure('192.0.2.21');
    assert.equal(state.isBanned('192.0.2.21'), true, 'banned per node meanwhile');
    assert.equal(lines.filter((l) => l.level === WARN).length, 1);

    await relay.start();
    assert.ok((await waitFor(() => !state.health().degraded, 5000)) >= 0, 'recovered after reconnecting');
    assert.equal(state.isBanned('192.0.2.21'), true, 'the local ban runs its course');
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
