// Where a request really came from, written into its top Via (RFC 3261 §18.2.1, RFC 3581 §4):
// `received` when the sent-by host is not the source address — always when the client asked for
// `rport` — and `rport` set to the source port when it did. Responses then find their way back
// through NATs: the edge's own answers carry it, and so does the caller's Via it relays.
import type { Via } from '../parser/via.ts';
import type { Remote } from '../transport/remote.ts';

const RECEIVED_OR_RPORT = /;\s*(received|rport)(=[^;,]*)?/gi;

/** The top Via of a request the edge relays: received and rport always (the response returns through us). */
export function relayedCallerVia(top: Via, from: Remote): string {
  return `${top.raw.replace(RECEIVED_OR_RPORT, '')};received=${from.address};rport=${from.port}`;
}

/** The top Via of a response the edge itself sends; `top.raw` unchanged when nothing needs adding. */
export function answeredVia(top: Via, from: Remote): string {
  const asked = top.rport !== undefined;
  const host = top.host.charCodeAt(0) === 91 /* [ */ ? top.host.slice(1, -1) : top.host;
  if (!asked && host.toLowerCase() === from.address.toLowerCase()) return top.raw;
  const base = top.raw.replace(RECEIVED_OR_RPORT, '');
  return asked ? `${base};received=${from.address};rport=${from.port}` : `${base};received=${from.address}`;
}
