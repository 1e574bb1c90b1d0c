// Origination URIs: where inbound trunks send calls (a SIP URI or plain host[:port]).
import { useState } from 'preact/hooks';
import { apiResult } from '../api-result.ts';
import { DeleteAction } from '../components/delete-action.tsx';
import { FormActions, FormError, TextField } from '../components/field.tsx';
import { Modal } from '../components/modal.tsx';
import { ListError, mapResult, Pager, plivoPage, usePagedList } from '../components/paged-list.tsx';
import { useApiForm } from '../components/use-api-form.ts';
import { useConsole } from '../console-context.ts';

interface Uri {
  uri_uuid: string;
  name: string | null;
  uri: string;
}

function UriForm({ uri, onClose, onDone }: { uri: Uri | null; onClose: () => void; onDone: () => void }) {
  const { api, authId } = useConsole();
  const [name, setName] = useState(uri?.name ?? '');
  const [value, setValue] = useState(uri?.uri ?? '');
  const form = useApiForm(['name', 'uri']);
  async function submit(e: Event) {
    e.preventDefault();
    const named = name.trim() !== '' ? name.trim() : uri !== null ? null : undefined;
    const r =
      uri === null
        ? await form.run(
            apiResult(
              api.POST('/v1/Account/{auth_id}/Zentrunk/URI/', {
                params: { path: { auth_id: authId } },
                body: { uri: value.trim(), ...(named !== undefined ? { name: named } : {}) },
              }),
            ),
          )
        : await form.run(
            apiResult(
              api.POST('/v1/Account/{auth_id}/Zentrunk/URI/{uri_uuid}/', {
                params: { path: { auth_id: authId, uri_uuid: uri.uri_uuid } },
                body: { uri: value.trim(), name: named ?? null },
              }),
            ),
          );
    if (r.ok) onDone();
  }
  return (
    <Modal title={uri === null ? 'New origination URI' : `Edit ${uri.name ?? uri.uri}`} onClose={onClose}>
      <form onSubmit={submit}>
        <TextField label="Name" name="name" value={name} onInput={setName} error={form.byField['name']} />
        <TextField
          label="URI"
          name="uri"
          value={value}
          onInput={setValue}
          required
          placeholder="sip:pbx.example.com:5060;transport=tcp"
          error={form.byField['uri']}
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            {uri === null ? 'Create URI' : 'Save URI'}
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

export function OriginationUrisPage() {
  const { api, authId } = useConsole();
  const [editing, setEditing] = useState<Uri | 'new' | null>(null);
  const list = usePagedList<Uri>(
    (limit, offset) =>
      apiResult(
        api.GET('/v1/Account/{auth_id}/Zentrunk/URI/', {
          params: { path: { auth_id: authId }, query: { limit: String(limit), offset: String(offset) } },
        }),
      ).then((r) => mapResult(r, plivoPage)),
    authId,
  );
  return (
    <section>
      <p class="lead">Where inbound trunks send calls: your PBX's SIP URI or host[:port].</p>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          + New origination URI
        </button>
      </div>
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">Origination URIs</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">URI</th>
            <th scope="col">URI UUID</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((u) => (
            <tr key={u.uri_uuid}>
              <td>{u.name ?? '—'}</td>
              <td>
                <code>{u.uri}</code>
              </td>
              <td>
                <code>{u.uri_uuid}</code>
              </td>
              <td class="actions">
                <button
                  type="button"
                  class="small"
                  onClick={() => setEditing(u)}
                  aria-label={`Edit ${u.name ?? u.uri}`}
                >
                  Edit
                </button>
                <DeleteAction
                  what={`origination URI ${u.name ?? u.uri}`}
                  run={() =>
                    apiResult(
                      api.DELETE('/v1/Account/{auth_id}/Zentrunk/URI/{uri_uuid}/', {
                        params: { path: { auth_id: authId, uri_uuid: u.uri_uuid } },
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
                No origination URIs yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="origination URIs" />
      {editing !== null && (
        <UriForm
          uri={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
