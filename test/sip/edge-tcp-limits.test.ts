// TCP transport limits (issue 7 item 1): maximum message size, idle timeout, per-address
// connection cap; and `serve --api-only` / `--sip-only` running either half alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type EdgeServer, freeSipPort, HOOK_TIMEOUT, startEdgeServer } from '../helpers/sip.ts';

const REPO = join(import.meta.dirname, '..', '..');

/** Resolves with 'closed' when the server closes the connection, or 'open' after `ms`. */
function closedWithin(socket: net.Socket, ms: number): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('open'), ms);
    socket.once('close', () => {
      clearTimeout(t);
      resolve('closed');
    });
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

describe('SIP over TCP: limits', () => {
  let s: EdgeServer;
  before(async () => {
    s = await startEdgeServer({
      env: {
        TRUNKGATE_SIP_MAX_MESSAGE_SIZE: '2048',
        TRUNKGATE_SIP_TCP_IDLE_SECONDS: '1',
        TRUNKGATE_SIP_TCP_MAX_PER_ADDRESS: '3',
      },
    });
  }, HOOK_TIMEOUT);
  after(() => s.stop(), HOOK_TIMEOUT);

  test('a message larger than the maximum size closes the connection', async () => {
    const c = await connect(s.sipPort);
    c.on('error', () => {});
    const closed = closedWithin(c, 5000);
    // Headers that never end, past 2048 bytes: the stream can only be closed.
    c.write(`OPTIONS sip:${s.sipHost} SIP/2.0\r\nX-Filler: ${'a'.repeat(4096)}`);
    assert.equal(await closed, 'closed');
  });

  test('an idle connection is closed after the idle timeout', async () => {
    const c = await connect(s.sipPort);
    c.on('error', () => {});
    assert.equal(await closedWithin(c, 10_000), 'closed');
  });

  test('connections beyond the per-address cap are refused', async () => {
    const open = [await connect(s.sipPort), await connect(s.sipPort), await connect(s.sipPort)];
    for (const c of open) c.on('error', () => {});
    const extra = await connect(s.sipPort);
    extra.on('error', () => {});
    assert.equal(await closedWithin(extra, 3000), 'closed');
    // The first three are still up (they close later, when idle).
    for (const c of open) assert.equal(c.destroyed, false);
    for (const c of open) c.destroy();
  });
});

function udpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      sock.close();
      resolve(false);
    }, 1500);
    sock.on('message', () => {
      clearTimeout(t);
      sock.close();
      resolve(true);
    });
    const msg =
      `OPTIONS sip:nobody@elsewhere.example SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKmode${Date.now()}\r\n` +
      'Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: mode-test\r\n' +
      'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    sock.send(msg, port, '127.0.0.1');
  });
}

describe('serve --api-only and --sip-only', () => {
  test('--api-only serves HTTP and leaves the SIP port alone', async () => {
    const s = await startEdgeServer({ serveArgs: ['--api-only'] });
    try {
      assert.equal((await s.api('GET', '/health')).status, 200);
      assert.equal(await udpAnswers(s.sipPort), false);
    } finally {
      await s.stop();
    }
  });

  test('--sip-only answers SIP and serves no HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trunkgate-siponly-'));
    const sipPort = await freeSipPort();
    const httpPort = await freeSipPort();
    const child = spawn(process.execPath, [join(REPO, 'bin', 'trunkgate.mjs'), 'serve', '--sip-only'], {
      cwd: REPO,
      env: {
        ...process.env,
        TRUNKGATE_FROM_SOURCE: '1',
        TRUNKGATE_DB: join(dir, 'db.sqlite'),
        TRUNKGATE_HTTP_HOST: '127.0.0.1',
        TRUNKGATE_HTTP_PORT: String(httpPort),
        TRUNKGATE_SIP_HOST: '127.0.0.1',
        TRUNKGATE_SIP_PORT: String(sipPort),
        TRUNKGATE_SIP_WORKERS: '1',
        TRUNKGATE_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    try {
      let answered = false;
      for (let i = 0; i < 40 && !answered; i++) answered = await udpAnswers(sipPort);
      assert.equal(answered, true, 'the edge answered over UDP');
      const http = await fetch(`http://127.0.0.1:${httpPort}/health`).then(
        () => 'listening',
        () => 'refused',
      );
      assert.equal(http, 'refused');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
