// SIP test harness: the real `trunkgate serve` (API + edge) on free ports over a temporary SQLite
// database, a user's API calls over real HTTP, sipp as a child process, and a tiny raw SIP client
// (node:dgram / node:net) that answers digest challenges with test/helpers/digest-uac.ts — sipp
// only speaks MD5. Nothing here imports src/: the edge is tested as a black box.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { answerChallenges, parseChallenges, type UacAlgorithm } from './digest-uac.ts';
import { REPO_ROOT, type ServerProcess, startServerProcess } from './server-process.ts';

export const SIP_DOMAIN = 'sip.test.local';
export const ROOT_AUTH_ID = 'MASIPTESTROOT0000001';
export const ROOT_AUTH_TOKEN = 'SipRootTokenForTests00000000000000000000';
export const SCENARIOS = join(REPO_ROOT, 'test', 'sip', 'scenarios');
export const RFC4475_DIR = join(REPO_ROOT, 'test', 'fixtures', 'sip', 'rfc4475');
/** A password the API accepts (12+ characters, upper, lower, digit). */
export const PASSWORD = 'Edge0Passw0rdXy';

export interface EdgeMode {
  name: string;
  workers: number;
  /** REDIS_URL set: bans also shared through Redis (nonce counts stay node-local). */
  redis?: boolean;
}

/** The edge modes the key cases run in: one edge thread, and two threads sharing the port. */
export const EDGE_MODES: readonly EdgeMode[] = [
  { name: 'one edge thread', workers: 1 },
  { name: 'two edge threads', workers: 2 },
];

/** For the suites whose subject is shared state (nonce counts, bans, CPS): also with Redis. */
export const STATE_MODES: readonly EdgeMode[] = [
  ...EDGE_MODES,
  { name: 'two edge threads, bans also in Redis', workers: 2, redis: true },
];

export const TEST_REDIS_URL = process.env['TRUNKGATE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Whether Redis answers PING (a raw RESP exchange: no client needed to find out). */
function redisAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d: Buffer) => done(d.toString().startsWith('+PONG')));
  });
}

const redisUp = await redisAnswers(TEST_REDIS_URL);

/** `describe` option for a mode: Redis modes skip (outside CI only) when Redis is unreachable. */
export function modeSkip(mode: EdgeMode): { skip?: string } {
  if (!mode.redis || redisUp) return {};
  if (process.env['CI']) throw new Error(`Redis is required under CI but ${TEST_REDIS_URL} does not answer`);
  return { skip: `Redis does not answer at ${TEST_REDIS_URL}` };
}

// ---- sipp presence -------------------------------------------------------------------------------

let sippChecked: boolean | undefined;

/**
 * Whether sipp is installed. Under CI (`CI` set, as `.ci/run` does after installing sip-tester) a
 * missing sipp throws, so the SIP suite fails instead of skipping.
 */
export function sippAvailable(): boolean {
  if (sippChecked === undefined) {
    const r = spawnSync('sipp', ['-v'], { encoding: 'utf8', timeout: 10_000 });
    sippChecked = r.error === undefined && /SIPp v3/.test(`${r.stdout}${r.stderr}`);
  }
  if (!sippChecked && process.env['CI']) {
    throw new Error(
      'sipp is required under CI (Debian package sip-tester; .ci/run installs it) but is not on PATH',
    );
  }
  return sippChecked;
}

/** `describe`/`test` option: skip (outside CI only) when sipp is missing. */
export function sippSkip(): { skip?: string } {
  return sippAvailable() ? {} : { skip: 'sipp is not installed (apt-get install sip-tester)' };
}

// ---- ports ---------------------------------------------------------------------------------------

function tryBind(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ port, host, exclusive: true }, () => {
      const a = srv.address();
      const got = typeof a === 'object' && a !== null ? a.port : undefined;
      const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      udp.once('error', () => {
        udp.close();
        srv.close(() => resolve(undefined));
      });
      udp.bind({ port: got ?? 0, address: host, exclusive: true }, () => {
        udp.close(() => srv.close(() => resolve(got)));
      });
    });
  });
}

