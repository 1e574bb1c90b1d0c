// The edge's decision for every SIP message, in order (DESIGN.md "SIP edge"):
//   ban → packet cap → parse → responses relayed by Via → validation (RFC 3261 §16.3) →
//   retransmission → ACK/CANCEL/in-dialog → target by Request-URI → enabled → IP ACL → digest →
//   CPS → REGISTER/OPTIONS answered here, everything else forwarded upstream.
// Outcomes the protocol expects are values; exceptions are bugs or I/O failures and become a 500.
import { networkInterfaces } from 'node:os';
import { normalizeSourceAddress } from '../../domain/address/index.ts';
import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';
import type { Logger } from '../../logger.ts';
import { buildChallenges, challengeHeaderName, challengeStatus } from '../auth/challenge.ts';
import { acceptedAlgorithms, type ChallengeOrderPolicy, challengeOrder } from '../auth/challenge-order.ts';
import { createNonce } from '../auth/nonce.ts';
import { type VerifyOutcome, verifyDigest } from '../auth/verify.ts';
import { parseAuthHeader } from '../parser/auth-header.ts';
import { getCSeq } from '../parser/cseq.ts';
import { getContacts, getFrom, getRoutes, getTo } from '../parser/name-addr.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { validateRequestForProxy, validateResponseForProxy } from '../parser/request-validation.ts';
import { buildResponse, type HeaderInput, serializeRequest, serializeResponse } from '../parser/serialize.ts';
import { type SipHeader, SipHeaders } from '../parser/sip-headers.ts';
import type { SipRequest, SipResponse } from '../parser/sip-message.ts';
import { getRequestUri, parseSipUri, type SipUri } from '../parser/uri.ts';
import { getVias, type Via } from '../parser/via.ts';
import type { Remote } from '../transport/remote.ts';
import type { AdmissionTarget, PolicySnapshot } from './admission-policy.ts';
import type { EdgeKeys } from './edge-keys.ts';
import type { EdgeMetrics, Outcome } from './edge-metrics.ts';
import type { EdgeStateView } from './edge-state.ts';
import { dialogMac, verifyDialogMac } from './record-route.ts';
import { TransactionCache } from './transaction-cache.ts';
import { forwardBranch, isOurBranch } from './via-branch.ts';

export interface Upstream {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

export interface EdgeIdentity {
  /** Host we put in Via and Record-Route. */
  host: string;
  port: number;
  sipDomain: string;
}

export interface RequestHandlerDeps {
  identity: EdgeIdentity;
  upstream: Upstream | undefined;
  /** Which challenges, in which order, for a target without its own digest_algorithms. */
  digestOrder: ChallengeOrderPolicy;
  nonceTtlSeconds: number;
  keys: EdgeKeys;
  policy(): PolicySnapshot;
  state: EdgeStateView;
  metrics: EdgeMetrics;
  log: Logger;
  /** Sends bytes back to a caller (UDP datagram or TCP connection). */
  reply(data: Buffer, to: Remote): void;
  /** Sends bytes to a host:port over a transport (upstream, or a caller found by Via). */
  sendTo(data: Buffer, host: string, port: number, transport: 'udp' | 'tcp'): void;
  maxMessageSize: number;
  now?: () => number;
}

const IDENTITY_PREFIX = 'x-trunkgate-';
/** Every address of this machine, for recognising URIs that name the edge. */
const LOCAL_ADDRESSES: ReadonlySet<string> = new Set(
  Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined)
    .map((i) => i.address.toLowerCase()),
);
const SERVER_HEADER: HeaderInput = ['Server', 'trunkgate'];
const ALLOW: HeaderInput = [
  'Allow',
  'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, PRACK, UPDATE, INFO, REFER, NOTIFY, SUBSCRIBE, MESSAGE',
];
const MAX_REGISTER_EXPIRES = 3600;
const DEFAULT_REGISTER_EXPIRES = 3600;

interface Admission {
  auth: 'ip' | 'digest' | 'ip+digest' | 'none';
  credentialUuid: string | null;
}

