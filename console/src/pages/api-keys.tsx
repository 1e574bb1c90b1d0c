// API keys: Bearer tokens for scripts. The token is in the create answer only, so it is shown once,
// with a copy button, and never kept by the console.
import { useState } from 'preact/hooks';
import { apiResult } from '../api-result.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { DeleteAction } from '../components/delete-action.tsx';
import { FormActions, FormError, TextField } from '../components/field.tsx';
import { Modal } from '../components/modal.tsx';
import { ListError, mapResult, Pager, plivoPage, usePagedList } from '../components/paged-list.tsx';
import { useApiForm } from '../components/use-api-form.ts';
import { useConsole } from '../console-context.ts';

interface ApiKey {
  key_id: string;
  name: string;
  prefix: string;
  status: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** datetime-local has no zone; the API wants RFC 3339 with one, so the browser's zone is applied. */
function expiryToIso(local: string): string | null | 'invalid' {
  if (local.trim() === '') return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? 'invalid' : d.toISOString();
}

function CreateKey({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (token: string, name: string) => void;
}) {
  const { api, authId } = useConsole();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const form = useApiForm(['name', 'expires_at']);
  async function submit(e: Event) {
    e.preventDefault();
    const iso = expiryToIso(expires);
    const r = await form.run(
      apiResult(
        api.POST('/v1/Account/{auth_id}/ApiKey/', {
          params: { path: { auth_id: authId } },
          // An unreadable date goes to the API as typed, so the API's message explains it.
          body: {
            name: name.trim(),
            ...(iso === null ? {} : { expires_at: iso === 'invalid' ? expires : iso }),
          },
        }),
      ),
    );
    if (r.ok) onCreated(r.data.token, r.data.name);
  }
  return (
    <Modal title="New API key" onClose={onClose}>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          name="name"
          value={name}
          onInput={setName}
          required
          error={form.byField['name']}
        />
        <TextField
          label="Expires at (optional)"
          name="expires_at"
          type="datetime-local"
          value={expires}
          onInput={setExpires}
          error={form.byField['expires_at']}
          hint="Your local time"
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            Create API key
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

export function TokenOnce({
  title,
  label,
  value,
  onClose,
}: {
  title: string;
  label: string;
  value: string;
  onClose: () => void;
}) {
  return (
    <Modal title={title} onClose={onClose}>
      <p class="warning">Store it now: it is shown only this once and cannot be shown again.</p>
      <div class="field">
        <span class="label">{label}</span>
        <code class="secret" data-testid="secret-once">
          {value}
        </code>{' '}
        <CopyButton value={value} label={`Copy the ${label.toLowerCase()}`} />
      </div>
      <FormActions>
        <button type="button" class="primary" onClick={onClose}>
          I have stored it
        </button>
      </FormActions>
    </Modal>
  );
}

export function ApiKeysPage() {
  const { api, authId } = useConsole();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const list = usePagedList<ApiKey>(
    (limit, offset) =>
      apiResult(
        api.GET('/v1/Account/{auth_id}/ApiKey/', {
          params: { path: { auth_id: authId }, query: { limit: String(limit), offset: String(offset) } },
        }),
      ).then((r) => mapResult(r, plivoPage)),
    authId,
  );
  return (
    <section>
      <p class="lead">Bearer tokens for scripts and CI. trunkgate keeps only a hash and the prefix.</p>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          + New API key
        </button>
      </div>
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Status</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((k) => (
            <tr key={k.key_id}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{k.status}</td>
              <td>{k.last_used_at ?? 'never'}</td>
              <td>{k.expires_at ?? 'never'}</td>
              <td class="actions">
                {k.status !== 'revoked' && (
                  <DeleteAction
                    label="Revoke"
                    what={`API key ${k.name}`}
                    run={() =>
                      apiResult(
                        api.DELETE('/v1/Account/{auth_id}/ApiKey/{key_id}/', {
                          params: { path: { auth_id: authId, key_id: k.key_id } },
                        }),
                      )
                    }
                    onDone={list.reload}
                  />
                )}
              </td>
            </tr>
          ))}
          {list.items.length === 0 && !list.loading && (
            <tr>
              <td colSpan={6} class="empty">
                No API keys yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="API keys" />
      {creating && (
        <CreateKey
          onClose={() => setCreating(false)}
          onCreated={(token, name) => {
            setCreating(false);
            setCreated({ token, name });
            list.reload();
          }}
        />
      )}
      {created !== null && (
        <TokenOnce
          title={`API key ${created.name} created`}
          label="Token"
          value={created.token}
          onClose={() => setCreated(null)}
        />
      )}
    </section>
  );
}
