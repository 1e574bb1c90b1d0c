// RFC 3261 §22.3: a proxy consumes the credentials meant for its own realm and passes every
// other realm's on untouched. Ours are those naming the deployment's SIP domain as realm, or
// carrying a nonce this edge issued for the realm they name (credentials may use a custom realm).
import { checkNonce } from '../auth/nonce.ts';
import { parseAuthHeader } from '../parser/auth-header.ts';
import type { SipRequest } from '../parser/sip-message.ts';

export interface OurRealm {
  sipDomain: string;
  nonceKey: Buffer;
  nonceTtlSeconds: number;
}

export function ourRealm(d: {
  identity: { sipDomain: string };
  keys: { nonce: Buffer };
  nonceTtlSeconds: number;
}): OurRealm {
  return { sipDomain: d.identity.sipDomain, nonceKey: d.keys.nonce, nonceTtlSeconds: d.nonceTtlSeconds };
}

/** Removes the `headerName` fields that answer our challenges; the others keep their order. */
export function removeOurCredentials(
  req: SipRequest,
  headerName: 'Proxy-Authorization' | 'Authorization',
  realm: OurRealm,
  nowMs: number,
): void {
  const h = req.headers;
  if (!h.has(headerName)) return;
  const values = h.getAll(headerName);
  const kept: string[] = [];
  for (const v of values) if (!isOurs(v, realm, nowMs)) kept.push(v);
  if (kept.length === values.length) return;
  h.delete(headerName);
  for (const v of kept) h.append(headerName, v);
}

function isOurs(value: string, o: OurRealm, nowMs: number): boolean {
  const parsed = parseAuthHeader(value);
  if (!parsed.ok || parsed.value.scheme.toLowerCase() !== 'digest') return false;
  const realm = parsed.value.params.get('realm');
  if (realm === undefined) return false;
  if (realm === o.sipDomain) return true;
  const nonce = parsed.value.params.get('nonce');
  // An expired nonce of ours is still ours: only the MAC matters here.
  return (
    nonce !== undefined && checkNonce(o.nonceKey, nonce, nowMs, o.nonceTtlSeconds, realm).kind !== 'invalid'
  );
}