export class RequestHandler {
  private readonly tx = new TransactionCache();
  private readonly now: () => number;
  private readonly toTag: string;

  constructor(private readonly d: RequestHandlerDeps) {
    this.now = d.now ?? Date.now;
    this.toTag = d.keys.toTag;
  }

  /** Entry point for every datagram / framed stream message. Never throws. */
  handle(data: Buffer, from: Remote): void {
    const started = process.hrtime.bigint();
    let transport = from.transport;
    try {
      if (this.d.state.isBanned(from.address)) {
        this.d.metrics.outcome('banned', transport);
        return; // dropped silently: a banned source learns nothing
      }
      if (!this.d.state.allowPacket(from.address)) {
        this.d.metrics.outcome('rate_capped', transport);
        return;
      }
      const parsed = parseMessage(data, {
        transport: from.transport === 'udp' ? 'udp' : 'stream',
        maxSize: this.d.maxMessageSize,
      });
      if (parsed.kind === 'keepalive' || parsed.kind === 'incomplete') return;
      if (parsed.kind === 'error') {
        this.d.metrics.outcome('parse_error', transport);
        this.refusalLog(from, 'parse_error', parsed.reason);
        if (parsed.canRespond && parsed.partial !== undefined) {
          const res = buildResponse(parsed.partial, parsed.status, statusReason(parsed.status), [
            SERVER_HEADER,
          ]);
          this.d.reply(serializeResponse(res), from);
        }
        return;
      }
      const msg = parsed.message;
      transport = from.transport;
      if (msg.kind === 'response') {
        this.relayResponse(msg);
        return;
      }
      void this.handleRequest(msg, from).then(
        () => this.d.metrics.observeLatency(Number(process.hrtime.bigint() - started) / 1e9),
        (err: unknown) => this.internalError(msg, from, err),
      );
    } catch (err) {
      this.d.log.error({ err: errMessage(err), source: from.address }, 'sip edge: unexpected error');
    }
  }

  private internalError(req: SipRequest, from: Remote, err: unknown): void {
    this.d.log.error(
      { err: errMessage(err), source: from.address, method: req.method },
      'sip edge: request failed',
    );
    this.d.metrics.outcome('state_unavailable', from.transport);
    if (req.method !== 'ACK') this.respond(req, from, 500, 'Server Internal Error', [['Retry-After', '5']]);
  }

  // ---- requests ----------------------------------------------------------------------------

