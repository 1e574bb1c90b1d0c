// Worker-thread body for test/unit/sip/transaction/worker-thread.test.ts: a UDP socket, a transaction
// table and an INVITE client transaction, all owned by this thread, as an edge thread will own them.
// Sends an INVITE to workerData.peerPort, reports the outcome, and closes when told to.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { parseMessage } from '../../src/sip/parser/parse-message.ts';
import { SipHeaders } from '../../src/sip/parser/sip-headers.ts';
import type { SipResponse } from '../../src/sip/parser/sip-message.ts';
import { newBranch } from '../../src/sip/transaction/branch.ts';
import { InviteClientTransaction } from '../../src/sip/transaction/invite-client-transaction.ts';
import { systemClock } from '../../src/sip/transaction/timers.ts';
import { TransactionTable } from '../../src/sip/transaction/transaction-table.ts';
import { UdpTransactionTransport } from './udp-transaction-transport.ts';

export interface WorkerReport {
  threadId: number;
  ownerThreadId: number;
  statuses: number[];
  outcome: 'final' | 'timeout' | 'transport_error';
  state: string;
  ack: string | undefined;
  tableSize: number;
}

const port = parentPort;
if (port === null) throw new Error('run as a worker thread');
const peerPort = (workerData as { peerPort: number }).peerPort;

const socket = dgram.createSocket('udp4');
await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
const localPort = socket.address().port;
const table = new TransactionTable({ maxTransactions: 4 });
socket.on('message', (buf) => {
  const r = parseMessage(buf, { transport: 'udp' });
  if (r.kind === 'ok' && r.message.kind === 'response')
    table.matchResponse(r.message)?.receiveResponse(r.message);
});

const headers = new SipHeaders();
headers.append('Via', `SIP/2.0/UDP 127.0.0.1:${localPort};branch=${newBranch()};rport`);
headers.append('Max-Forwards', '70');
headers.append('From', `<sip:platform@127.0.0.1:${localPort}>;tag=${randomBytes(6).toString('hex')}`);
headers.append('To', `<sip:+15551234567@127.0.0.1:${peerPort}>`);
headers.append('Call-ID', `${randomBytes(10).toString('hex')}@127.0.0.1`);
headers.append('CSeq', '1 INVITE');
headers.append('Contact', `<sip:platform@127.0.0.1:${localPort}>`);
const statuses: number[] = [];
const tx: InviteClientTransaction = new InviteClientTransaction(
  {
    kind: 'request',
    method: 'INVITE',
    uri: `sip:+15551234567@127.0.0.1:${peerPort}`,
    version: 'SIP/2.0',
    headers,
    body: Buffer.alloc(0),
  },
  {
    receiveResponse(r: SipResponse) {
      statuses.push(r.status);
      if (r.status >= 200) queueMicrotask(() => report('final'));
    },
    timeout: () => report('timeout'),
    transportError: () => report('transport_error'),
  },
  { transport: new UdpTransactionTransport(socket, '127.0.0.1', peerPort), clock: systemClock },
);

function report(outcome: WorkerReport['outcome']): void {
  const msg: WorkerReport = {
    threadId,
    ownerThreadId: table.ownerThreadId,
    statuses,
    outcome,
    state: tx.state,
    ack: tx.ack?.toString('utf8'),
    tableSize: table.size,
  };
  port!.postMessage(msg);
}

port.on('message', (m) => {
  if (m === 'close') socket.close(() => port.close());
});
if (table.add(tx).kind === 'added') tx.start();
