// A SIP load generator for authenticated REGISTERs with any digest algorithm (sipp 3.6 speaks MD5
// only). Each transaction is REGISTER → 401 → REGISTER + Authorization (qop=auth, nc=00000001, a
// fresh cnonce) → 200, over one UDP socket, as sipp's register-auth.xml does; the digest answer is
// computed by test/helpers/digest-uac.ts (checked against the RFC 7616 vectors by its unit test).
//
//   node --import tsx bench/sip/digest-load.ts --target 127.0.0.1:5080 --domain T.bench.local \
//     --user user0000 --pass P --algorithm SHA-256 --rates 2000,4000 --duration 10
//
// Open loop (--rates): new transactions start at RATE/s for DURATION s, whatever the answers.
// Closed loop (--concurrency N): N transactions always in flight, for DURATION s; the completed
// rate is the edge's capacity for this client, with no queue growing anywhere.
// Lost messages are retransmitted after 500 ms, 1 s, 2 s, 4 s (RFC 3261 §17.1.2.2 timer E, capped);
// a transaction with no final answer 8 s after the run is failed.
// One JSON line per step on stdout: {algorithm, mode, rate, started, ok, failed, retrans,
// elapsed_s, achieved, p50_ms, p99_ms, cpu_pct, pass}.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { answerChallenges, type UacAlgorithm } from '../../test/helpers/digest-uac.ts';

interface Options {
  host: string;
  port: number;
  domain: string;
  user: string;
  pass: string;
  algorithm: UacAlgorithm;
  rates: number[];
  concurrency: number;
  duration: number;
  stopOnFail: boolean;
}

function parseArgs(argv: string[]): Options {
  const a = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) a.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '');
  const [host = '127.0.0.1', port = '5060'] = (a.get('target') ?? '').split(':');
  const algorithm = (a.get('algorithm') ?? 'MD5') as UacAlgorithm;
  if (!['MD5', 'SHA-256', 'SHA-512-256'].includes(algorithm)) throw new Error(`bad --algorithm ${algorithm}`);
  return {
    host,
    port: Number(port),
    domain: a.get('domain') ?? 'bench.local',
    user: a.get('user') ?? 'user0000',
    pass: a.get('pass') ?? 'Bench0000Passw0rd',
    algorithm,
    rates: (a.get('rates') ?? '').split(',').filter(Boolean).map(Number),
    concurrency: Number(a.get('concurrency') ?? '0'),
    duration: Number(a.get('duration') ?? '10'),
    stopOnFail: a.get('keep-going') === undefined,
  };
}

const o = parseArgs(process.argv.slice(2));
const socket = dgram.createSocket('udp4');
await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
socket.setRecvBufferSize(4 * 1024 * 1024);
socket.setSendBufferSize(4 * 1024 * 1024);
const local = socket.address();
const ruri = `sip:${o.domain}`;
const tagBase = randomBytes(4).toString('hex');

interface Tx {
  callId: string;
  step: 1 | 2;
  message: Buffer;
  startedAt: number;
  sentAt: number;
  retries: number;
}

const inFlight = new Map<string, Tx>();
let seq = 0;
let stats = { started: 0, ok: 0, failed: 0, retrans: 0 };
let latencies: number[] = [];
let onComplete: (() => void) | undefined;

function register(tx: Tx, cseq: number, authorization: string | undefined): Buffer {
  const branch = `z9hG4bK-${tx.callId}-${cseq}`;
  const lines = [
    `REGISTER ${ruri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=${branch}`,
    `From: <sip:${o.user}@${o.domain}>;tag=${tagBase}${tx.callId}`,
    `To: <sip:${o.user}@${o.domain}>`,
    `Call-ID: ${tx.callId}`,
    `CSeq: ${cseq} REGISTER`,
    `Contact: <sip:${o.user}@${local.address}:${local.port}>`,
  ];
  if (authorization !== undefined) lines.push(`Authorization: ${authorization}`);
  lines.push('Max-Forwards: 70', 'Expires: 3600', 'User-Agent: trunkgate-bench', 'Content-Length: 0', '', '');
  return Buffer.from(lines.join('\r\n'));
}

function send(tx: Tx, now: number): void {
  tx.sentAt = now;
  socket.send(tx.message, o.port, o.host);
}

function start(now: number): void {
  const tx: Tx = {
    callId: `${(seq++).toString(36)}-${tagBase}`,
    step: 1,
    message: Buffer.alloc(0),
    startedAt: now,
    sentAt: now,
    retries: 0,
  };
  tx.message = register(tx, 1, undefined);
  inFlight.set(tx.callId, tx);
  stats.started++;
  send(tx, now);
}