/** A port free for both TCP and UDP on `host` right now (the edge uses one number for both). */
export async function freeSipPort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await tryBind(host, 0);
    if (p !== undefined && (host !== '::' || (await tryBind('0.0.0.0', p)) !== undefined)) return p;
  }
  throw new Error(`no free TCP+UDP port on ${host}`);
}

// ---- the server ----------------------------------------------------------------------------------

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  body: Record<string, any>;
}

export interface EdgeServer {
  process: ServerProcess;
  origin: string;
  /** UDP and TCP port of the edge. */
  sipPort: number;
  /** TRUNKGATE_SIP_POLICY_POLL_MS of the server. */
  policyPollMs: number;
  /** TRUNKGATE_REDIS_PREFIX when the server keeps its state in Redis. */
  redisPrefix: string | undefined;
  /** Address a client on this machine sends to (IPv4). */
  sipHost: string;
  workers: number;
  api(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<ApiResponse>;
  /** Prometheus text of GET /metrics. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export interface StartEdgeOptions {
  workers?: number;
  /** Keep the edge's shared state in Redis (under a prefix of its own, removed at stop). */
  redis?: boolean;
  /** Bind address of the edge; `::` is dual-stack (IPv4 callers arrive as IPv4-mapped IPv6). */
  bind?: string;
  env?: Record<string, string>;
  /** Extra arguments of `trunkgate serve`, e.g. `--api-only`. */
  serveArgs?: readonly string[];
}

/** `trunkgate serve` (API + edge) on free ports and a fresh SQLite file; resolves when /health answers. */
export async function startEdgeServer(o: StartEdgeOptions = {}): Promise<EdgeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'trunkgate-sip-'));
  const bind = o.bind ?? '127.0.0.1';
  const sipPort = await freeSipPort(bind);
  const workers = o.workers ?? 1;
  const redisPrefix = `tgtest${randomBytes(5).toString('hex')}:`;
  let proc: ServerProcess;
  try {
    proc = await startServerProcess(
      {
        TRUNKGATE_DB: join(dir, 'trunkgate.db'),
        TRUNKGATE_ROOT_AUTH_ID: ROOT_AUTH_ID,
        TRUNKGATE_ROOT_AUTH_TOKEN: ROOT_AUTH_TOKEN,
        TRUNKGATE_SIP_DOMAIN: SIP_DOMAIN,
        TRUNKGATE_SIP_HOST: bind,
        TRUNKGATE_SIP_PORT: String(sipPort),
        // Via / Record-Route must name an address sipp can reach (a wildcard bind advertises the domain).
        TRUNKGATE_SIP_ADVERTISE: `127.0.0.1:${sipPort}`,
        TRUNKGATE_SIP_WORKERS: String(workers),
        // sipp and the raw clients all send from 127.0.0.1: the per-source packet cap would throttle them.
        TRUNKGATE_SIP_PACKET_RATE: '0',
        TRUNKGATE_API_RATE_LIMIT: '100000',
        TRUNKGATE_API_RATE_BURST: '100000',
        // New trunks reach every worker sooner (the suite about change latency uses the default).
        TRUNKGATE_SIP_POLICY_POLL_MS: '100',
        ...(o.redis ? { REDIS_URL: TEST_REDIS_URL, TRUNKGATE_REDIS_PREFIX: redisPrefix } : {}),
        ...o.env,
      },
      o.serveArgs ?? [],
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const auth = `Basic ${Buffer.from(`${ROOT_AUTH_ID}:${ROOT_AUTH_TOKEN}`).toString('base64')}`;
  const origin = proc.origin;
  let stopped = false;
  return {
    process: proc,
    origin,
    sipPort,
    policyPollMs: Number(o.env?.['TRUNKGATE_SIP_POLICY_POLL_MS'] ?? 100),
    redisPrefix: o.redis ? redisPrefix : undefined,
    sipHost: '127.0.0.1',
    workers,
    async api(method, path, body) {
      const res = await fetch(`${origin}${path}`, {
        method,
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
        headers: {
          authorization: auth,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
    async metrics() {
      const res = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
      if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
      return res.text();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const child = proc.child;
      if (child.exitCode !== null || child.signalCode !== null) {
        rmSync(dir, { recursive: true, force: true });
        // A crash during the tests is a failure of its own, whatever the tests saw.
        throw new Error(
          `trunkgate serve died during the tests (${child.exitCode ?? child.signalCode}):\n${proc.stderr().slice(-4000)}\n${proc.stdout().slice(-4000)}`,
        );
      }
      const exit = await Promise.race([
        proc.stop('SIGTERM'),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000).unref()),
      ]);
      if (exit === undefined) await proc.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      if (o.redis) await deleteRedisKeys(redisPrefix);
    },
  };
}

/** Redis keys under `prefix` (SCAN, so it never blocks the server). */
export async function redisKeys(prefix: string): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const out: string[] = [];
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out;
}

/** Removes what a test server left in Redis (every key under its prefix). */
async function deleteRedisKeys(prefix: string): Promise<void> {
  const keys = await redisKeys(prefix);
  if (keys.length === 0) return;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
}

/** Bounds every HTTP call of the suite: a wedged server fails the test instead of hanging it. */
const HTTP_TIMEOUT_MS = 30_000;
/** For before()/after() hooks: starting or stopping a cluster server is slow, never unbounded. */
export const HOOK_TIMEOUT = { timeout: 120_000 };

/** The root account's resources path. */
export const ACCOUNT = `/v1/Account/${ROOT_AUTH_ID}`;

function expectStatus(r: ApiResponse, status: number, what: string): ApiResponse {
  if (r.status !== status)
    throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** A Zentrunk credential (realm = the SIP domain); returns its uuid. */
export async function createCredential(
  s: EdgeServer,
  username: string,
  password = PASSWORD,
): Promise<string> {
  const r = await s.api('POST', `${ACCOUNT}/Zentrunk/Credential/`, { username, password });
  return expectStatus(r, 201, 'create credential').body['credential_uuid'] as string;
}

/** A Zentrunk IP ACL listing CIDRs (`127.0.0.1/32`, `::1/128`); returns its uuid. */
export async function createAcl(s: EdgeServer, cidrs: string[]): Promise<string> {
  const r = await s.api('POST', `${ACCOUNT}/Zentrunk/IPAccessControlList/`, {
    name: `acl ${randomBytes(3).toString('hex')}`,
    ip_addresses: cidrs,
  });
  return expectStatus(r, 201, 'create IP ACL').body['ipacl_uuid'] as string;
}

export interface TrunkOptions {
  ipacl_uuid?: string;
  credential_uuid?: string;
  cps_limit?: number;
  digest_algorithms?: UacAlgorithm[];
  trunk_status?: 'enabled' | 'disabled';
}

/** An outbound trunk; returns its id and the domain callers put in the Request-URI. */
export async function createTrunk(
  s: EdgeServer,
  o: TrunkOptions,
): Promise<{ trunkId: string; domain: string }> {
  const r = await s.api('POST', `${ACCOUNT}/Zentrunk/Trunk/`, { trunk_direction: 'outbound', ...o });
  const trunkId = expectStatus(r, 201, 'create trunk').body['trunk_id'] as string;
  const got = expectStatus(await s.api('GET', `${ACCOUNT}/Zentrunk/Trunk/${trunkId}/`), 200, 'get trunk');
  return { trunkId, domain: got.body['trunk_domain'] as string };
}

export interface ApplicationOptions {
  sip_auth_type: 'none' | 'ip_acl' | 'credential' | 'ip_acl_and_credential';
  ip_acl_uuid?: string;
  credential_uuid?: string;
  digest_algorithms?: UacAlgorithm[];
}

/** An application; returns its id and its `sip:{app_id}@{sip_domain}` URI. */
export async function createApplication(
  s: EdgeServer,
  o: ApplicationOptions,
): Promise<{ appId: string; sipUri: string }> {
  const r = await s.api('POST', `${ACCOUNT}/Application/`, {
    app_name: `app ${randomBytes(3).toString('hex')}`,
    answer_url: 'https://example.com/answer',
    ...o,
  });
  const appId = expectStatus(r, 201, 'create application').body['app_id'] as string;
  const got = expectStatus(await s.api('GET', `${ACCOUNT}/Application/${appId}/`), 200, 'get application');
  return { appId, sipUri: got.body['sip_uri'] as string };
}

/**
 * Waits until every edge process answers `ruri` with something other than 404: a new trunk or
 * application reaches the edge by each process's policy poll (issue 7 item 8), so a test must not
 * race it. Cluster workers poll independently and share one socket, so after the first answer the
 * probes go on for two poll intervals (plus the reload itself), and any 404 starts over.
 */
export async function waitForTarget(s: EdgeServer, ruri: string): Promise<void> {
  const c = await udpClient(s.sipHost, s.sipPort);
  try {
    const window = s.workers > 1 ? 2 * s.policyPollMs + 200 : 0;
    const deadline = Date.now() + 15_000;
    let since: number | undefined;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`the edge still answers 404 for ${ruri} after 15 s`);
      const r = await c.request({ method: 'OPTIONS', ruri });
      if (r.status === 404) since = undefined;
      else {
        since ??= Date.now();
        if (Date.now() - since >= window) return;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  } finally {
    await c.close();
  }
}

/** Distinct usernames per test, so tests sharing a server never collide. */
export function uniqueUser(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

// ---- metrics -------------------------------------------------------------------------------------

/** Sum of `trunkgate_sip_requests_total{outcome=…}` over transports (or one transport). */
export function outcomeCount(metricsText: string, outcome: string, transport?: 'udp' | 'tcp'): number {
  let sum = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('trunkgate_sip_requests_total{')) continue;
    const m = /^trunkgate_sip_requests_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (m === null) continue;
    const labels = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]] as [string, string]),
    );
    if (labels['outcome'] !== outcome) continue;
    if (transport !== undefined && labels['transport'] !== transport) continue;
    sum += Number(m[2]);
  }
  return sum;
}

