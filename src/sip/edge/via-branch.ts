// RFC 3261 §16.11: a stateless proxy's branch must be the same for a retransmission as for the
// original request, so it is computed from the request rather than chosen at random. We hash the
// top Via's branch and sent-by with the source address (RFC 3261 §16.11 suggests the top Via's
// branch; the source binds it to the sender). CANCEL carries the INVITE's branch, so the CANCEL
// we forward matches the INVITE we forwarded (§9.1).
import { createHmac } from 'node:crypto';

/** Our branches start with the magic cookie and a marker, for loop detection and response matching. */
export const OUR_BRANCH_PREFIX = 'z9hG4bKtg.';

/** The edge thread and TCP connection a request arrived on (its responses must leave by it). */
export interface ConnectionOwner {
  thread: number;
  connection: number;
}

/**
 * `owner` (TCP callers only) is appended as `.{thread}.{connection}` in base 36: a response read by
 * any edge thread names the thread holding the caller's connection (tcp-handoff.ts). It is stable
 * for retransmissions, which arrive on the same connection.
 */
export function forwardBranch(
  key: Buffer,
  topViaBranch: string,
  topViaSentBy: string,
  source: string,
  owner?: ConnectionOwner,
): string {
  const mac = createHmac('sha256', key)
    .update(`${topViaBranch}|${topViaSentBy}|${source}`)
    .digest('base64url');
  const base = OUR_BRANCH_PREFIX + mac.slice(0, 22);
  return owner === undefined ? base : `${base}.${owner.thread.toString(36)}.${owner.connection.toString(36)}`;
}

const OWNER_AT = OUR_BRANCH_PREFIX.length + 22;

/** The connection owner named in one of our branches, if any. */
export function branchOwner(branch: string | undefined): ConnectionOwner | undefined {
  if (branch === undefined || branch.length <= OWNER_AT || branch.charCodeAt(OWNER_AT) !== 46 /* . */)
    return undefined;
  const dot = branch.indexOf('.', OWNER_AT + 1);
  if (dot < 0) return undefined;
  const thread = Number.parseInt(branch.slice(OWNER_AT + 1, dot), 36);
  const connection = Number.parseInt(branch.slice(dot + 1), 36);
  if (!Number.isSafeInteger(thread) || !Number.isSafeInteger(connection)) return undefined;
  return { thread, connection };
}

export function isOurBranch(branch: string | undefined): boolean {
  return branch?.startsWith(OUR_BRANCH_PREFIX) === true;
}