  private async handleRequest(req: SipRequest, from: Remote): Promise<void> {
    const t = from.transport;
    const verdict = validateRequestForProxy(req);
    if (!verdict.ok) {
      this.d.metrics.outcome('invalid_request', t);
      this.refusalLog(from, 'invalid_request', verdict.reason, req);
      if (req.method !== 'ACK')
        this.respond(req, from, verdict.status, verdict.reason, verdict.headers ?? []);
      return;
    }
    const vias = getVias(req);
    if (!vias.ok || vias.value.length === 0) return; // validation guarantees a Via; be defensive
    const topVia = vias.value[0]!;
    // RFC 3261 §16.3 step 4 / §16.6: a request carrying our own branch has looped back to us.
    if (
      vias.value.some(
        (v) =>
          isOurBranch(v.branch) &&
          v.host === this.d.identity.host &&
          (v.port ?? 5060) === this.d.identity.port,
      )
    ) {
      this.d.metrics.outcome('invalid_request', t);
      if (req.method !== 'ACK') this.respond(req, from, 482, 'Loop Detected');
      return;
    }
    const branch = topVia.branch ?? '';
    const txKey = TransactionCache.key(branch, req.method, from.address, from.port);
    const cached = this.tx.get(txKey, this.now());
    if (cached !== undefined) {
      this.d.metrics.outcome('retransmission', t);
      if (cached.kind === 'response') this.d.reply(cached.data, from);
      else this.d.sendTo(cached.data, cached.host, cached.port, cached.transport);
      return;
    }

    const to = getTo(req);
    const inDialog = to.ok && to.value.tag !== undefined;
    if (req.method === 'ACK') {
      // An ACK for our own non-2xx final response is absorbed (§17.2.1); 2xx ACKs are in-dialog.
      if (inDialog && this.routedByUs(req)) this.relayInDialog(req, from, topVia);
      return;
    }
    if (req.method === 'CANCEL') {
      await this.handleCancel(req, from, topVia);
      return;
    }
    if (inDialog) {
      if (this.routedByUs(req)) {
        this.relayInDialog(req, from, topVia);
      } else {
        this.d.metrics.outcome('in_dialog_refused', t);
        this.refusalLog(from, 'in_dialog_refused', 'no Route of ours', req);
        this.respond(req, from, 481, 'Call/Transaction Does Not Exist');
      }
      return;
    }

    const ruri = getRequestUri(req);
    if (!ruri.ok || ruri.value.kind !== 'sip') {
      this.finalRefusal(req, from, txKey, 'not_found', 404, 'Not Found', 'request-uri is not a SIP URI');
      return;
    }
    const policy = this.d.policy();
    const target = this.findTarget(policy, ruri.value);
    const source = normalizeSourceAddress(from.address);
    if (source === null) return; // not an IP address: cannot come from a socket
    if (target === undefined) {
      if (req.method === 'OPTIONS' && ruri.value.user === undefined && this.isUs(ruri.value)) {
        // Keep-alive pings to the edge itself: answered for sources some ACL admits.
        if (policy.admittedAnywhere(source)) {
          this.d.metrics.outcome('options', t);
          this.respondCached(req, from, txKey, 200, 'OK', [ALLOW, ['Accept', 'application/sdp']]);
        } else {
          this.finalRefusal(req, from, txKey, 'acl_refused', 403, 'Forbidden', 'source not in any ACL');
        }
        return;
      }
      this.finalRefusal(
        req,
        from,
        txKey,
        'not_found',
        404,
        'Not Found',
        `no trunk or application for ${ruri.value.host}`,
      );
      return;
    }
    if (!target.enabled) {
      this.finalRefusal(
        req,
        from,
        txKey,
        'disabled',
        403,
        'Forbidden',
        `${target.kind} ${target.id} is disabled`,
      );
      return;
    }
    // The edge has no TLS transport yet, so a trunk marked secure admits nothing rather than
    // accepting its calls in the clear.
    if (target.secure) {
      this.finalRefusal(
        req,
        from,
        txKey,
        'disabled',
        403,
        'Forbidden',
        `${target.kind} ${target.id} requires TLS`,
      );
      return;
    }
    if (target.acl !== null && !target.acl.contains(source)) {
      this.finalRefusal(
        req,
        from,
        txKey,
        'acl_refused',
        403,
        'Forbidden',
        `source not in the ${target.kind}'s ACL`,
      );
      return;
    }
    const admission = await this.authenticate(req, from, target, policy, txKey);
    if (admission === undefined) return; // answered (challenge or refusal)

    if (req.method === 'INVITE' && target.cpsLimit !== null) {
      const r = await this.d.state.takeCps(`${target.kind}:${target.id}`, target.cpsLimit);
      if (!r.allowed) {
        this.d.metrics.outcome('cps_refused', t);
        this.refusalLog(
          from,
          'cps_refused',
          `${target.kind} ${target.id} over ${target.cpsLimit} calls/s`,
          req,
        );
        this.respondCached(req, from, txKey, 503, 'Service Unavailable', [
          ['Retry-After', String(Math.max(1, r.retryAfterSeconds))],
        ]);
        return;
      }
    }
    if (req.method === 'REGISTER') {
      await this.register(req, from, txKey, target);
      return;
    }
    if (req.method === 'OPTIONS' && ruri.value.user === undefined) {
      this.d.metrics.outcome('options', t);
      this.respondCached(req, from, txKey, 200, 'OK', [ALLOW]);
      return;
    }
    this.forward(req, from, topVia, txKey, target, admission);
  }

