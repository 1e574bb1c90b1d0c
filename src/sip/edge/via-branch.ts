// RFC 3261 §16.11: a stateless proxy's branch must be the same for a retransmission as for the
// original request, so it is computed from the request rather than chosen at random. We hash the
// top Via's branch and sent-by with the source address (RFC 3261 §16.11 suggests the top Via's
// branch; the source binds it to the sender). CANCEL carries the INVITE's branch, so the CANCEL
// we forward matches the INVITE we forwarded (§9.1).
import { createHmac } from 'node:crypto';

/** Our branches start with the magic cookie and a marker, for loop detection and response matching. */
export const OUR_BRANCH_PREFIX = 'z9hG4bKtg.';

export function forwardBranch(
  key: Buffer,
  topViaBranch: string,
  topViaSentBy: string,
  source: string,
): string {
  const mac = createHmac('sha256', key)
    .update(`${topViaBranch}|${topViaSentBy}|${source}`)
    .digest('base64url');
  return OUR_BRANCH_PREFIX + mac.slice(0, 22);
}

export function isOurBranch(branch: string | undefined): boolean {
  return branch?.startsWith(OUR_BRANCH_PREFIX) === true;
}