/** The value of an unlabelled series (e.g. a histogram's `_count`), 0 when absent. */
export function metricValue(metricsText: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{\\})?\\s+(\\S+)$`, 'm').exec(metricsText);
  return m === null ? 0 : Number(m[1]);
}

/** Every outcome's count, for before/after comparisons. */
export function outcomeCounts(metricsText: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metricsText.matchAll(
    /^trunkgate_sip_requests_total\{[^}]*outcome="([^"]+)"[^}]*\}\s+(\S+)/gm,
  ))
    out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  return out;
}

// ---- a tiny SIP message model ---------------------------------------------------------------------

export interface SipMsg {
  /** The start line. */
  startLine: string;
  /** Response status, or undefined for a request. */
  status: number | undefined;
  method: string | undefined;
  /** Header fields in order, names as sent. */
  headers: Array<[string, string]>;
  body: string;
  raw: string;
}

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
};

function canonical(name: string): string {
  const n = name.toLowerCase();
  return COMPACT[n] ?? n;
}

/** Parses one SIP message (no folding: the edge never folds). */
export function parseSip(raw: string): SipMsg {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end + 4);
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers: Array<[string, string]> = [];
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0) headers.push([l.slice(0, c).trim(), l.slice(c + 1).trim()]);
  }
  const sm = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  return {
    startLine,
    status: sm ? Number(sm[1]) : undefined,
    method: sm ? undefined : startLine.split(' ')[0],
    headers,
    body,
    raw,
  };
}

/** Every value of a header (compact forms folded in), in order. */
export function headerValues(msg: SipMsg, name: string): string[] {
  const want = canonical(name);
  return msg.headers.filter(([n]) => canonical(n) === want).map(([, v]) => v);
}

export function header(msg: SipMsg, name: string): string | undefined {
  return headerValues(msg, name)[0];
}

export function newBranch(): string {
  return `z9hG4bK-t${randomBytes(8).toString('hex')}`;
}

export interface RequestSpec {
  method: string;
  ruri: string;
  /** Top Via's sent-by; filled in by the client. */
  via?: string;
  branch?: string;
  from?: string;
  fromTag?: string;
  to?: string;
  toTag?: string;
  callId?: string;
  cseq?: number;
  contact?: string;
  maxForwards?: number;
  headers?: Array<[string, string]>;
  body?: string;
}

export function buildRequest(spec: RequestSpec & { transport: 'UDP' | 'TCP'; sentBy: string }): string {
  const lines = [
    `${spec.method} ${spec.ruri} SIP/2.0`,
    `Via: SIP/2.0/${spec.transport} ${spec.sentBy};branch=${spec.branch ?? newBranch()};rport`,
    `Max-Forwards: ${spec.maxForwards ?? 70}`,
    `From: ${spec.from ?? '<sip:caller@client.invalid>'};tag=${spec.fromTag ?? randomBytes(4).toString('hex')}`,
    `To: ${spec.to ?? `<${spec.ruri}>`}${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`,
    `Call-ID: ${spec.callId ?? `${randomBytes(8).toString('hex')}@client.invalid`}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.method}`,
  ];
  if (spec.contact !== undefined) lines.push(`Contact: ${spec.contact}`);
  for (const [n, v] of spec.headers ?? []) lines.push(`${n}: ${v}`);
  const body = spec.body ?? '';
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function topBranch(msg: SipMsg): string | undefined {
  const via = header(msg, 'via');
  return via === undefined ? undefined : /;\s*branch=([^;,\s]+)/i.exec(via)?.[1];
}

// ---- raw clients ---------------------------------------------------------------------------------

export interface SipClient {
  transport: 'UDP' | 'TCP';
  /** host:port we put in Via. */
  sentBy: string;
  /** Sends raw bytes. */
  sendRaw(data: string | Buffer): void;
  /** Sends a request built from `spec`; returns the exact bytes sent. */
  send(spec: RequestSpec): string;
  /**
   * The next final (non-1xx) response whose top Via branch is `branch`, or undefined if none came
   * within `waitMs` (used only to observe a drop: the edge answers on loopback in milliseconds).
   */
  response(branch: string, waitMs?: number): Promise<SipMsg | undefined>;
  /** Sends `spec` and waits for its final response (throws if none arrives). */
  request(spec: RequestSpec, waitMs?: number): Promise<SipMsg>;
  /** Every message received so far (responses and requests), oldest first. */
  received: SipMsg[];
  /** Next received datagram/message of any kind, or undefined after `waitMs`. */
  next(waitMs?: number): Promise<SipMsg | undefined>;
  close(): Promise<void>;
}

/** Long enough for a loopback answer on a busy 2-core machine; waits are only this long when nothing comes. */
export const ANSWER_WAIT_MS = 5_000;

abstract class BaseClient {
  readonly received: SipMsg[] = [];
  private waiters: Array<() => void> = [];
  private cursor = 0;
  /** Responses already handed out by response(): a retransmitted request waits for its own copy. */
  private readonly consumed = new WeakSet<SipMsg>();

  protected deliver(raw: string): void {
    this.received.push(parseSip(raw));
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  async response(branch: string, waitMs = ANSWER_WAIT_MS): Promise<SipMsg | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const m = this.received.find(
        (x) => x.status !== undefined && x.status >= 200 && topBranch(x) === branch && !this.consumed.has(x),
      );
      if (m !== undefined) {
        this.consumed.add(m);
        return m;
      }
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await this.wait(left);
    }
  }

  async next(waitMs = ANSWER_WAIT_MS): Promise<SipMsg | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (this.cursor < this.received.length) return this.received[this.cursor++];
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await this.wait(left);
    }
  }
}

class UdpClient extends BaseClient implements SipClient {
  readonly transport = 'UDP' as const;
  sentBy = '';
  constructor(
    private readonly socket: dgram.Socket,
    private readonly host: string,
    private readonly port: number,
  ) {
    super();
    socket.on('message', (data) => this.deliver(data.toString('utf8')));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, this.port, this.host);
  }

  send(spec: RequestSpec): string {
    const raw = buildRequest({ ...spec, transport: 'UDP', sentBy: this.sentBy });
    this.sendRaw(raw);
    return raw;
  }

  async request(spec: RequestSpec, waitMs = ANSWER_WAIT_MS): Promise<SipMsg> {
    const branch = spec.branch ?? newBranch();
    this.send({ ...spec, branch });
    const r = await this.response(branch, waitMs);
    if (r === undefined) throw new Error(`no answer to ${spec.method} ${spec.ruri} within ${waitMs} ms`);
    return r;
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** A UDP client bound to `local` (127.0.0.1, 127.0.0.2…, ::1) talking to the edge at host:port. */
export async function udpClient(host: string, port: number, local = '127.0.0.1'): Promise<SipClient> {
  const socket = dgram.createSocket(local.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, local, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const c = new UdpClient(socket, host, port);
  const a = socket.address();
  c.sentBy = `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
  return c;
}

