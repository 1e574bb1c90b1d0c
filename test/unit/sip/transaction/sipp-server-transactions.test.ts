// Server transactions on a real UDP socket with sipp as the UAC (`sipp -sn uac`): the INVITE server
// transaction sends its 100 Trying at once, the TU's 180 and 200 go out through it, the 2xx ends it
// so the ACK reaches the TU (§17.2.1), and the BYE runs in a non-INVITE server transaction (§17.2.2).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { describe, test } from 'node:test';
import { parseMessage } from '../../../../src/sip/parser/parse-message.ts';
import { buildResponse } from '../../../../src/sip/parser/serialize.ts';
import { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server-transaction.ts';
import { NonInviteServerTransaction } from '../../../../src/sip/transaction/non-invite-server-transaction.ts';
import { systemClock } from '../../../../src/sip/transaction/timers.ts';
import { TransactionTable } from '../../../../src/sip/transaction/transaction-table.ts';
import { sippSkip } from '../../../helpers/sip.ts';
import { UdpTransactionTransport } from '../../../helpers/udp-transaction-transport.ts';

describe('server transactions against sipp over UDP', sippSkip(), () => {
  test('sipp -sn uac: 100, 180 and 200 through the INVITE transaction; the ACK goes to the TU; BYE in its own transaction', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const port = socket.address().port;
    const table = new TransactionTable({ maxTransactions: 16 });
    const seen: string[] = [];
    const user = { timeout: () => seen.push('timeout'), transportError: () => seen.push('transport_error') };
    const states: string[] = [];

    socket.on('message', (buf, rinfo) => {
      const r = parseMessage(buf, { transport: 'udp' });
      if (r.kind !== 'ok' || r.message.kind !== 'request') return;
      const req = r.message;
      const existing = table.matchRequest(req);
      if (existing !== undefined) {
        seen.push(`${req.method} (transaction: ${existing.receiveRequest(req).kind})`);
        return;
      }
      seen.push(req.method);
      // RFC 3261 §18.2.2 with RFC 3581: answer the source address and port.
      const transport = new UdpTransactionTransport(socket, rinfo.address, rinfo.port);
      const contact: [string, string] = ['Contact', `<sip:uas@127.0.0.1:${port}>`];
      if (req.method === 'INVITE') {
        const tx = new InviteServerTransaction(req, user, { transport, clock: systemClock });
        assert.deepEqual(table.add(tx), { kind: 'added' });
        tx.start();
        tx.respond(buildResponse(req, 180, 'Ringing', [contact], 'uas1'));
        states.push(tx.state);
        tx.respond(buildResponse(req, 200, 'OK', [contact], 'uas1'));
        states.push(tx.state);
      } else if (req.method === 'BYE') {
        const tx = new NonInviteServerTransaction(req, user, { transport, clock: systemClock });
        assert.deepEqual(table.add(tx), { kind: 'added' });
        tx.start();
        tx.respond(buildResponse(req, 200, 'OK'));
        states.push(tx.state);
      }
    });

    const sipp = spawn(
      'sipp',
      [
        `127.0.0.1:${port}`,
        '-sn',
        'uac',
        '-i',
        '127.0.0.1',
        '-m',
        '1',
        '-nostdin',
        '-d',
        '100',
        '-timeout',
        '30s',
        '-timeout_error',
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
    try {
      const code = await new Promise<number | null>((r) => sipp.once('close', (c) => r(c)));
      assert.equal(code, 0, output);
      // The ACK for the 2xx does not match the ended INVITE transaction: the TU gets it (§17.2.1).
      assert.deepEqual(seen, ['INVITE', 'ACK', 'BYE']);
      assert.deepEqual(states, ['proceeding', 'terminated', 'completed']);
      assert.equal(table.size, 1, 'the BYE transaction waits out Timer J (64·T1 on UDP)');
    } finally {
      clearTimeout(killer);
      await new Promise<void>((r) => socket.close(() => r()));
    }
  });
});
