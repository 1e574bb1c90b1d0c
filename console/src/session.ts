// Who is signed in. The secret lives in this tab's sessionStorage only (cleared when the tab
// closes, never sent anywhere but the Authorization header of our own API calls); never in
// localStorage or a cookie.
import { type ClientCredentials, createTrunkgateClient, type TrunkgateClient } from '../../sdk/client.ts';

export interface Session {
  /** The account signed in (with an API key: the account the key was made for). */
  authId: string;
  method: 'basic' | 'apiKey';
  secret: string;
  /** The account the pages act on: the signed-in account or one of its subaccounts. */
  activeAuthId: string;
}

const KEY = 'trunkgate.console.session';

export function loadSession(storage: Storage): Session | null {
  const raw = storage.getItem(KEY);
  if (raw === null) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (
      typeof s.authId === 'string' &&
      typeof s.secret === 'string' &&
      typeof s.activeAuthId === 'string' &&
      (s.method === 'basic' || s.method === 'apiKey')
    ) {
      return { authId: s.authId, method: s.method, secret: s.secret, activeAuthId: s.activeAuthId };
    }
  } catch {
    // A damaged entry is the same as none.
  }
  storage.removeItem(KEY);
  return null;
}

export function saveSession(storage: Storage, session: Session | null): void {
  if (session === null) storage.removeItem(KEY);
  else storage.setItem(KEY, JSON.stringify(session));
}

export function credentialsOf(session: Pick<Session, 'authId' | 'method' | 'secret'>): ClientCredentials {
  const baseUrl = window.location.origin;
  return session.method === 'basic'
    ? { baseUrl, authId: session.authId, authToken: session.secret }
    : { baseUrl, authId: session.authId, apiKey: session.secret };
}

export function clientFor(session: Pick<Session, 'authId' | 'method' | 'secret'>): TrunkgateClient {
  return createTrunkgateClient(credentialsOf(session));
}