class TcpClient extends BaseClient implements SipClient {
  readonly transport = 'TCP' as const;
  sentBy = '';
  private buf = Buffer.alloc(0);
  constructor(private readonly socket: net.Socket) {
    super();
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.frame();
    });
  }

  /** RFC 3261 §18.3: stream framing by Content-Length. */
  private frame(): void {
    for (;;) {
      while (this.buf.length >= 2 && this.buf[0] === 13 && this.buf[1] === 10)
        this.buf = this.buf.subarray(2);
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.subarray(0, end).toString('utf8');
      const cl = /^(?:content-length|l)\s*:\s*(\d+)/im.exec(head);
      const len = cl ? Number(cl[1]) : 0;
      if (this.buf.length < end + 4 + len) return;
      this.deliver(this.buf.subarray(0, end + 4 + len).toString('utf8'));
      this.buf = this.buf.subarray(end + 4 + len);
    }
  }

  sendRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  send(spec: RequestSpec): string {
    const raw = buildRequest({ ...spec, transport: 'TCP', sentBy: this.sentBy });
    this.sendRaw(raw);
    return raw;
  }

  async request(spec: RequestSpec, waitMs = ANSWER_WAIT_MS): Promise<SipMsg> {
    const branch = spec.branch ?? newBranch();
    this.send({ ...spec, branch });
    const r = await this.response(branch, waitMs);
    if (r === undefined)
      throw new Error(`no answer to ${spec.method} ${spec.ruri} over TCP within ${waitMs} ms`);
    return r;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      if (this.socket.destroyed) return r();
      this.socket.once('close', () => r());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }
}

