// RFC 3261 §8.1.1.7: a branch ID must be unique across space and time for every request a client
// sends (except CANCEL and the ACK for a non-2xx response, which reuse the INVITE's), and must begin
// with the magic cookie so receivers can use it as a transaction ID (§17.2.3).
import { randomBytes } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from '../parser/via.ts';

/** 16 random octets (128 bits) after the cookie: collisions are not a practical concern. */
export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomBytes(16).toString('base64url');
}