function header(text: string, name: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  const key = `\r\n${name.toLowerCase()}:`;
  let i = lower.indexOf(key);
  while (i >= 0) {
    const end = text.indexOf('\r\n', i + key.length);
    out.push(text.slice(i + key.length, end < 0 ? undefined : end).trim());
    i = lower.indexOf(key, i + key.length);
  }
  return out;
}

socket.on('message', (msg) => {
  const text = msg.toString('latin1');
  const status = Number(text.slice(8, 11));
  const callId = header(text, 'call-id')[0] ?? header(text, 'i')[0];
  const tx = callId === undefined ? undefined : inFlight.get(callId);
  if (tx === undefined) return; // a late answer to a retransmission
  const cseq = Number((header(text, 'cseq')[0] ?? '0').split(' ')[0]);
  if (cseq !== tx.step) return; // an answer to the previous step, retransmitted
  const now = performance.now();
  if (tx.step === 1 && status === 401) {
    const { authorization } = answerChallenges(header(text, 'www-authenticate'), {
      username: o.user,
      password: o.pass,
      method: 'REGISTER',
      uri: ruri,
      nc: 1,
      cnonce: randomBytes(6).toString('hex'),
    });
    tx.step = 2;
    tx.retries = 0;
    tx.message = register(tx, 2, authorization);
    send(tx, now);
    return;
  }
  if (status < 200) return;
  inFlight.delete(tx.callId);
  if (tx.step === 2 && status === 200) {
    stats.ok++;
    latencies.push(now - tx.startedAt);
  } else {
    stats.failed++;
  }
  onComplete?.();
});

/** Timer E: retransmit after 500 ms, then doubling up to 4 s. */
const retransmitter = setInterval(() => {
  const now = performance.now();
  for (const tx of inFlight.values()) {
    if (now - tx.sentAt >= Math.min(4000, 500 * 2 ** tx.retries)) {
      tx.retries++;
      stats.retrans++;
      send(tx, now);
    }
  }
}, 20);

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function drain(deadline: number): Promise<void> {
  while (inFlight.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  stats.failed += inFlight.size;
  inFlight.clear();
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function step(rate: number): Promise<boolean> {
  stats = { started: 0, ok: 0, failed: 0, retrans: 0 };
  latencies = [];
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const end = t0 + o.duration * 1000;
  if (o.concurrency > 0) {
    onComplete = () => {
      if (performance.now() < end) start(performance.now());
    };
    for (let i = 0; i < o.concurrency; i++) start(t0);
    await new Promise((r) => setTimeout(r, o.duration * 1000));
    onComplete = undefined;
  } else {
    const total = Math.round(rate * o.duration);
    await new Promise<void>((resolve) => {
      const pace = setInterval(() => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - t0) / 1000) * rate));
        while (stats.started < due) start(now);
        if (stats.started >= total) {
          clearInterval(pace);
          resolve();
        }
      }, 1);
    });
  }
  await drain(performance.now() + 8000);
  const elapsed = (performance.now() - t0) / 1000;
  // Closed loop: the rate is what completed within the run; open loop: what completed over the
  // time it took (a run that fell behind takes longer than DURATION).
  const achieved = o.concurrency > 0 ? stats.ok / o.duration : stats.ok / elapsed;
  const sorted = latencies.sort((a, b) => a - b);
  const pass =
    stats.failed === 0 &&
    stats.retrans === 0 &&
    (o.concurrency > 0 || (stats.ok === stats.started && achieved >= 0.97 * rate));
  const line = {
    algorithm: o.algorithm,
    mode: o.concurrency > 0 ? `closed(${o.concurrency})` : 'open',
    rate: o.concurrency > 0 ? null : rate,
    started: stats.started,
    ok: stats.ok,
    failed: stats.failed,
    retrans: stats.retrans,
    elapsed_s: Number(elapsed.toFixed(2)),
    achieved: Math.round(achieved),
    p50_ms: Number(pct(sorted, 50).toFixed(2)),
    p99_ms: Number(pct(sorted, 99).toFixed(2)),
    cpu_pct: Math.round((100 * (cpuSeconds() - cpu0)) / elapsed),
    pass,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return pass;
}

if (o.concurrency > 0) {
  await step(0);
} else {
  let failures = 0;
  for (const rate of o.rates) {
    let passed = await step(rate);
    if (!passed) passed = await step(rate); // one retry, as bench/sip-vs-kamailio.sh does
    if (!passed && o.stopOnFail && ++failures >= 1) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
}
clearInterval(retransmitter);
socket.close();
