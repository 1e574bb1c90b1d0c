// SIP digest credentials: one list (the SIP Auth and Zentrunk shapes are one store; the Zentrunk
// shape carries the name). Create, change password, delete (409 in_use lists who uses it).
import { useState } from 'preact/hooks';
import { apiResult } from '../api-result.ts';
import { DeleteAction } from '../components/delete-action.tsx';
import { FormActions, FormError, TextField } from '../components/field.tsx';
import { Modal } from '../components/modal.tsx';
import { ListError, mapResult, Pager, plivoPage, usePagedList } from '../components/paged-list.tsx';
import { useApiForm } from '../components/use-api-form.ts';
import { useConsole } from '../console-context.ts';

interface Credential {
  credential_uuid: string;
  name: string | null;
  username: string;
}

function CreateCredential({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { api, authId } = useConsole();
  const [name, setName] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const form = useApiForm(['name', 'username', 'password']);
  async function submit(e: Event) {
    e.preventDefault();
    const r = await form.run(
      apiResult(
        api.POST('/v1/Account/{auth_id}/Zentrunk/Credential/', {
          params: { path: { auth_id: authId } },
          body: { ...(name.trim() !== '' ? { name: name.trim() } : {}), username: username.trim(), password },
        }),
      ),
    );
    if (r.ok) onDone();
  }
  return (
    <Modal title="New credential" onClose={onClose}>
      <form onSubmit={submit}>
        <TextField label="Name" name="name" value={name} onInput={setName} />
        <TextField
          label="Username"
          name="username"
          value={username}
          onInput={setUsername}
          required
          error={form.byField['username']}
          hint="3–64 letters, digits, “.”, “_” or “-”"
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onInput={setPassword}
          required
          error={form.byField['password']}
          hint="12–128 characters"
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            Create credential
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

function ChangePassword({
  credential,
  onClose,
  onDone,
}: {
  credential: Credential;
  onClose: () => void;
  onDone: () => void;
}) {
  const { api, authId } = useConsole();
  const [password, setPassword] = useState('');
  const form = useApiForm(['password']);
  async function submit(e: Event) {
    e.preventDefault();
    const r = await form.run(
      apiResult(
        api.POST('/v1/Account/{auth_id}/Zentrunk/Credential/{credential_uuid}/', {
          params: { path: { auth_id: authId, credential_uuid: credential.credential_uuid } },
          body: { password },
        }),
      ),
    );
    if (r.ok) onDone();
  }
  return (
    <Modal title={`Change the password of ${credential.username}`} onClose={onClose}>
      <form onSubmit={submit}>
        <TextField
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onInput={setPassword}
          required
          error={form.byField['password']}
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            Change password
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

export function CredentialsPage() {
  const { api, authId } = useConsole();
  const [creating, setCreating] = useState(false);
  const [changing, setChanging] = useState<Credential | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = usePagedList<Credential>(
    (limit, offset) =>
      apiResult(
        api.GET('/v1/Account/{auth_id}/Zentrunk/Credential/', {
          params: { path: { auth_id: authId }, query: { limit: String(limit), offset: String(offset) } },
        }),
      ).then((r) => mapResult(r, plivoPage)),
    authId,
  );
  return (
    <section>
      <p class="lead">
        Usernames and passwords your PBXs prove with SIP digest authentication. Only digest hashes are stored.
      </p>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          + New credential
        </button>
      </div>
      {notice !== null && (
        <div class="notice" role="status">
          {notice}
        </div>
      )}
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">Credentials</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Username</th>
            <th scope="col">Credential UUID</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((c) => (
            <tr key={c.credential_uuid}>
              <td>{c.name ?? '—'}</td>
              <td>{c.username}</td>
              <td>
                <code>{c.credential_uuid}</code>
              </td>
              <td class="actions">
                <button
                  type="button"
                  class="small"
                  onClick={() => setChanging(c)}
                  aria-label={`Change password of ${c.username}`}
                >
                  Change password
                </button>
                <DeleteAction
                  what={`credential ${c.username}`}
                  run={() =>
                    apiResult(
                      api.DELETE('/v1/Account/{auth_id}/Zentrunk/Credential/{credential_uuid}/', {
                        params: { path: { auth_id: authId, credential_uuid: c.credential_uuid } },
                      }),
                    )
                  }
                  onDone={list.reload}
                />
              </td>
            </tr>
          ))}
          {list.items.length === 0 && !list.loading && (
            <tr>
              <td colSpan={4} class="empty">
                No credentials yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="credentials" />
      {creating && (
        <CreateCredential
          onClose={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            setNotice('Credential created');
            list.reload();
          }}
        />
      )}
      {changing !== null && (
        <ChangePassword
          credential={changing}
          onClose={() => setChanging(null)}
          onDone={() => {
            setNotice(`Password of ${changing.username} changed`);
            setChanging(null);
          }}
        />
      )}
    </section>
  );
}
