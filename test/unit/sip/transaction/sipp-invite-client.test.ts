// The INVITE client transaction on a real UDP socket against sipp as the UAS: a 200 ends it
// (§17.1.1.2), and a 486 is acknowledged hop-by-hop by the transaction itself (§17.1.1.3), which
// the sipp scenario checks (same branch and CSeq number as the INVITE).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getContacts } from '../../../../src/sip/parser/name-addr.ts';
import { parseMessage } from '../../../../src/sip/parser/parse-message.ts';
import { serializeRequest } from '../../../../src/sip/parser/serialize.ts';
import { SipHeaders } from '../../../../src/sip/parser/sip-headers.ts';
import type { SipRequest, SipResponse } from '../../../../src/sip/parser/sip-message.ts';
import { newBranch } from '../../../../src/sip/transaction/branch.ts';
import { InviteClientTransaction } from '../../../../src/sip/transaction/invite-client-transaction.ts';
import { NonInviteClientTransaction } from '../../../../src/sip/transaction/non-invite-client-transaction.ts';
import { systemClock } from '../../../../src/sip/transaction/timers.ts';
import { TransactionTable } from '../../../../src/sip/transaction/transaction-table.ts';
import { freeSipPort, SCENARIOS, sippSkip, waitForUdpBound } from '../../../helpers/sip.ts';
import { UdpTransactionTransport } from '../../../helpers/udp-transaction-transport.ts';

interface SippRun {
  code: number | null;
  stats: Record<string, string>;
  output: string;
}

/** sipp as a UAS for one call, with its statistics file (-trace_stat) read at exit. */
function startUas(port: number, scenario: readonly string[]): Promise<SippRun> {
  const dir = mkdtempSync(join(tmpdir(), 'trunkgate-tx-sipp-'));
  const args = [
    ...scenario,
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-m',
    '1',
    '-nostdin',
    '-timeout',
    '30s',
    '-timeout_error',
    '-trace_stat',
    '-stf',
    join(dir, 'stat.csv'),
    '-trace_logs',
    '-log_file',
    join(dir, 'log.txt'),
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  child.stderr.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(killer);
      let stats: Record<string, string> = {};
      try {
        const lines = readFileSync(join(dir, 'stat.csv'), 'utf8')
          .split('\n')
          .filter((l) => l.trim());
        const head = lines[0]?.split(';') ?? [];
        const last = lines.at(-1)?.split(';') ?? [];
        stats = Object.fromEntries(head.map((h, i) => [h, last[i] ?? '']));
      } catch {}
      try {
        output += `\n${readFileSync(join(dir, 'log.txt'), 'utf8')}`;
      } catch {}
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stats, output });
    });
  });
}