  /**
   * RFC 3261 §22.4 says the digest-uri is the Request-URI; some UACs (sipp among them) put the
   * address they sent to instead. We accept that only when it names this edge (its domain, its
   * advertised host or an address of this machine): a digest computed for anyone else is refused.
   */
  private uriTargetsEdge(digestUri: string): boolean {
    const p = parseSipUri(digestUri);
    if (!p.ok) return false;
    const host = p.value.host.replace(/^\[|\]$/g, '').toLowerCase();
    return (
      host === this.d.identity.sipDomain ||
      host === this.d.identity.host ||
      host.endsWith(`.${this.d.identity.sipDomain}`) ||
      LOCAL_ADDRESSES.has(host)
    );
  }

  private isUs(uri: SipUri): boolean {
    const host = uri.host.toLowerCase();
    return host === this.d.identity.sipDomain || host === this.d.identity.host;
  }

  /** `{trunk_id}.{sip_domain}` → trunk; `sip:{app_id}@{sip_domain}` → application. */
  private findTarget(policy: PolicySnapshot, uri: SipUri): AdmissionTarget | undefined {
    const host = uri.host.toLowerCase();
    const domain = this.d.identity.sipDomain;
    if (host.length > domain.length + 1 && host.endsWith(`.${domain}`)) return policy.trunkByDomain(host);
    if (host === domain && uri.user !== undefined) return policy.application(uri.user);
    return undefined;
  }

  // ---- digest ------------------------------------------------------------------------------

  private async authenticate(
    req: SipRequest,
    from: Remote,
    target: AdmissionTarget,
    policy: PolicySnapshot,
    txKey: string,
  ): Promise<Admission | undefined> {
    const ipChecked = target.acl !== null;
    if (target.credentialUuid === null) return { auth: ipChecked ? 'ip' : 'none', credentialUuid: null };
    const credential = policy.credential(target.credentialUuid);
    const realm = credential?.realm ?? this.d.identity.sipDomain;
    const role = req.method === 'REGISTER' ? 'uas' : 'proxy';
    const algorithms = challengeOrder(
      this.d.digestOrder,
      target.digestAlgorithms,
      req.headers.get('user-agent'),
    );
    const headerName = role === 'uas' ? 'authorization' : 'proxy-authorization';

    // Several credentials may be present (one per realm, §22.3): use the one for our realm.
    let params: ReadonlyMap<string, string> | undefined;
    let malformed = false;
    for (const value of req.headers.getAll(headerName)) {
      const parsed = parseAuthHeader(value);
      if (!parsed.ok) {
        malformed = true;
        continue;
      }
      // RFC 4475 §3.3.7: credentials of a scheme we do not know are well-formed; a registrar that
      // authenticates ignores them and challenges with a scheme it understands (no 400).
      if (parsed.value.scheme.toLowerCase() !== 'digest') continue;
      if (parsed.value.params.get('realm') === realm) {
        params = parsed.value.params;
        malformed = false;
        break;
      }
      params ??= parsed.value.params;
    }
    if (params === undefined) {
      if (malformed) {
        this.finalRefusal(req, from, txKey, 'invalid_request', 400, 'Bad Request', 'unparseable credentials');
        return undefined;
      }
      this.challenge(req, from, txKey, role, realm, algorithms, false);
      return undefined;
    }
    const outcome: VerifyOutcome = await verifyDigest(
      {
        secrets: this.d.keys.nonce,
        nonceTtlSeconds: this.d.nonceTtlSeconds,
        nonceCounts: this.d.state.nonceCounts,
        lookup: (username) =>
          credential !== undefined && username === credential.username ? credential.ha1 : undefined,
        now: this.now,
      },
      {
        params,
        method: req.method,
        realm,
        algorithms: acceptedAlgorithms(this.d.digestOrder, target.digestAlgorithms),
        uriPolicy: { kind: 'custom', check: (u) => sameUri(u, req.uri) || this.uriTargetsEdge(u) },
      },
    );
    switch (outcome.kind) {
      case 'ok':
        this.d.state.rememberAccepted(txKey);
        return { auth: ipChecked ? 'ip+digest' : 'digest', credentialUuid: target.credentialUuid };
      case 'replay':
        // A retransmission that reached another worker after the original was accepted.
        if (await this.d.state.wasAccepted(txKey)) {
          this.d.metrics.outcome('retransmission', from.transport);
          return { auth: ipChecked ? 'ip+digest' : 'digest', credentialUuid: target.credentialUuid };
        }
        this.d.metrics.outcome('replay', from.transport);
        this.refusalLog(from, 'replay', 'nonce-count reused', req);
        this.challenge(req, from, txKey, role, realm, algorithms, false, false);
        return undefined;
      case 'stale':
        this.d.metrics.outcome('stale', from.transport);
        this.challenge(req, from, txKey, role, realm, algorithms, true, false);
        return undefined;
      case 'malformed':
      case 'uri_mismatch':
        this.finalRefusal(
          req,
          from,
          txKey,
          'invalid_request',
          400,
          'Bad Request',
          `credentials: ${outcome.kind}`,
        );
        return undefined;
      default:
        // bad_digest (wrong password and unknown user alike), invalid_nonce, realm_mismatch,
        // algorithm_not_offered: one answer, a fresh challenge, and one failure towards a ban.
        this.d.metrics.outcome('bad_digest', from.transport);
        this.refusalLog(from, 'bad_digest', 'digest did not verify', req);
        void this.d.state.recordAuthFailure(from.address);
        this.challenge(req, from, txKey, role, realm, algorithms, false, false);
        return undefined;
    }
  }