/** A TCP connection from `local` to the edge at host:port. */
export async function tcpClient(host: string, port: number, local = '127.0.0.1'): Promise<SipClient> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host, port, localAddress: local }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  const c = new TcpClient(socket);
  c.sentBy = `${socket.localAddress?.includes(':') ? `[${socket.localAddress}]` : socket.localAddress}:${socket.localPort}`;
  return c;
}

// ---- digest UAC over a raw client ---------------------------------------------------------------

export interface AuthAttempt {
  /** The 401/407 that carried the challenges. */
  challenge: SipMsg;
  /** The Authorization / Proxy-Authorization value sent. */
  authorization: string;
  /** The bytes of the authenticated request (for retransmitting it). */
  sent: string;
  branch: string;
  /** Its final response. */
  final: SipMsg;
}

export interface AuthOptions {
  username: string;
  password: string;
  /** Answer the challenge for this algorithm (default: the first one offered). */
  algorithm?: UacAlgorithm;
  nc?: number;
  cnonce?: string;
  /** Digest-uri (default: the Request-URI, RFC 3261 §22.4). */
  digestUri?: string;
}

/**
 * Sends `spec` unauthenticated, expects a 401 (REGISTER) or 407, answers the chosen challenge and
 * returns the final response to the authenticated request (same Call-ID, CSeq + 1, new branch).
 */
