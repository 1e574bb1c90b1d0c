// Unit-test bench for the request pipeline's stages (src/sip/edge/stages/): real parsed messages
// (built as text, read by the edge's own parser), the real in-memory edge state, real metrics
// and a real pino logger; only the sockets are replaced by arrays that record what a stage sent.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { NetworkMatcher, parseNetwork } from '../../src/domain/address/index.ts';
import { computeAllHa1, type DigestAlgorithm } from '../../src/domain/digest/digest-hash.ts';
import type {
  AdmissionTarget,
  CredentialEntry,
  PolicySnapshot,
} from '../../src/sip/edge/admission-policy.ts';
import { deriveEdgeKeys } from '../../src/sip/edge/edge-keys.ts';
import { createEdgeMetrics } from '../../src/sip/edge/edge-metrics.ts';
import { edgeStateView } from '../../src/sip/edge/edge-state-adapter.ts';
import type { RequestHandlerDeps, Upstream } from '../../src/sip/edge/request-handler-deps.ts';
import { RequestContext } from '../../src/sip/edge/stages/request-context.ts';
import { Responder } from '../../src/sip/edge/stages/responder.ts';
import { TransactionCache } from '../../src/sip/edge/transaction-cache.ts';
import { parseMessage } from '../../src/sip/parser/parse-message.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/parser/sip-message.ts';
import type { Remote } from '../../src/sip/transport/remote.ts';
import { createEdgeState, type EdgeState } from '../../src/state/edge-state.ts';
import { createSharedStateMemory } from '../../src/state/shared-state.ts';

export const DOMAIN = 'sip.unit.test';
export const EDGE_HOST = '192.0.2.10';
export const EDGE_PORT = 5060;
export const CALLER: Remote = { transport: 'udp', address: '198.51.100.7', port: 5062 };
export const UPSTREAM: Upstream = { host: '203.0.113.5', port: 5080, transport: 'udp' };
export const PASSWORD = 'Stage-Passw0rd-1';

export interface TargetSpec {
  kind?: 'trunk' | 'application';
  id: string;
  enabled?: boolean;
  secure?: boolean;
  /** CIDRs of the ACL; absent: no IP check. */
  acl?: string[];
  /** username of a credential (password PASSWORD, realm DOMAIN); absent: no digest. */
  username?: string;
  cpsLimit?: number;
  digestAlgorithms?: DigestAlgorithm[];
}

function matcher(cidrs: readonly string[]): NetworkMatcher<true> {
  const m = new NetworkMatcher<true>();
  for (const c of cidrs) {
    const [ip, prefix] = c.split('/');
    const n = parseNetwork(ip ?? '', prefix === undefined ? undefined : Number(prefix));
    if (!n.ok) throw new Error(`bad CIDR ${c}`);
    m.insert(n.value, true);
  }
  return m;
}

/** A policy snapshot holding exactly `specs` (trunks answer at `{id}.{DOMAIN}`). */
export function policyOf(specs: readonly TargetSpec[]): PolicySnapshot {
  const trunks = new Map<string, AdmissionTarget>();
  const apps = new Map<string, AdmissionTarget>();
  const credentials = new Map<string, CredentialEntry>();
  const anywhere = matcher(specs.flatMap((s) => s.acl ?? []));
  for (const s of specs) {
    const acl = s.acl === undefined ? null : matcher(s.acl);
    const credentialUuid = s.username === undefined ? null : `cred-${s.id}`;
    if (s.username !== undefined) {
      credentials.set(`cred-${s.id}`, {
        credentialUuid: `cred-${s.id}`,
        accountAuthId: 'MAUNITACCOUNT0000001',
        username: s.username,
        realm: DOMAIN,
        ha1: computeAllHa1(s.username, DOMAIN, PASSWORD),
      });
    }
    const target: AdmissionTarget = {
      kind: s.kind ?? 'trunk',
      id: s.id,
      accountAuthId: 'MAUNITACCOUNT0000001',
      enabled: s.enabled ?? true,
      secure: s.secure ?? false,
      acl: acl === null ? null : { contains: (a) => acl.contains(a) },
      credentialUuid,
      cpsLimit: s.cpsLimit ?? null,
      digestAlgorithms: s.digestAlgorithms ?? null,
    };
    if (target.kind === 'trunk') trunks.set(`${s.id}.${DOMAIN}`.toLowerCase(), target);
    else apps.set(s.id, target);
  }
  return {
    version: 1,
    trunkByDomain: (host) => trunks.get(host),
    application: (id) => apps.get(id),
    credential: (id) => credentials.get(id),
    admittedAnywhere: (a) => anywhere.contains(a),
  };
}

