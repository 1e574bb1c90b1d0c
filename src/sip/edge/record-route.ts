// Our Record-Route carries an HMAC over the dialog's Call-ID and the initial request's From tag.
// In-dialog requests (To tag present) are relayed only when their top Route is ours and the MAC
// verifies, so nobody can use the edge as an open relay by inventing a Route header.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function dialogMac(key: Buffer, callId: string, fromTag: string): string {
  return createHmac('sha256', key).update(`${callId}|${fromTag}`).digest('base64url').slice(0, 22);
}

/** Either tag may be the original From tag: requests from the callee's side swap From and To. */
export function verifyDialogMac(
  key: Buffer,
  mac: string,
  callId: string,
  tags: readonly (string | undefined)[],
): boolean {
  const presented = Buffer.from(mac, 'latin1');
  let ok = false;
  for (const tag of tags) {
    if (tag === undefined) continue;
    const expected = Buffer.from(dialogMac(key, callId, tag), 'latin1');
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) ok = true;
  }
  return ok;
}