export async function sendAuthenticated(
  c: SipClient,
  spec: RequestSpec,
  auth: AuthOptions,
): Promise<AuthAttempt> {
  const callId = spec.callId ?? `${randomBytes(8).toString('hex')}@client.invalid`;
  const fromTag = spec.fromTag ?? randomBytes(4).toString('hex');
  const cseq = spec.cseq ?? 1;
  const first = await c.request({ ...spec, callId, fromTag, cseq });
  const expected = spec.method === 'REGISTER' ? 401 : 407;
  if (first.status !== expected)
    throw new Error(`expected ${expected} to ${spec.method}, got:\n${first.raw}`);
  return answerChallenge(c, { ...spec, callId, fromTag, cseq: cseq + 1 }, first, auth);
}

/**
 * The Authorization / Proxy-Authorization value answering `challenge` (a 401 or 407) for `method`
 * and `uri`: the challenge for `auth.algorithm`, or the first one offered (RFC 8760 §2.4).
 */
export function authorizationFor(challenge: SipMsg, method: string, uri: string, auth: AuthOptions): string {
  const values = headerValues(
    challenge,
    challenge.status === 401 ? 'www-authenticate' : 'proxy-authenticate',
  );
  const offered = parseChallenges(values);
  const chosen =
    auth.algorithm === undefined ? values : values.filter((_, i) => offered[i]?.algorithm === auth.algorithm);
  if (chosen.length === 0) throw new Error(`no ${auth.algorithm} challenge in:\n${challenge.raw}`);
  return answerChallenges(chosen, {
    username: auth.username,
    password: auth.password,
    method,
    uri: auth.digestUri ?? uri,
    ...(auth.nc === undefined ? {} : { nc: auth.nc }),
    ...(auth.cnonce === undefined ? {} : { cnonce: auth.cnonce }),
  }).authorization;
}

