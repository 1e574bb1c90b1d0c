// Benchmark of the RFC 3261 §17 transaction layer (src/sip/transaction/): memory held per live
// transaction, and the cost of a whole INVITE server transaction (100 Trying, 486, ACK) relative to
// only parsing and serializing the same messages (the baseline, measured in the same run).
// Usage: node --expose-gc --import tsx bench/sip/transaction-table.ts [count]
import { parseMessage } from '../../src/sip/parser/parse-message.ts';
import { buildResponse, serializeResponse } from '../../src/sip/parser/serialize.ts';
import type { SipRequest } from '../../src/sip/parser/sip-message.ts';
import { InviteClientTransaction } from '../../src/sip/transaction/invite-client-transaction.ts';
import { InviteServerTransaction } from '../../src/sip/transaction/invite-server-transaction.ts';
import type { TransactionClock } from '../../src/sip/transaction/timers.ts';
import { TransactionTable } from '../../src/sip/transaction/transaction-table.ts';
import type { TransactionTransport } from '../../src/sip/transaction/transaction-transport.ts';

const count = Number(process.argv[2] ?? 20_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\n' +
  'a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n';

function invite(i: number): Buffer {
  return Buffer.from(
    `INVITE sip:+1555${String(i).padStart(7, '0')}@pbx.example.com SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${i}x7f;rport\r\n` +
      'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKupstream1\r\n' +
      'Max-Forwards: 69\r\nFrom: "Platform" <sip:+15550001111@platform.example.net>;tag=abc123\r\n' +
      `To: <sip:+1555${String(i).padStart(7, '0')}@pbx.example.com>\r\nCall-ID: ${i}-call@platform.example.net\r\n` +
      'CSeq: 1 INVITE\r\nContact: <sip:gw@198.51.100.1:5060>\r\nContent-Type: application/sdp\r\n' +
      `Content-Length: ${SDP.length}\r\n\r\n${SDP}`,
  );
}

function parseRequest(buf: Buffer): SipRequest {
  const r = parseMessage(buf, { transport: 'udp' });
  if (r.kind !== 'ok' || r.message.kind !== 'request') throw new Error('bench message does not parse');
  return r.message;
}

const transport: TransactionTransport = { reliable: false, send: () => {}, onError: () => () => {} };
// Timers are scheduled but never fire during the measurement: a live transaction is what we weigh.
const clock: TransactionClock = { setTimer: () => 0, clearTimer: () => {} };
const user = { receiveResponse: () => {}, timeout: () => {}, transportError: () => {} };
const ack = (i: number) =>
  parseRequest(
    Buffer.from(
      `ACK sip:+1555${String(i).padStart(7, '0')}@pbx.example.com SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${i}x7f;rport\r\nMax-Forwards: 70\r\n` +
        'From: "Platform" <sip:+15550001111@platform.example.net>;tag=abc123\r\n' +
        `To: <sip:+1555${String(i).padStart(7, '0')}@pbx.example.com>;tag=uas\r\nCall-ID: ${i}-call@platform.example.net\r\n` +
        'CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n',
    ),
  );

function heapPerTransaction(kind: 'server' | 'client'): number {
  const buffers = Array.from({ length: count }, (_, i) => invite(i));
  gc!();
  const before = process.memoryUsage();
  const table = new TransactionTable({ maxTransactions: count });
  for (let i = 0; i < count; i++) {
    const req = parseRequest(buffers[i]!);
    if (kind === 'server') {
      const tx = new InviteServerTransaction(req, user, { transport, clock });
      table.add(tx);
      tx.start();
      tx.respond(buildResponse(req, 486, 'Busy Here', [], 'uas'));
    } else {
      const tx = new InviteClientTransaction(req, user, { transport, clock });
      table.add(tx);
      tx.start();
    }
  }
  gc!();
  const after = process.memoryUsage();
  if (table.size !== count) throw new Error('table lost transactions');
  return (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / count;
}

function cyclesPerSecond(withTransactions: boolean): number {
  const buffers = Array.from({ length: count }, (_, i) => invite(i));
  const acks = Array.from({ length: count }, (_, i) => ack(i));
  const table = new TransactionTable({ maxTransactions: count });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const req = parseRequest(buffers[i]!);
    if (withTransactions) {
      const tx = new InviteServerTransaction(req, user, { transport, clock });
      table.add(tx);
      tx.start();
      tx.respond(buildResponse(req, 486, 'Busy Here', [], 'uas'));
      table.matchRequest(acks[i]!)?.receiveRequest(acks[i]!);
    } else {
      serializeResponse(buildResponse(req, 100, 'Trying'));
      serializeResponse(buildResponse(req, 486, 'Busy Here', [], 'uas'));
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return count / s;
}

const server = heapPerTransaction('server');
const client = heapPerTransaction('client');
cyclesPerSecond(true); // warm-up
cyclesPerSecond(false);
const base = cyclesPerSecond(false);
const withTx = cyclesPerSecond(true);
console.log(`transactions: ${count}, INVITE of ${invite(0).length} bytes with SDP`);
console.log('| measure | value |');
console.log('|---|---|');
console.log(
  `| heap per INVITE server transaction in Completed (after 100 + 486) | ${(server / 1024).toFixed(1)} KiB |`,
);
console.log(`| heap per INVITE client transaction in Calling | ${(client / 1024).toFixed(1)} KiB |`);
console.log(`| baseline: parse INVITE + build/serialize 100 and 486, per s | ${base.toFixed(0)} |`);
console.log(
  `| INVITE server transaction (100, 486, ACK matched → Confirmed), per s | ${withTx.toFixed(0)} |`,
);
console.log(`| ratio transaction / baseline | ${(withTx / base).toFixed(2)} |`);