  private challenge(
    req: SipRequest,
    from: Remote,
    txKey: string,
    role: 'uas' | 'proxy',
    realm: string,
    algorithms: readonly DigestAlgorithm[],
    stale: boolean,
    countAsChallenge = true,
  ): void {
    if (countAsChallenge) this.d.metrics.outcome('challenged', from.transport);
    const nonce = createNonce(this.d.keys.nonce, this.now(), realm);
    const headerName = challengeHeaderName(role);
    const extra: HeaderInput[] = buildChallenges({ realm, nonce, algorithms: [...algorithms], stale }).map(
      (v) => [headerName, v],
    );
    extra.push(SERVER_HEADER);
    const status = challengeStatus(role);
    this.respondCached(
      req,
      from,
      txKey,
      status,
      status === 401 ? 'Unauthorized' : 'Proxy Authentication Required',
      extra,
      false,
    );
  }

  // ---- REGISTER (RFC 3261 §10.3, bindings kept with expiry) ---------------------------------

  private async register(
    req: SipRequest,
    from: Remote,
    txKey: string,
    target: AdmissionTarget,
  ): Promise<void> {
    const toHdr = getTo(req);
    const aor =
      toHdr.ok && toHdr.value.uri.kind === 'sip'
        ? `${toHdr.value.uri.user ?? ''}@${toHdr.value.uri.host}`.toLowerCase()
        : '';
    const contacts = getContacts(req);
    const expiresHeader = req.headers.get('expires');
    const defaultExpires = clampExpires(
      expiresHeader === undefined ? DEFAULT_REGISTER_EXPIRES : Number(expiresHeader),
    );
    if (contacts.ok && !contacts.value.star) {
      for (const c of contacts.value.contacts) {
        const e = c.params.get('expires');
        const expires = e === undefined || e === null ? defaultExpires : clampExpires(Number(e));
        await this.d.state.setBinding(`${target.id}|${aor}`, c.uri.raw, expires);
      }
    } else if (contacts.ok && contacts.value.star) {
      for (const b of await this.d.state.getBindings(`${target.id}|${aor}`))
        await this.d.state.setBinding(`${target.id}|${aor}`, b.contact, 0);
    }
    const bindings = await this.d.state.getBindings(`${target.id}|${aor}`);
    const extra: HeaderInput[] = bindings.map((b) => [
      'Contact',
      `<${b.contact}>;expires=${b.expiresInSeconds}`,
    ]);
    extra.push(SERVER_HEADER);
    this.d.metrics.outcome('registered', from.transport);
    this.respondCached(req, from, txKey, 200, 'OK', extra);
  }

