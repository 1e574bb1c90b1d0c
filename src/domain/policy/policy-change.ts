// What a change_version step changed, as logged next to it (src/store/transaction.ts) and read by
// the edge to reload only the objects named (src/sip/edge/policy-cache.ts).

export const POLICY_CHANGE_KINDS = [
  'trunk',
  'application',
  'ip_acl',
  'credential',
  'origination_uri',
  /** An account enabled, disabled or deleted: its trunks and applications, and its subaccounts'. */
  'account',
  /** Not part of the SIP policy (the API allowlist cache polls the same version). */
  'allowlist',
  /** Not part of the SIP admission policy. */
  'provider_credential',
] as const;

export type PolicyChangeKind = (typeof POLICY_CHANGE_KINDS)[number];

export function isPolicyChangeKind(value: string): value is PolicyChangeKind {
  return (POLICY_CHANGE_KINDS as readonly string[]).includes(value);
}

export interface PolicyChange {
  readonly kind: PolicyChangeKind;
  readonly id: string;
}
