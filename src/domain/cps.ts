// Calls-per-second limits of outbound SIP provider credentials (cpsLimit/cpsKey; docs/glossary.md "cpsKey").
// Recorded by the API now; the SIP side paces outbound calls with them later.
//
// The rule: credentials of one account that share a cpsKey share ONE limit — their calls are
// counted together in one bucket — and when their cpsLimit values differ the smallest wins
// (a provider's shared trunk limit is only safe at the strictest value anyone set). A credential
// in the group without a cpsLimit is bound by the group's limit too. A credential without a
// cpsKey has its own bucket and its own cpsLimit. null means no limit.

export interface CpsSettings {
  id: string;
  orgId: string;
  cpsLimit: number | null;
  cpsKey: string | null;
}

/** The calls per second `credential` may make, given the credentials of its account that share its cpsKey. */
export function effectiveCpsLimit(
  credential: CpsSettings,
  siblingsSharingKey: readonly CpsSettings[] = [],
): number | null {
  let limit = credential.cpsLimit;
  if (credential.cpsKey === null) return limit;
  for (const s of siblingsSharingKey) {
    // Defensive: only the same account's credentials with the same key belong to the group.
    if (s.id === credential.id || s.orgId !== credential.orgId || s.cpsKey !== credential.cpsKey) continue;
    if (s.cpsLimit !== null && (limit === null || s.cpsLimit < limit)) limit = s.cpsLimit;
  }
  return limit;
}

/** The bucket whose calls are counted together: the account's cpsKey, or the credential alone. */
export function cpsBucketKey(credential: CpsSettings): string {
  return credential.cpsKey === null
    ? `${credential.orgId}/credential/${credential.id}`
    : `${credential.orgId}/key/${credential.cpsKey}`;
}