/** Answers the challenges of `challenge` (a 401/407) by sending `spec` with credentials. */
export async function answerChallenge(
  c: SipClient,
  spec: RequestSpec,
  challenge: SipMsg,
  auth: AuthOptions,
): Promise<AuthAttempt> {
  const authorization = authorizationFor(challenge, spec.method, spec.ruri, auth);
  const branch = newBranch();
  const headers: Array<[string, string]> = [
    ...(spec.headers ?? []),
    [spec.method === 'REGISTER' ? 'Authorization' : 'Proxy-Authorization', authorization],
  ];
  const sent = c.send({ ...spec, branch, headers });
  const final = await c.response(branch);
  if (final === undefined) throw new Error(`no answer to the authenticated ${spec.method}`);
  return { challenge, authorization, sent, branch, final };
}

// ---- a raw upstream (what the voice platform receives) -------------------------------------------

export interface RawUpstream {
  port: number;
  uri: string;
  /** Requests received, in order. */
  received: SipMsg[];
  close(): Promise<void>;
}

/** A UDP listener standing in for the upstream voice platform; it records and never answers. */
export async function rawUpstream(): Promise<RawUpstream> {
  const socket = dgram.createSocket('udp4');
  const received: SipMsg[] = [];
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  socket.on('message', (d) => received.push(parseSip(d.toString('utf8'))));
  const port = socket.address().port;
  return {
    port,
    uri: `sip:127.0.0.1:${port};transport=udp`,
    received,
    close: () => new Promise((r) => socket.close(() => r())),
  };
}

// ---- sipp ----------------------------------------------------------------------------------------

export interface SippResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last row of the -trace_stat CSV, by column name. */
  stats: Record<string, string>;
  successful: number;
  failed: number;
  output: string;
  /** The -trace_err log (messages sipp found unexpected), if any. */
  errors: string;
  /** The -trace_msg log, when asked for. */
  messages: string;
}

export interface SippOptions {
  scenario: string;
  /** host:port of the edge (absent for a UAS). */
  target?: string;
  /** sipp -t: one UDP socket, one TCP connection, or one TCP connection per call. */
  transport?: 'u1' | 't1' | 'tn';
  /** -inf rows: username;domain;password. */
  user?: { username: string; domain: string; password: string };
  calls: number;
  rate?: number;
  /** sipp's own -timeout (s); the child is also killed 20 s after it. */
  timeoutSeconds: number;
  /** sipp's -p: its UDP/TCP port (sipp itself would try 5060 first, which parallel tests share). */
  localPort: number;
  traceMessages?: boolean;
  extra?: string[];
}

function parseStats(csv: string): Record<string, string> {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return {};
  const head = lines[0]!.split(';');
  const last = lines[lines.length - 1]!.split(';');
  return Object.fromEntries(head.map((h, i) => [h, last[i] ?? '']));
}

