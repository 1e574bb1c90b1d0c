// Digest (Kamailio's AUTH route): a target with a credential admits only requests whose
// credentials for our realm verify (RFC 3261 §22, RFC 8760); REGISTER is challenged as a
// registrar (401, §22.2), everything else as a proxy (407, §22.3). Expected outcomes (missing,
// stale, replay, bad digest) are answered here and the request goes no further.
import { networkInterfaces } from 'node:os';
import type { DigestAlgorithm } from '../../../domain/digest/digest-hash.ts';
import { buildChallenges, challengeHeaderName, challengeStatus } from '../../auth/challenge.ts';
import { createNonce } from '../../auth/nonce.ts';
import { type VerifyOutcome, verifyDigest } from '../../auth/verify.ts';
import { parseAuthHeader } from '../../parser/auth-header.ts';
import type { HeaderInput } from '../../parser/serialize.ts';
import { parseSipUri } from '../../parser/uri.ts';
import type { FailureOutcome } from '../../state/ban-list.ts';
import type { AdmissionTarget } from '../admission-policy.ts';
import type { RequestHandlerDeps } from '../request-handler-deps.ts';
import type { RequestContext } from './request-context.ts';
import { type Responder, SERVER_HEADER } from './responder.ts';

/** Every address of this machine, for recognising URIs that name the edge. */
const LOCAL_ADDRESSES: ReadonlySet<string> = new Set(
  Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined)
    .map((i) => i.address.toLowerCase()),
);

export class Digest {
  constructor(
    private readonly d: RequestHandlerDeps,
    private readonly responder: Responder,
    private readonly now: () => number,
  ) {}

  /** Sets ctx.auth and ctx.credentialUuid; false when the request has been answered. */
  async run(ctx: RequestContext): Promise<boolean> {
    const { req, from } = ctx;
    const target = ctx.target as AdmissionTarget;
    const ipChecked = target.acl !== null;
    if (target.credentialUuid === null) {
      ctx.auth = ipChecked ? 'ip' : 'none';
      return true;
    }
    const credential = ctx.policy?.credential(target.credentialUuid);
    const realm = credential?.realm ?? this.d.identity.sipDomain;
    const role = req.method === 'REGISTER' ? 'uas' : 'proxy';
    const algorithms = target.digestAlgorithms ?? this.d.defaultAlgorithms;
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
        this.responder.finalRefusal(ctx, 'invalid_request', 400, 'Bad Request', 'unparseable credentials');
        return false;
      }
      this.challenge(ctx, role, realm, algorithms, false);
      return false;
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
        algorithms,
        uriPolicy: { kind: 'custom', check: (u) => sameUri(u, req.uri) || this.uriTargetsEdge(u) },
      },
    );
    switch (outcome.kind) {
      case 'ok':
        this.d.state.rememberAccepted(ctx.txKey);
        ctx.auth = ipChecked ? 'ip+digest' : 'digest';
        ctx.credentialUuid = target.credentialUuid;
        return true;
      case 'replay':
        // A retransmission that reached another worker after the original was accepted.
        if (await this.d.state.wasAccepted(ctx.txKey)) {
          this.d.metrics.outcome('retransmission', from.transport);
          ctx.auth = ipChecked ? 'ip+digest' : 'digest';
          ctx.credentialUuid = target.credentialUuid;
          return true;
        }
        this.d.metrics.outcome('replay', from.transport);
        this.responder.refusalLog(from, 'replay', 'nonce-count reused', req);
        this.challenge(ctx, role, realm, algorithms, false, false);
        return false;
      case 'stale':
        this.d.metrics.outcome('stale', from.transport);
        this.challenge(ctx, role, realm, algorithms, true, false);
        return false;
      case 'malformed':
      case 'uri_mismatch':
        this.responder.finalRefusal(
          ctx,
          'invalid_request',
          400,
          'Bad Request',
          `credentials: ${outcome.kind}`,
        );
        return false;
      default:
        // bad_digest (wrong password and unknown user alike), invalid_nonce, realm_mismatch,
        // algorithm_not_offered: one answer, a fresh challenge, and one failure towards a ban.
        this.d.metrics.outcome('bad_digest', from.transport);
        this.responder.refusalLog(from, 'bad_digest', 'digest did not verify', req);
        this.banLog(this.d.state.recordAuthFailure(from.address), from.address);
        this.challenge(ctx, role, realm, algorithms, false, false);
        return false;
    }
  }

  /**
   * The failure that starts a ban writes one line (source and reason, nothing of the request); the
   * ban list reports that failure once however many processes record failures (ban-list.ts).
   */
  private banLog(failure: unknown, source: string): void {
    if (failure instanceof Promise) {
      failure.then(
        (f: unknown) => this.banLog(f, source),
        () => undefined,
      );
      return;
    }
    if (typeof failure !== 'object' || failure === null) return;
    const f = failure as Partial<FailureOutcome>;
    if (f.newlyBanned !== true) return;
    this.d.log.warn(
      {
        sip: {
          outcome: 'banned',
          source,
          reason: `${f.failures ?? 0} failed digest authentications`,
          ban_seconds: Math.ceil((f.banRemainingMs ?? 0) / 1000),
        },
      },
      'sip source banned',
    );
  }

  private challenge(
    ctx: RequestContext,
    role: 'uas' | 'proxy',
    realm: string,
    algorithms: readonly DigestAlgorithm[],
    stale: boolean,
    countAsChallenge = true,
  ): void {
    if (countAsChallenge) this.d.metrics.outcome('challenged', ctx.from.transport);
    const nonce = createNonce(this.d.keys.nonce, this.now(), realm);
    const headerName = challengeHeaderName(role);
    const extra: HeaderInput[] = buildChallenges({ realm, nonce, algorithms: [...algorithms], stale }).map(
      (v) => [headerName, v],
    );
    extra.push(SERVER_HEADER);
    const status = challengeStatus(role);
    this.responder.respondCached(
      ctx,
      status,
      status === 401 ? 'Unauthorized' : 'Proxy Authentication Required',
      extra,
      false,
    );
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
}

/** RFC 3261 §22.4: the digest-uri must be the Request-URI (scheme and host compared case-insensitively). */
function sameUri(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  return digestUri.length === requestUri.length && digestUri.toLowerCase() === requestUri.toLowerCase();
}
