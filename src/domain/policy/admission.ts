// Looking up and applying an admission policy: the rules the SIP edge enforces, as values.
import type { IpAddress } from '../address/index.ts';
import type { AdmissionTarget, PolicySnapshot } from './admission-target.ts';

/** How a request names what it wants to reach. */
export type TargetSelector = { readonly trunkDomain: string } | { readonly appId: string };

/**
 * What admits a request to a trunk domain (`{trunk_id}.{sip_domain}`, any case, optional trailing
 * dot, no port) or to an application id; undefined when the target names nothing we serve. A
 * disabled trunk or application is returned with `enabled: false`, so the edge can tell it apart
 * from an unknown one in its logs (it refuses both).
 */
export function findAdmissionPolicy(
  snapshot: PolicySnapshot,
  selector: TargetSelector,
): AdmissionTarget | undefined {
  if ('appId' in selector) return snapshot.application(selector.appId);
  return snapshot.trunkByDomain(selector.trunkDomain);
}

export type SourceCheck =
  | { readonly kind: 'not_required' }
  | { readonly kind: 'allowed'; readonly entryId: string }
  | { readonly kind: 'denied' };

/** Whether the source address passes the target's IP ACL (IPv4-mapped IPv6 counts as IPv4). */
export function checkSource(target: AdmissionTarget, source: IpAddress): SourceCheck {
  if (target.acl === null) return { kind: 'not_required' };
  const entryId = target.acl.lookup(source);
  return entryId === undefined ? { kind: 'denied' } : { kind: 'allowed', entryId };
}

export type AdmissionDecision =
  | { readonly kind: 'disabled' }
  | { readonly kind: 'source_denied' }
  /** A digest credential is needed and none has been proven yet: challenge for this one. */
  | { readonly kind: 'challenge'; readonly credentialUuid: string }
  /** A credential was proven, but it is not one this target accepts. */
  | { readonly kind: 'credential_denied' }
  | { readonly kind: 'admitted'; readonly entryId: string | null; readonly credentialUuid: string | null };

/**
 * The decision for a request given what the edge has established: its source address and, when
 * the digest response verified, the credential it proved. Both checks must pass when both are
 * required; the IP check comes first so an unlisted address is never challenged.
 */
export function decideAdmission(
  target: AdmissionTarget,
  facts: { readonly source: IpAddress; readonly provenCredentialUuid: string | null },
): AdmissionDecision {
  if (!target.enabled) return { kind: 'disabled' };
  const source = checkSource(target, facts.source);
  if (source.kind === 'denied') return { kind: 'source_denied' };
  const entryId = source.kind === 'allowed' ? source.entryId : null;
  if (target.credentialUuid === null) return { kind: 'admitted', entryId, credentialUuid: null };
  if (facts.provenCredentialUuid === null)
    return { kind: 'challenge', credentialUuid: target.credentialUuid };
  if (facts.provenCredentialUuid !== target.credentialUuid) return { kind: 'credential_denied' };
  return { kind: 'admitted', entryId, credentialUuid: facts.provenCredentialUuid };
}