  // ---- forwarding (RFC 3261 §16.6, stateless §16.11) ---------------------------------------

  private forward(
    req: SipRequest,
    from: Remote,
    topVia: Via,
    txKey: string,
    target: AdmissionTarget,
    admission: Admission,
  ): void {
    const upstream = this.d.upstream;
    if (upstream === undefined) {
      this.finalRefusal(
        req,
        from,
        txKey,
        'not_found',
        503,
        'Service Unavailable',
        'no upstream configured (TRUNKGATE_UPSTREAM)',
      );
      return;
    }
    const h = req.headers;
    stripCallerIdentity(req);
    // Our realm's credentials are consumed here (§22.3); others pass through.
    if (admission.credentialUuid !== null)
      h.delete(req.method === 'REGISTER' ? 'Authorization' : 'Proxy-Authorization');
    h.set('Max-Forwards', String(maxForwardsMinusOne(h.get('max-forwards'))));
    const from_ = getFrom(req);
    const callId = h.get('call-id') ?? '';
    const fromTag = from_.ok ? (from_.value.tag ?? '') : '';
    if (
      req.method === 'INVITE' ||
      req.method === 'SUBSCRIBE' ||
      req.method === 'REFER' ||
      req.method === 'NOTIFY'
    ) {
      h.prepend('Record-Route', this.recordRoute(callId, fromTag, upstream.transport));
    }
    h.append('X-Trunkgate-Account', target.accountAuthId);
    h.append(target.kind === 'trunk' ? 'X-Trunkgate-Trunk' : 'X-Trunkgate-Application', target.id);
    h.append('X-Trunkgate-Auth', admission.auth === 'none' ? 'none' : admission.auth);
    if (admission.credentialUuid !== null) h.append('X-Trunkgate-Credential', admission.credentialUuid);
    this.pushVia(req, from, topVia, upstream.transport);
    const data = serializeRequest(req);
    this.tx.set(
      txKey,
      { kind: 'forwarded', data, host: upstream.host, port: upstream.port, transport: upstream.transport },
      this.now(),
    );
    // A CANCEL for this INVITE may reach another worker or node (handleCancel); digest-admitted
    // requests were already remembered in authenticate().
    if (req.method === 'INVITE' && admission.credentialUuid === null) this.d.state.rememberAccepted(txKey);
    this.d.metrics.outcome('admitted', from.transport);
    this.d.sendTo(data, upstream.host, upstream.port, upstream.transport);
  }

  private recordRoute(callId: string, fromTag: string, transport: 'udp' | 'tcp'): string {
    const { host, port } = this.d.identity;
    const h = host.includes(':') ? `[${host}]` : host;
    return `<sip:${h}:${port};transport=${transport};lr;tg=${dialogMac(this.d.keys.recordRoute, callId, fromTag)}>`;
  }

  /** Rewrites the caller's Via with received/rport (so responses find their way back, RFC 3581) and adds ours. */
  private pushVia(req: SipRequest, from: Remote, topVia: Via, transport: 'udp' | 'tcp'): void {
    const all = getVias(req);
    const rest = all.ok ? all.value.slice(1).map((v) => v.raw) : [];
    const callerVia = `${topVia.raw.replace(/;\s*(received|rport)(=[^;,]*)?/gi, '')};received=${from.address};rport=${from.port}`;
    const branch = forwardBranch(
      this.d.keys.branch,
      topVia.branch ?? '',
      `${topVia.host}:${topVia.port ?? ''}`,
      `${from.address}:${from.port}`,
    );
    const { host, port } = this.d.identity;
    const ourHost = host.includes(':') ? `[${host}]` : host;
    rewriteVias(req, [
      `SIP/2.0/${transport.toUpperCase()} ${ourHost}:${port};branch=${branch}`,
      callerVia,
      ...rest,
    ]);
  }

