// Subaccounts of the signed-in account: create (the auth_token is shown once), rename, enable or
// disable, delete, and switch into one to manage its resources.
import { useState } from 'preact/hooks';
import { apiResult } from '../api-result.ts';
import { DeleteAction } from '../components/delete-action.tsx';
import { CheckboxField, FormActions, FormError, TextField } from '../components/field.tsx';
import { Modal } from '../components/modal.tsx';
import { ListError, mapResult, Pager, plivoPage, usePagedList } from '../components/paged-list.tsx';
import { useApiForm } from '../components/use-api-form.ts';
import { useConsole } from '../console-context.ts';
import { TokenOnce } from './api-keys.tsx';

interface Subaccount {
  auth_id: string;
  name: string;
  enabled: boolean;
  created: string;
}

function SubaccountForm({
  sub,
  onClose,
  onDone,
}: {
  sub: Subaccount | null;
  onClose: () => void;
  onDone: (created?: { authId: string; token: string; name: string }) => void;
}) {
  const { api, session } = useConsole();
  const [name, setName] = useState(sub?.name ?? '');
  const [enabled, setEnabled] = useState(sub?.enabled ?? true);
  const form = useApiForm(['name', 'enabled']);
  async function submit(e: Event) {
    e.preventDefault();
    const path = { auth_id: session.authId };
    if (sub === null) {
      const r = await form.run(
        apiResult(
          api.POST('/v1/Account/{auth_id}/Subaccount/', {
            params: { path },
            body: { name: name.trim(), enabled },
          }),
        ),
      );
      if (r.ok) onDone({ authId: r.data.auth_id, token: r.data.auth_token, name: name.trim() });
    } else {
      const r = await form.run(
        apiResult(
          api.POST('/v1/Account/{auth_id}/Subaccount/{subauth_id}/', {
            params: { path: { ...path, subauth_id: sub.auth_id } },
            body: { name: name.trim(), enabled },
          }),
        ),
      );
      if (r.ok) onDone();
    }
  }
  return (
    <Modal title={sub === null ? 'New subaccount' : `Edit ${sub.name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          name="name"
          value={name}
          onInput={setName}
          required
          error={form.byField['name']}
        />
        <CheckboxField
          label="Enabled"
          name="enabled"
          checked={enabled}
          onChange={setEnabled}
          error={form.byField['enabled']}
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            {sub === null ? 'Create subaccount' : 'Save subaccount'}
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

export function SubaccountsPage() {
  const { api, session, switchAccount, subaccountsChanged, isParent } = useConsole();
  const [editing, setEditing] = useState<Subaccount | 'new' | null>(null);
  const [created, setCreated] = useState<{ authId: string; token: string; name: string } | null>(null);
  const parent = session.authId;
  const list = usePagedList<Subaccount>(
    (limit, offset) =>
      apiResult(
        api.GET('/v1/Account/{auth_id}/Subaccount/', {
          params: { path: { auth_id: parent }, query: { limit: String(limit), offset: String(offset) } },
        }),
      ).then((r) => mapResult(r, plivoPage)),
    parent,
  );
  const changed = () => {
    list.reload();
    subaccountsChanged();
  };
  return (
    <section>
      <p class="lead">
        Subaccounts of {parent}. Each has its own credentials, ACLs, trunks and applications; {parent}'s API
        IP allowlist covers them all.
      </p>
      {!isParent && (
        <p class="notice">You are signed in as a subaccount: subaccounts cannot have subaccounts.</p>
      )}
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          + New subaccount
        </button>
      </div>
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">Subaccounts</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Auth ID</th>
            <th scope="col">Enabled</th>
            <th scope="col">Created</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((s) => (
            <tr key={s.auth_id}>
              <td>{s.name}</td>
              <td>
                <code>{s.auth_id}</code>
              </td>
              <td>{s.enabled ? 'yes' : 'no'}</td>
              <td>{s.created}</td>
              <td class="actions">
                <button
                  type="button"
                  class="small"
                  onClick={() => switchAccount(s.auth_id)}
                  aria-label={`Switch to ${s.name}`}
                >
                  Switch to
                </button>
                <button
                  type="button"
                  class="small"
                  onClick={() => setEditing(s)}
                  aria-label={`Edit ${s.name}`}
                >
                  Edit
                </button>
                <DeleteAction
                  what={`subaccount ${s.name} and all its resources`}
                  run={() =>
                    apiResult(
                      api.DELETE('/v1/Account/{auth_id}/Subaccount/{subauth_id}/', {
                        params: { path: { auth_id: parent, subauth_id: s.auth_id } },
                      }),
                    )
                  }
                  onDone={() => {
                    if (session.activeAuthId === s.auth_id) switchAccount(parent);
                    changed();
                  }}
                />
              </td>
            </tr>
          ))}
          {list.items.length === 0 && !list.loading && (
            <tr>
              <td colSpan={5} class="empty">
                No subaccounts yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="subaccounts" />
      {editing !== null && (
        <SubaccountForm
          sub={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={(c) => {
            setEditing(null);
            if (c !== undefined) setCreated(c);
            changed();
          }}
        />
      )}
      {created !== null && (
        <TokenOnce
          title={`Subaccount ${created.name} (${created.authId}) created`}
          label="Auth token"
          value={created.token}
          onClose={() => setCreated(null)}
        />
      )}
    </section>
  );
}
