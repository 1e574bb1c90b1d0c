// Sign-in: auth_id + auth_token (HTTP Basic), or an API key (Bearer) with the auth_id it is for.
// The answer of GET /v1/Account/{auth_id} decides; the API's own words are shown when it refuses.
import { useState } from 'preact/hooks';
import type { ApiErrorBody } from '../../../sdk/client.ts';
import { apiResult } from '../api-result.ts';
import { FormError, TextField } from '../components/field.tsx';
import { clientFor, type Session } from '../session.ts';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session, parent: string | null) => void }) {
  const [method, setMethod] = useState<'basic' | 'apiKey'>('basic');
  const [authId, setAuthId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    const id = authId.trim();
    const creds = { authId: id, method, secret: secret.trim() };
    const r = await apiResult(
      clientFor(creds).GET('/v1/Account/{auth_id}', { params: { path: { auth_id: id } } }),
    );
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    onSignedIn({ ...creds, activeAuthId: id }, r.data.parent_auth_id);
  }

  return (
    <main class="sign-in">
      <h1>trunkgate console</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <fieldset class="method">
          <legend>Sign in with</legend>
          <label>
            <input
              type="radio"
              name="method"
              checked={method === 'basic'}
              onChange={() => setMethod('basic')}
            />{' '}
            Auth ID and auth token
          </label>
          <label>
            <input
              type="radio"
              name="method"
              checked={method === 'apiKey'}
              onChange={() => setMethod('apiKey')}
            />{' '}
            An API key
          </label>
        </fieldset>
        <TextField
          label="Auth ID"
          name="auth_id"
          value={authId}
          onInput={setAuthId}
          required
          autoComplete="username"
          hint={
            method === 'apiKey' ? 'The account the key belongs to (or one of its subaccounts)' : undefined
          }
        />
        <TextField
          label={method === 'basic' ? 'Auth token' : 'API key'}
          name="secret"
          type="password"
          value={secret}
          onInput={setSecret}
          required
          autoComplete="current-password"
          placeholder={method === 'apiKey' ? 'tgk_…' : undefined}
        />
        <FormError message={error?.error ?? null} />
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
        <p class="hint">
          The secret is kept in this browser tab only (session storage) and is forgotten when you sign out or
          close the tab.
        </p>
      </form>
    </main>
  );
}