export interface SippProcess {
  child: ChildProcess;
  /** Resolves when sipp exits (on its own, by -m / -timeout, or killed). */
  done: Promise<SippResult>;
  /** Stops it (SIGUSR1 asks sipp to finish; SIGKILL if it lingers). */
  stop(): Promise<SippResult>;
}

/** Starts sipp in its own temp directory (it writes its logs into the working directory). */
export function startSipp(o: SippOptions): SippProcess {
  const dir = mkdtempSync(join(tmpdir(), 'trunkgate-sipp-'));
  const args = [
    ...(o.target === undefined ? [] : [o.target]),
    '-sf',
    join(SCENARIOS, o.scenario),
    '-t',
    o.transport ?? 'u1',
    '-i',
    '127.0.0.1',
    '-p',
    String(o.localPort),
    '-m',
    String(o.calls),
    '-nostdin',
    '-timeout',
    `${o.timeoutSeconds}s`,
    '-timeout_error',
    '-trace_stat',
    '-stf',
    join(dir, 'stat.csv'),
    '-fd',
    '1',
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
  ];
  if (o.rate !== undefined) args.push('-r', String(o.rate), '-l', String(Math.max(10, o.rate * 4)));
  if (o.user !== undefined) {
    writeFileSync(
      join(dir, 'users.csv'),
      `SEQUENTIAL\n${o.user.username};${o.user.domain};${o.user.password}\n`,
    );
    args.push('-inf', join(dir, 'users.csv'), '-au', o.user.username, '-ap', o.user.password);
  }
  if (o.traceMessages) args.push('-trace_msg', '-message_file', join(dir, 'messages.log'));
  args.push(...(o.extra ?? []));
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-200_000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-200_000);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), (o.timeoutSeconds + 20) * 1000);
  killer.unref();
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const done = new Promise<SippResult>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      const stats = parseStats(read('stat.csv'));
      const result: SippResult = {
        code,
        signal,
        stats,
        successful: Number(stats['SuccessfulCall(C)'] ?? 0),
        failed: Number(stats['FailedCall(C)'] ?? 0),
        output,
        errors: read('errors.log'),
        messages: read('messages.log'),
      };
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
    child.once('error', (err) => {
      output += `\nspawn error: ${err.message}`;
    });
  });
  return {
    child,
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGUSR1');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        t.unref();
        const r = await done;
        clearTimeout(t);
        return r;
      }
      return done;
    },
  };
}

/**
 * Waits (bounded) until something has bound UDP `port` — a sipp UAS started in the background.
 * Reads /proc/net/udp (Linux, where sipp runs) rather than probing with a bind of our own, which
 * could steal the port from sipp at the wrong moment.
 */
export async function waitForUdpBound(port: number, waitMs = 15_000): Promise<void> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const table = readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1);
    if (table.some((l) => l.trim().split(/\s+/)[1]?.endsWith(hexPort))) return;
    if (Date.now() > deadline) throw new Error(`nothing bound UDP port ${port} within ${waitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs sipp to completion (bounded by -m, -timeout and a kill timer) from a free local port. */
export async function runSipp(
  o: Omit<SippOptions, 'localPort'> & { localPort?: number },
): Promise<SippResult> {
  return startSipp({ ...o, localPort: o.localPort ?? (await freeSipPort()) }).done;
}

/** A compact description of a sipp run for assertion messages. */
export function describeSipp(r: SippResult): string {
  return `sipp exit ${r.code ?? r.signal}, ok=${r.successful} failed=${r.failed}\n${r.output.slice(-3000)}\nfirst errors:\n${r.errors.slice(0, 3000)}`;
}

// ---- RFC 4475 ------------------------------------------------------------------------------------

export function readRfc4475Manifest(): Array<{
  file: string;
  section: string;
  title: string;
  expect: string;
}> {
  const lines = readFileSync(join(RFC4475_DIR, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.slice(1).map((l) => {
    const [file = '', section = '', title = '', expect = ''] = l.split('\t');
    return { file, section, title, expect };
  });
}

export function readRfc4475(file: string): Buffer {
  return readFileSync(join(RFC4475_DIR, file));
}

/** Polls `check` until it returns a value (not undefined) or `waitMs` passes. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  waitMs: number,
  intervalMs = 50,
): Promise<T | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