export interface Sent {
  data: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

export interface StageBench {
  deps: RequestHandlerDeps;
  state: EdgeState;
  tx: TransactionCache;
  responder: Responder;
  /** What reply() was given: answers to the caller. */
  replies: Array<{ data: string; to: Remote }>;
  /** What sendTo() was given: relayed requests and responses. */
  sent: Sent[];
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Every log line as written (to check nothing secret is in it). */
  rawLog: string[];
  registry: Registry;
  now(): number;
  advance(ms: number): void;
  close(): Promise<void>;
}

export interface BenchOptions {
  targets?: TargetSpec[];
  upstream?: Upstream | undefined;
  /** Ban policy (partial: defaults 10 / 60 s / 60 s) and packets per second per source. */
  stateConfig?: {
    authFailure?: Partial<{ maxFailures: number; windowSeconds: number; banSeconds: number }>;
    sipPacketRate?: number;
  };
}

export async function stageBench(o: BenchOptions = {}): Promise<StageBench> {
  let clock = 1_750_000_000_000;
  const now = () => clock;
  const logs: Array<Record<string, unknown>> = [];
  const rawLog: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        rawLog.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const memory = createSharedStateMemory({
    policy: { maxFailures: 10, windowSeconds: 60, banSeconds: 60, ...o.stateConfig?.authFailure },
    packetRatePerSecond: o.stateConfig?.sipPacketRate ?? 200,
    sizes: { nonceSlots: 1024 },
  });
  const state = await createEdgeState({ memory, log, now });
  const registry = new Registry();
  const replies: StageBench['replies'] = [];
  const sent: Sent[] = [];
  const policy = policyOf(o.targets ?? []);
  const deps: RequestHandlerDeps = {
    identity: { host: EDGE_HOST, port: EDGE_PORT, sipDomain: DOMAIN },
    upstream: 'upstream' in o ? o.upstream : UPSTREAM,
    defaultAlgorithms: ['SHA-256', 'MD5'],
    nonceTtlSeconds: 300,
    keys: deriveEdgeKeys('unit-test-cluster-secret-0123456789'),
    policy: () => policy,
    state: edgeStateView(state, true),
    metrics: createEdgeMetrics(registry),
    log,
    reply: (data, to) => replies.push({ data: data.toString('utf8'), to }),
    sendTo: (data, host, port, transport) =>
      sent.push({ data: data.toString('utf8'), host, port, transport }),
    maxMessageSize: 65_535,
    now,
  };
  const tx = new TransactionCache();
  return {
    deps,
    state,
    tx,
    responder: new Responder(deps, tx, now),
    replies,
    sent,
    logs,
    rawLog,
    registry,
    now,
    advance: (ms) => {
      clock += ms;
    },
    close: () => state.close(),
  };
}

export interface RequestText {
  method: string;
  uri: string;
  /** Via values, top first; default one UDP Via from CALLER with a fresh branch. */
  via?: string[];
  fromTag?: string;
  toTag?: string;
  callId?: string;
  cseq?: number;
  /** Extra header lines, `Name: value`. */
  headers?: string[];
  body?: string;
}

let branchSeq = 0;
export function freshBranch(): string {
  branchSeq++;
  return `z9hG4bKunit${branchSeq}x${Math.floor(Math.random() * 1e9)}`;
}

/** A request as text, as a UA would send it. */
export function requestText(r: RequestText): string {
  const via = r.via ?? [`SIP/2.0/UDP ${CALLER.address}:${CALLER.port};branch=${freshBranch()};rport`];
  const lines = [`${r.method} ${r.uri} SIP/2.0`];
  for (const v of via) lines.push(`Via: ${v}`);
  lines.push('Max-Forwards: 70');
  lines.push(`From: <sip:caller@${DOMAIN}>;tag=${r.fromTag ?? 'fromtag1'}`);
  lines.push(`To: <${r.uri}>${r.toTag === undefined ? '' : `;tag=${r.toTag}`}`);
  lines.push(`Call-ID: ${r.callId ?? 'call-1@unit'}`);
  lines.push(`CSeq: ${r.cseq ?? 1} ${r.method}`);
  lines.push(`Contact: <sip:caller@${CALLER.address}:${CALLER.port}>`);
  for (const h of r.headers ?? []) lines.push(h);
  const body = r.body ?? '';
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Parses text with the edge's parser (throws when it does not parse: a test bug). */
export function parse(text: string, transport: 'udp' | 'stream' = 'udp'): SipMessage {
  const r = parseMessage(Buffer.from(text, 'utf8'), { transport, maxSize: 65_535 });
  if (r.kind !== 'ok') throw new Error(`test message does not parse: ${r.kind}`);
  return r.message;
}

export function parseRequest(text: string): SipRequest {
  const m = parse(text);
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}

export function parseResponse(text: string): SipResponse {
  const m = parse(text);
  if (m.kind !== 'response') throw new Error('not a response');
  return m;
}

/** A context for `r` from `from`, as the pipeline builds it before the ingress gate's check. */
export function contextOf(r: RequestText | string, from: Remote = CALLER): RequestContext {
  return new RequestContext(parseRequest(typeof r === 'string' ? r : requestText(r)), from, 0n);
}

/** First line and headers of a recorded message. */
export function statusOf(text: string): number {
  return Number(text.split('\r\n', 1)[0]?.split(' ')[1]);
}

export function headerOf(text: string, name: string): string[] {
  const out: string[] = [];
  const head = text.split('\r\n\r\n', 1)[0] ?? '';
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).trim().toLowerCase() === name.toLowerCase())
      out.push(line.slice(i + 1).trim());
  }
  return out;
}

/** The value of a counter series in the bench's registry. */
export async function outcomeCount(b: StageBench, outcome: string, transport = 'udp'): Promise<number> {
  const m = await b.registry.getSingleMetric('trunkgate_sip_requests_total')?.get();
  return (
    m?.values.find((v) => v.labels['outcome'] === outcome && v.labels['transport'] === transport)?.value ?? 0
  );
}
