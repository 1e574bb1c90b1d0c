// Applications: reached at their sip_uri; sip_auth_type says how calls to them are admitted.
import { useState } from 'preact/hooks';
import { apiResult } from '../api-result.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { DeleteAction } from '../components/delete-action.tsx';
import { DigestAlgorithmsField } from '../components/digest-algorithms-field.tsx';
import { CheckboxField, FormActions, FormError, SelectField, TextField } from '../components/field.tsx';
import { Modal } from '../components/modal.tsx';
import { ListError, mapResult, Pager, plivoPage, usePagedList } from '../components/paged-list.tsx';
import { useResourceOptions, withNone } from '../components/resource-options.ts';
import { useApiForm } from '../components/use-api-form.ts';
import { useConsole } from '../console-context.ts';

interface Application {
  app_id: string;
  app_name: string;
  answer_url: string;
  enabled: boolean;
  sip_auth_type: string;
  ip_acl_uuid: string | null;
  credential_uuid: string | null;
  sip_uri: string;
  digest_algorithms: string[] | null;
}

const AUTH_TYPES = ['none', 'ip_acl', 'credential', 'ip_acl_and_credential'] as const;
type AuthType = (typeof AUTH_TYPES)[number];

function AppForm({
  app,
  onClose,
  onDone,
}: {
  app: Application | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { api, authId } = useConsole();
  const options = useResourceOptions();
  const [name, setName] = useState(app?.app_name ?? '');
  const [answerUrl, setAnswerUrl] = useState(app?.answer_url ?? '');
  const [authType, setAuthType] = useState<AuthType>(
    (AUTH_TYPES as readonly string[]).includes(app?.sip_auth_type ?? '')
      ? (app?.sip_auth_type as AuthType)
      : 'none',
  );
  const [acl, setAcl] = useState(app?.ip_acl_uuid ?? '');
  const [cred, setCred] = useState(app?.credential_uuid ?? '');
  const [enabled, setEnabled] = useState(app?.enabled ?? true);
  const [algorithms, setAlgorithms] = useState<string[]>(app?.digest_algorithms ?? []);
  const form = useApiForm([
    'app_name',
    'answer_url',
    'sip_auth_type',
    'ip_acl_uuid',
    'credential_uuid',
    'enabled',
    'digest_algorithms',
  ]);
  const usesAcl = authType === 'ip_acl' || authType === 'ip_acl_and_credential';
  const usesCred = authType === 'credential' || authType === 'ip_acl_and_credential';

  async function submit(e: Event) {
    e.preventDefault();
    const editing = app !== null;
    const body = {
      app_name: name.trim(),
      answer_url: answerUrl.trim(),
      sip_auth_type: authType,
      enabled,
      // The references the auth type does not use are cleared (the API refuses them otherwise).
      ip_acl_uuid: usesAcl && acl !== '' ? acl : null,
      credential_uuid: usesCred && cred !== '' ? cred : null,
      ...(algorithms.length > 0
        ? { digest_algorithms: algorithms }
        : editing
          ? { digest_algorithms: null }
          : {}),
    };
    const r = editing
      ? await form.run(
          apiResult(
            api.POST('/v1/Account/{auth_id}/Application/{app_id}/', {
              params: { path: { auth_id: authId, app_id: app.app_id } },
              body,
            }),
          ),
        )
      : await form.run(
          apiResult(
            api.POST('/v1/Account/{auth_id}/Application/', { params: { path: { auth_id: authId } }, body }),
          ),
        );
    if (r.ok) onDone();
  }
  const e = form.byField;
  return (
    <Modal title={app === null ? 'New application' : `Edit ${app.app_name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          name="app_name"
          value={name}
          onInput={setName}
          required
          error={e['app_name']}
        />
        <TextField
          label="Answer URL"
          name="answer_url"
          value={answerUrl}
          onInput={setAnswerUrl}
          required
          placeholder="https://example.com/answer"
          error={e['answer_url']}
        />
        <SelectField
          label="SIP auth type"
          name="sip_auth_type"
          value={authType}
          onChange={(v) =>
            setAuthType((AUTH_TYPES as readonly string[]).includes(v) ? (v as AuthType) : 'none')
          }
          options={AUTH_TYPES.map((t) => ({ value: t, label: t }))}
          error={e['sip_auth_type']}
        />
        {usesAcl && (
          <SelectField
            label="IP ACL"
            name="ip_acl_uuid"
            value={acl}
            onChange={setAcl}
            options={withNone(options.acls)}
            error={e['ip_acl_uuid']}
          />
        )}
        {usesCred && (
          <SelectField
            label="Credential"
            name="credential_uuid"
            value={cred}
            onChange={setCred}
            options={withNone(options.credentials)}
            error={e['credential_uuid']}
          />
        )}
        <DigestAlgorithmsField value={algorithms} onChange={setAlgorithms} error={e['digest_algorithms']} />
        <CheckboxField
          label="Enabled"
          name="enabled"
          checked={enabled}
          onChange={setEnabled}
          error={e['enabled']}
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            {app === null ? 'Create application' : 'Save application'}
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

export function ApplicationsPage() {
  const { api, authId } = useConsole();
  const [editing, setEditing] = useState<Application | 'new' | null>(null);
  const list = usePagedList<Application>(
    (limit, offset) =>
      apiResult(
        api.GET('/v1/Account/{auth_id}/Application/', {
          params: { path: { auth_id: authId }, query: { limit: String(limit), offset: String(offset) } },
        }),
      ).then((r) => mapResult(r, plivoPage)),
    authId,
  );
  return (
    <section>
      <p class="lead">
        Applications are reached at their SIP URI and admit calls as their SIP auth type says.
      </p>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          + New application
        </button>
      </div>
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">Applications</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">SIP URI</th>
            <th scope="col">SIP auth type</th>
            <th scope="col">Enabled</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((a) => (
            <tr key={a.app_id}>
              <td>{a.app_name}</td>
              <td>
                <code>{a.sip_uri}</code>{' '}
                <CopyButton value={a.sip_uri} label={`Copy the SIP URI of ${a.app_name}`} />
              </td>
              <td>{a.sip_auth_type}</td>
              <td>{a.enabled ? 'yes' : 'no'}</td>
              <td class="actions">
                <button
                  type="button"
                  class="small"
                  onClick={() => setEditing(a)}
                  aria-label={`Edit ${a.app_name}`}
                >
                  Edit
                </button>
                <DeleteAction
                  what={`application ${a.app_name}`}
                  run={() =>
                    apiResult(
                      api.DELETE('/v1/Account/{auth_id}/Application/{app_id}/', {
                        params: { path: { auth_id: authId, app_id: a.app_id } },
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
              <td colSpan={5} class="empty">
                No applications yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="applications" />
      {editing !== null && (
        <AppForm
          app={editing === 'new' ? null : editing}
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
