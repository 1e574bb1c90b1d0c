// The console's frame: sign-in until there is a session, then the navigation, the account switcher
// (a parent acts on any of its subaccounts) and the page the location hash names.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { apiResult } from './api-result.ts';
import { loadAll, mapResult, plivoPage } from './components/paged-list.tsx';
import { ConsoleContext, type ConsoleContextValue } from './console-context.ts';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { ApplicationsPage } from './pages/applications.tsx';
import { CredentialsPage } from './pages/credentials.tsx';
import { IpAclsPage } from './pages/ip-acls.tsx';
import { IpWhitelistPage } from './pages/ip-whitelist.tsx';
import { OriginationUrisPage } from './pages/origination-uris.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ProviderCredentialsPage } from './pages/provider-credentials.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { SubaccountsPage } from './pages/subaccounts.tsx';
import { TrunksPage } from './pages/trunks.tsx';
import { clientFor, loadSession, type Session, saveSession } from './session.ts';

const PAGES = [
  { path: 'overview', title: 'Overview', Page: OverviewPage },
  { path: 'credentials', title: 'Credentials', Page: CredentialsPage },
  { path: 'ip-acls', title: 'IP ACLs', Page: IpAclsPage },
  { path: 'trunks', title: 'Trunks', Page: TrunksPage },
  { path: 'origination-uris', title: 'Origination URIs', Page: OriginationUrisPage },
  { path: 'applications', title: 'Applications', Page: ApplicationsPage },
  { path: 'api-keys', title: 'API keys', Page: ApiKeysPage },
  { path: 'provider-credentials', title: 'Provider credentials', Page: ProviderCredentialsPage },
  { path: 'subaccounts', title: 'Subaccounts', Page: SubaccountsPage },
  { path: 'ip-whitelist', title: 'IP Whitelisting', Page: IpWhitelistPage },
] as const;

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '') || 'overview';
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession(window.sessionStorage));
  const [isParent, setIsParent] = useState(false);
  const [subaccounts, setSubaccounts] = useState<{ auth_id: string; name: string }[]>([]);
  const [subTick, setSubTick] = useState(0);
  const [path, setPath] = useState(currentPath);

  useEffect(() => {
    const onHash = () => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const api = useMemo(() => (session === null ? null : clientFor(session)), [session]);

  // Whether the signed-in account is a parent, and its subaccounts for the switcher. Read again on
  // each page change, so a failure (e.g. while the API IP allowlist refused us) does not stick.
  useEffect(() => {
    if (session === null || api === null) return;
    let live = true;
    void (async () => {
      const me = await apiResult(
        api.GET('/v1/Account/{auth_id}', { params: { path: { auth_id: session.authId } } }),
      );
      if (!live || !me.ok) return;
      const parent = me.data.parent_auth_id === null;
      setIsParent(parent);
      if (!parent) return;
      const all = await loadAll((limit, offset) =>
        apiResult(
          api.GET('/v1/Account/{auth_id}/Subaccount/', {
            params: {
              path: { auth_id: session.authId },
              query: { limit: String(limit), offset: String(offset) },
            },
          }),
        ).then((r) => mapResult(r, plivoPage)),
      );
      if (live) setSubaccounts(all.map((s) => ({ auth_id: s.auth_id, name: s.name })));
    })();
    return () => {
      live = false;
    };
  }, [session?.authId, session?.secret, subTick, path]);

  const signOut = useCallback(() => {
    saveSession(window.sessionStorage, null);
    setSession(null);
    setSubaccounts([]);
    window.location.hash = '';
  }, []);

  if (session === null || api === null) {
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(window.sessionStorage, s);
          setSession(s);
          window.location.hash = '#/overview';
        }}
      />
    );
  }

  const switchAccount = (authId: string) => {
    const next = { ...session, activeAuthId: authId };
    saveSession(window.sessionStorage, next);
    setSession(next);
  };
  const ctx: ConsoleContextValue = {
    session,
    api,
    authId: session.activeAuthId,
    isParent,
    switchAccount,
    subaccountsChanged: () => setSubTick((t) => t + 1),
    signOut,
  };
  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  const { Page } = page;
  const actingOnSub = session.activeAuthId !== session.authId;

  return (
    <ConsoleContext.Provider value={ctx}>
      <header class="top">
        <span class="brand">trunkgate</span>
        {isParent && (
          <span class="switcher">
            <label for="account-switcher">Account</label>{' '}
            <select
              id="account-switcher"
              name="account"
              value={session.activeAuthId}
              onChange={(e) => switchAccount((e.currentTarget as HTMLSelectElement).value)}
            >
              <option value={session.authId}>{session.authId} (signed in)</option>
              {subaccounts.map((s) => (
                <option key={s.auth_id} value={s.auth_id}>
                  {s.auth_id} — {s.name}
                </option>
              ))}
            </select>
          </span>
        )}
        {!isParent && <span class="who">{session.authId}</span>}
        <button type="button" class="small" onClick={signOut}>
          Sign out
        </button>
      </header>
      {actingOnSub && (
        <div class="acting" role="status">
          Acting on subaccount <strong>{session.activeAuthId}</strong>.{' '}
          <button type="button" class="link" onClick={() => switchAccount(session.authId)}>
            Back to {session.authId}
          </button>
        </div>
      )}
      <div class="layout">
        <nav class="side" aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p.path === page.path ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main class="content" key={`${page.path}:${session.activeAuthId}`}>
          <h1>{page.title}</h1>
          <Page />
        </main>
      </div>
    </ConsoleContext.Provider>
  );
}