  /** §16.4 loose routing: the top Route is ours (HMAC-checked) — remove it and forward. */
  private routedByUs(req: SipRequest): boolean {
    const routes = getRoutes(req);
    if (!routes.ok || routes.value.length === 0) return false;
    const top = routes.value[0]!;
    if (top.uri.kind !== 'sip') return false;
    const mac = top.uri.params.get('tg');
    if (mac === undefined || mac === null) return false;
    const from = getFrom(req);
    const to = getTo(req);
    const callId = req.headers.get('call-id') ?? '';
    return verifyDialogMac(this.d.keys.recordRoute, mac, callId, [
      from.ok ? from.value.tag : undefined,
      to.ok ? to.value.tag : undefined,
    ]);
  }

  private relayInDialog(req: SipRequest, from: Remote, topVia: Via): void {
    const routes = getRoutes(req);
    if (!routes.ok) return;
    const remaining = routes.value.slice(1);
    req.headers.delete('Route');
    for (const r of remaining) req.headers.append('Route', r.raw);
    const ruri = getRequestUri(req);
    const next = remaining[0]?.uri ?? (ruri.ok ? ruri.value : undefined);
    if (next === undefined || next.kind !== 'sip') {
      if (req.method !== 'ACK') this.respond(req, from, 404, 'Not Found');
      return;
    }
    req.headers.set('Max-Forwards', String(maxForwardsMinusOne(req.headers.get('max-forwards'))));
    stripCallerIdentity(req);
    const transport: 'udp' | 'tcp' =
      (next.params.get('transport') ?? 'udp')?.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
    this.pushVia(req, from, topVia, transport);
    this.d.metrics.outcome('in_dialog_relayed', from.transport);
    const maddr = next.params.get('maddr');
    this.d.sendTo(serializeRequest(req), maddr ?? next.host, next.port ?? 5060, transport);
  }

  /** CANCEL follows its INVITE (§16.10): forwarded when the INVITE with the same branch was. */
  private async handleCancel(req: SipRequest, from: Remote, topVia: Via): Promise<void> {
    const inviteKey = TransactionCache.key(topVia.branch ?? '', 'INVITE', from.address, from.port);
    const cached = this.tx.get(inviteKey, this.now());
    let invite: { host: string; port: number; transport: 'udp' | 'tcp' } | undefined =
      cached?.kind === 'forwarded' ? cached : undefined;
    // Cluster workers share the port, so the INVITE may have been admitted by another worker (or
    // node): the shared state knows, and it went to the one configured upstream.
    if (invite === undefined && this.d.upstream !== undefined && (await this.d.state.wasAccepted(inviteKey)))
      invite = this.d.upstream;
    if (invite === undefined) {
      this.respond(req, from, 481, 'Call/Transaction Does Not Exist');
      return;
    }
    req.headers.set('Max-Forwards', String(maxForwardsMinusOne(req.headers.get('max-forwards'))));
    stripCallerIdentity(req);
    this.pushVia(req, from, topVia, invite.transport);
    this.d.sendTo(serializeRequest(req), invite.host, invite.port, invite.transport);
  }

  // ---- responses ---------------------------------------------------------------------------

  /** Responses return by Via (§16.7): pop ours, send to the next hop's received/rport. */
  private relayResponse(res: SipResponse): void {
    if (!validateResponseForProxy(res).ok) return;
    const vias = getVias(res);
    if (!vias.ok || vias.value.length < 2) return;
    const ours = vias.value[0]!;
    if (!isOurBranch(ours.branch)) return; // not ours: drop (§16.7 step 3)
    const next = vias.value[1]!;
    rewriteVias(
      res,
      vias.value.slice(1).map((v) => v.raw),
    );
    const host = next.received ?? next.host;
    const port = typeof next.rport === 'number' ? next.rport : (next.port ?? 5060);
    const transport = next.transport === 'TCP' ? 'tcp' : 'udp';
    this.d.metrics.responsesRelayed();
    this.d.sendTo(serializeResponse(res), host, port, transport);
  }