/** A UAC socket: responses go through the transaction table, the rest is kept for the test. */
async function openUac() {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const localPort = socket.address().port;
  const table = new TransactionTable({ maxTransactions: 16 });
  const strays: SipResponse[] = [];
  socket.on('message', (buf) => {
    const r = parseMessage(buf, { transport: 'udp' });
    if (r.kind !== 'ok' || r.message.kind !== 'response') return;
    const tx = table.matchResponse(r.message);
    // §17.1.1.2 / §18.1.2: a 2xx retransmission after the INVITE transaction ended goes to the core.
    if (tx === undefined) strays.push(r.message);
    else tx.receiveResponse(r.message);
  });
  return { socket, localPort, table, strays, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

function invite(localPort: number, peerPort: number): SipRequest {
  const headers = new SipHeaders();
  headers.append('Via', `SIP/2.0/UDP 127.0.0.1:${localPort};branch=${newBranch()};rport`);
  headers.append('Max-Forwards', '70');
  headers.append('From', `<sip:platform@127.0.0.1:${localPort}>;tag=${randomBytes(6).toString('hex')}`);
  headers.append('To', `<sip:+15551234567@127.0.0.1:${peerPort}>`);
  headers.append('Call-ID', `${randomBytes(10).toString('hex')}@127.0.0.1`);
  headers.append('CSeq', '1 INVITE');
  headers.append('Contact', `<sip:platform@127.0.0.1:${localPort}>`);
  return {
    kind: 'request',
    method: 'INVITE',
    uri: `sip:+15551234567@127.0.0.1:${peerPort}`,
    version: 'SIP/2.0',
    headers,
    body: Buffer.alloc(0),
  };
}

/** A request within the dialog the 200 created (§12.2.1.1), for the TU's ACK and BYE. */
function inDialog(method: 'ACK' | 'BYE', seq: number, inv: SipRequest, ok: SipResponse, localPort: number) {
  const contacts = getContacts(ok);
  assert.ok(contacts.ok && !contacts.value.star);
  const target = contacts.ok && !contacts.value.star ? contacts.value.contacts[0]?.uri : undefined;
  assert.ok(target !== undefined);
  const headers = new SipHeaders();
  headers.append('Via', `SIP/2.0/UDP 127.0.0.1:${localPort};branch=${newBranch()};rport`);
  headers.append('Max-Forwards', '70');
  headers.append('From', inv.headers.get('from')!);
  headers.append('To', ok.headers.get('to')!);
  headers.append('Call-ID', inv.headers.get('call-id')!);
  headers.append('CSeq', `${seq} ${method}`);
  const req: SipRequest = {
    kind: 'request',
    method,
    uri: target.raw,
    version: 'SIP/2.0',
    headers,
    body: Buffer.alloc(0),
  };
  return req;
}

/** A TU that resolves at the first final response and records the provisional ones. */
function recordingUser() {
  const provisional: number[] = [];
  let resolve!: (r: SipResponse) => void;
  let reject!: (e: Error) => void;
  const final = new Promise<SipResponse>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    provisional,
    final,
    user: {
      receiveResponse(r: SipResponse) {
        if (r.status < 200) provisional.push(r.status);
        else resolve(r);
      },
      timeout: () => reject(new Error('transaction timed out')),
      transportError: (e: Error) => reject(e),
    },
  };
}

describe('INVITE client transaction against sipp over UDP', sippSkip(), () => {
  test('sipp -sn uas: 180 then 200 → Terminated; the TU ACKs and BYEs; sipp counts a successful call', async () => {
    const port = await freeSipPort();
    const sipp = startUas(port, ['-sn', 'uas']);
    await waitForUdpBound(port);
    const uac = await openUac();
    try {
      const inv = invite(uac.localPort, port);
      const tu = recordingUser();
      const tx = new InviteClientTransaction(inv, tu.user, {
        transport: new UdpTransactionTransport(uac.socket, '127.0.0.1', port),
        clock: systemClock,
      });
      assert.deepEqual(uac.table.add(tx), { kind: 'added' });
      tx.start();
      const ok = await tu.final;
      assert.equal(ok.status, 200);
      assert.deepEqual(tu.provisional, [180]);
      assert.equal(tx.state, 'terminated');
      assert.equal(tx.ack, undefined, 'the transaction does not ACK a 2xx');
      assert.equal(uac.table.size, 0);

      // §13.2.2.4: the TU's own ACK for the 2xx (new branch), sent outside any transaction.
      uac.socket.send(serializeRequest(inDialog('ACK', 1, inv, ok, uac.localPort)), port, '127.0.0.1');
      const byeTu = recordingUser();
      const bye = new NonInviteClientTransaction(inDialog('BYE', 2, inv, ok, uac.localPort), byeTu.user, {
        transport: new UdpTransactionTransport(uac.socket, '127.0.0.1', port),
        clock: systemClock,
      });
      assert.deepEqual(uac.table.add(bye), { kind: 'added' });
      bye.start();
      assert.equal((await byeTu.final).status, 200);
      assert.equal(bye.state, 'completed', 'Timer K (T4 on UDP) absorbs retransmitted 200s');

      const run = await sipp;
      assert.equal(run.code, 0, run.output);
      assert.equal(run.stats['SuccessfulCall(C)'], '1', run.output);
      assert.equal(run.stats['FailedCall(C)'], '0', run.output);
    } finally {
      await uac.close();
    }
  });

  test('a 486 from sipp: Completed, the transaction sends the hop-by-hop ACK, sipp verifies it', async () => {
    const port = await freeSipPort();
    const sipp = startUas(port, ['-sf', join(SCENARIOS, 'uas-busy-486.xml')]);
    await waitForUdpBound(port);
    const uac = await openUac();
    try {
      const inv = invite(uac.localPort, port);
      const tu = recordingUser();
      const tx = new InviteClientTransaction(inv, tu.user, {
        transport: new UdpTransactionTransport(uac.socket, '127.0.0.1', port),
        clock: systemClock,
      });
      uac.table.add(tx);
      tx.start();
      const busy = await tu.final;
      assert.equal(busy.status, 486);
      assert.deepEqual(tu.provisional, [180]);
      assert.equal(tx.state, 'completed', 'Timer D (32 s on UDP) keeps it to re-ACK retransmissions');
      assert.ok(tx.ack !== undefined);
      assert.match(tx.ack.toString('utf8'), /^ACK sip:\+15551234567@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);

      const run = await sipp;
      assert.equal(run.code, 0, run.output);
      assert.equal(run.stats['SuccessfulCall(C)'], '1', run.output);
      assert.equal(run.stats['FailedCall(C)'], '0', run.output);
      assert.equal(uac.table.size, 1, 'still Completed: the table holds it until Timer D');
    } finally {
      await uac.close();
    }
  });
});
