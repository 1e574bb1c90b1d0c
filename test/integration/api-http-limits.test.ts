// The API's HTTP layer against a real process over real sockets: requests the HTTP parser refuses
// never put a secret into the log (at trace level either), a body trickled in slowly is cut off
// at the request deadline, and one address cannot hold more than its share of connections.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT_AUTH_ID, ROOT_AUTH_TOKEN } from '../helpers/app.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const PASSWORD = 'Pw9SecretNeverLogged';
const AUTH = Buffer.from(`${ROOT_AUTH_ID}:${ROOT_AUTH_TOKEN}`).toString('base64');
const MAX_CONNECTIONS = 4;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `bytes`, then collects whatever the server sends until it closes the connection. */
async function exchange(port: number, bytes: string): Promise<string> {
  const s = await open(port);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => {});
    s.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    s.write(bytes);
  });
}

function envelope(raw: string): { status: number; body: Record<string, unknown> } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
  return { status, body: JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown> };
}

describe('API HTTP limits (real process)', () => {
  let dir: string;
  let server: ServerProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trunkgate-http-'));
    server = await startServerProcess(
      {
        TRUNKGATE_DB: join(dir, 'db.sqlite'),
        TRUNKGATE_ROOT_AUTH_ID: ROOT_AUTH_ID,
        TRUNKGATE_ROOT_AUTH_TOKEN: ROOT_AUTH_TOKEN,
        TRUNKGATE_LOG_LEVEL: 'trace',
        TRUNKGATE_API_REQUEST_TIMEOUT: '2',
        TRUNKGATE_API_MAX_CONNECTIONS_PER_ADDRESS: String(MAX_CONNECTIONS),
      },
      ['--api-only'],
    );
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('requests the HTTP parser refuses are answered in the envelope and log no secret', async () => {
    const path = `/v1/Account/${ROOT_AUTH_ID}/Zentrunk/Credential/`;
    const body = JSON.stringify({ username: 'someone', password: PASSWORD });
    const head = (extra: string) =>
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${AUTH}\r\nContent-Type: application/json\r\n${extra}`;
    const malformed = {
      // HPE_STRICT family: a bare LF line ending
      strict: `POST ${path} HTTP/1.1\r\nHost: x\nAuthorization: Basic ${AUTH}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      overflow: `${head(`X-Pad: ${'p'.repeat(20_000)}\r\n`)}Content-Length: ${body.length}\r\n\r\n${body}`,
      clte: `${head(`Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`)}\r\n${body}`,
      badChar: `${head('X-Bad: a\u0001b\r\n')}Content-Length: ${body.length}\r\n\r\n${body}`,
    };
    const statuses: Record<string, number> = {};
    for (const [name, bytes] of Object.entries(malformed)) {
      const answer = envelope(await exchange(server.port, bytes));
      statuses[name] = answer.status;
      assert.equal(typeof answer.body['api_id'], 'string', name);
      assert.equal(typeof answer.body['code'], 'string', name);
    }
    assert.deepEqual(statuses, { strict: 400, overflow: 431, clte: 400, badChar: 400 });
    // A well-formed request at trace level, too.
    const ok = await fetch(`${server.origin}${path}`, {
      method: 'POST',
      headers: { authorization: `Basic ${AUTH}`, 'content-type': 'application/json' },
      body,
    });
    assert.equal(ok.status, 201, await ok.text());

    // The process logged the refusals (so this looks at real trace output) …
    const log = server.stdout() + server.stderr();
    assert.ok((log.match(/malformed HTTP request refused/g) ?? []).length >= 4, log.slice(-2000));
    // … and no secret: not the header value, the token, the password, nor the raw packet.
    for (const secret of [AUTH, ROOT_AUTH_TOKEN, PASSWORD, 'rawPacket'])
      assert.ok(!log.includes(secret), `the log holds ${secret}`);
  });

  test('a body trickled byte by byte is cut off with a 408 at the request deadline', async () => {
    const s = await open(server.port);
    const chunks: Buffer[] = [];
    let closed = false;
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
    });
    s.write(
      `POST /v1/Account/${ROOT_AUTH_ID}/Zentrunk/Credential/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n`,
    );
    // At most 400 bytes, one every 250 ms: far longer than the 2 s deadline, should it not apply.
    for (let i = 0; i < 400 && !closed; i++) {
      s.write('{');
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(closed, 'the server kept the connection open for the whole trickled body');
    const answer = envelope(Buffer.concat(chunks).toString('utf8'));
    assert.equal(answer.status, 408);
    assert.equal(answer.body['code'], 'request_timeout');
  });

  test('one address holds at most the configured number of connections', async () => {
    const held: Socket[] = [];
    for (let i = 0; i < MAX_CONNECTIONS; i++) held.push(await open(server.port));
    const refused = envelope(await exchange(server.port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(refused.status, 429);
    assert.equal(refused.body['code'], 'too_many_connections');
    // Closing one makes room again.
    const first = held.shift();
    await new Promise<void>((r) => {
      first?.once('close', () => r());
      first?.destroy();
    });
    // The server notices the close asynchronously; a fetch retried briefly covers that.
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await fetch(`${server.origin}/health`, { headers: { connection: 'close' } })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200);
    for (const s of held) s.destroy();
  });
});