  // ---- answering ---------------------------------------------------------------------------

  private respond(
    req: SipRequest,
    to: Remote,
    status: number,
    reason: string,
    extra: readonly HeaderInput[] = [],
  ): Buffer {
    const res = buildResponse(req, status, reason, extra.length === 0 ? [SERVER_HEADER] : extra, this.toTag);
    const data = serializeResponse(res);
    this.d.reply(data, to);
    return data;
  }

  /** Answers and remembers the answer for retransmissions (§17.2). */
  private respondCached(
    req: SipRequest,
    to: Remote,
    txKey: string,
    status: number,
    reason: string,
    extra: readonly HeaderInput[] = [],
    addServer = true,
  ): void {
    const headers = addServer && !extra.includes(SERVER_HEADER) ? [...extra, SERVER_HEADER] : extra;
    const data = this.respond(req, to, status, reason, headers);
    this.tx.set(txKey, { kind: 'response', data }, this.now());
  }

  private finalRefusal(
    req: SipRequest,
    from: Remote,
    txKey: string,
    outcome: Outcome,
    status: number,
    reason: string,
    why: string,
  ): void {
    this.d.metrics.outcome(outcome, from.transport);
    this.refusalLog(from, outcome, why, req);
    this.respondCached(req, from, txKey, status, reason);
  }

  /** One structured line per refusal: source, reason; never a credential or a digest. */
  private refusalLog(from: Remote, outcome: string, why: string, req?: SipRequest): void {
    const cseq = req === undefined ? undefined : getCSeq(req);
    this.d.log.info(
      {
        sip: {
          outcome,
          reason: why,
          source: `${from.address}:${from.port}`,
          transport: from.transport,
          method: req?.method,
          call_id: req?.headers.get('call-id'),
          cseq: cseq?.ok ? cseq.value.seq : undefined,
        },
      },
      'sip request refused',
    );
  }
}

/** RFC 3261 §22.4: the digest-uri must be the Request-URI (scheme and host compared case-insensitively). */
function sameUri(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  return digestUri.length === requestUri.length && digestUri.toLowerCase() === requestUri.toLowerCase();
}

/** Identity comes only from us: whatever X-Trunkgate-* the caller sent is removed first. */
function stripCallerIdentity(req: SipRequest): void {
  for (const hdr of [...req.headers.list()])
    if (hdr.name.toLowerCase().startsWith(IDENTITY_PREFIX)) req.headers.delete(hdr.name);
}

function maxForwardsMinusOne(value: string | undefined): number {
  const n = value === undefined ? 70 : Number(value);
  return Number.isFinite(n) ? Math.max(0, n - 1) : 69;
}

function clampExpires(n: number): number {
  if (!Number.isFinite(n) || n < 0) return DEFAULT_REGISTER_EXPIRES;
  return Math.min(Math.floor(n), MAX_REGISTER_EXPIRES);
}

/** Replaces the Via fields with `vias`, one field each, where the first Via stood (order kept). */
function rewriteVias(msg: SipRequest | SipResponse, vias: readonly string[]): void {
  const fields: SipHeader[] = [];
  let placed = false;
  for (const hh of msg.headers.list()) {
    if (hh.name !== 'Via') {
      fields.push(hh);
      continue;
    }
    if (placed) continue;
    placed = true;
    for (const v of vias) fields.push(SipHeaders.field('Via', v));
  }
  msg.headers = new SipHeaders(fields);
}

function statusReason(status: number): string {
  switch (status) {
    case 400:
      return 'Bad Request';
    case 505:
      return 'Version Not Supported';
    case 501:
      return 'Not Implemented';
    case 513:
      return 'Message Too Large';
    default:
      return 'Bad Request';
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
