// Trunks: outbound (your PBX → trunkgate at the trunk domain, admitted by an IP ACL and/or a
// credential) and inbound (trunkgate → your PBX through origination URIs).
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

interface Trunk {
  trunk_id: string;
  trunk_domain: string;
  name: string | null;
  trunk_status: string;
  trunk_direction: string;
  secure: boolean;
  cps_limit: number | null;
  ipacl_uuid: string | null;
  credential_uuid: string | null;
  primary_uri_uuid: string | null;
  fallback_uri_uuid: string | null;
  digest_algorithms: string[] | null;
}

const FIELDS = [
  'name',
  'trunk_direction',
  'trunk_status',
  'secure',
  'cps_limit',
  'ipacl_uuid',
  'credential_uuid',
  'primary_uri_uuid',
  'fallback_uri_uuid',
  'digest_algorithms',
];

function TrunkForm({
  trunk,
  onClose,
  onDone,
}: {
  trunk: Trunk | null;
  onClose: () => void;
  onDone: (id: string) => void;
}) {
  const { api, authId } = useConsole();
  const options = useResourceOptions();
  const [name, setName] = useState(trunk?.name ?? '');
  const [direction, setDirection] = useState<'outbound' | 'inbound'>(
    trunk?.trunk_direction === 'inbound' ? 'inbound' : 'outbound',
  );
  const [status, setStatus] = useState<'enabled' | 'disabled'>(
    trunk?.trunk_status === 'disabled' ? 'disabled' : 'enabled',
  );
  const [secure, setSecure] = useState(trunk?.secure ?? false);
  const [cps, setCps] = useState(trunk?.cps_limit === null || trunk === null ? '' : String(trunk.cps_limit));
  const [acl, setAcl] = useState(trunk?.ipacl_uuid ?? '');
  const [cred, setCred] = useState(trunk?.credential_uuid ?? '');
  const [primary, setPrimary] = useState(trunk?.primary_uri_uuid ?? '');
  const [fallback, setFallback] = useState(trunk?.fallback_uri_uuid ?? '');
  const [algorithms, setAlgorithms] = useState<string[]>(trunk?.digest_algorithms ?? []);
  const form = useApiForm(FIELDS);

  async function submit(e: Event) {
    e.preventDefault();
    const editing = trunk !== null;
    // On create an empty picker is left out; on edit it is null, which clears the reference.
    const ref = (v: string) => (v !== '' ? v : editing ? null : undefined);
    const refs =
      direction === 'outbound'
        ? { ipacl_uuid: ref(acl), credential_uuid: ref(cred) }
        : { primary_uri_uuid: ref(primary), fallback_uri_uuid: ref(fallback) };
    const body = {
      ...(name.trim() !== '' ? { name: name.trim() } : editing ? { name: null } : {}),
      trunk_status: status,
      secure,
      ...(cps.trim() !== '' ? { cps_limit: Number(cps) } : editing ? { cps_limit: null } : {}),
      ...Object.fromEntries(Object.entries(refs).filter(([, v]) => v !== undefined)),
      ...(algorithms.length > 0
        ? { digest_algorithms: algorithms }
        : editing
          ? { digest_algorithms: null }
          : {}),
    };
    if (trunk === null) {
      const r = await form.run(
        apiResult(
          api.POST('/v1/Account/{auth_id}/Zentrunk/Trunk/', {
            params: { path: { auth_id: authId } },
            body: { ...body, trunk_direction: direction },
          }),
        ),
      );
      if (r.ok) onDone(r.data.trunk_id);
    } else {
      const r = await form.run(
        apiResult(
          api.POST('/v1/Account/{auth_id}/Zentrunk/Trunk/{trunk_id}/', {
            params: { path: { auth_id: authId, trunk_id: trunk.trunk_id } },
            body,
          }),
        ),
      );
      if (r.ok) onDone(trunk.trunk_id);
    }
  }

  const e = form.byField;
  return (
    <Modal
      title={trunk === null ? 'New trunk' : `Edit trunk ${trunk.name ?? trunk.trunk_id}`}
      onClose={onClose}
    >
      <form onSubmit={submit}>
        <TextField label="Name" name="name" value={name} onInput={setName} error={e['name']} />
        <SelectField
          label="Direction"
          name="trunk_direction"
          value={direction}
          onChange={(v) => setDirection(v === 'inbound' ? 'inbound' : 'outbound')}
          options={
            trunk === null
              ? [
                  { value: 'outbound', label: 'Outbound: your PBX sends calls to trunkgate' },
                  { value: 'inbound', label: 'Inbound: trunkgate sends calls to your PBX' },
                ]
              : [{ value: direction, label: direction }]
          }
          error={e['trunk_direction']}
        />
        {direction === 'outbound' ? (
          <>
            <SelectField
              label="IP ACL"
              name="ipacl_uuid"
              value={acl}
              onChange={setAcl}
              options={withNone(options.acls)}
              error={e['ipacl_uuid']}
            />
            <SelectField
              label="Credential"
              name="credential_uuid"
              value={cred}
              onChange={setCred}
              options={withNone(options.credentials)}
              error={e['credential_uuid']}
              hint="Both set: a call must come from the ACL's networks and prove the credential"
            />
          </>
        ) : (
          <>
            <SelectField
              label="Primary origination URI"
              name="primary_uri_uuid"
              value={primary}
              onChange={setPrimary}
              options={withNone(options.uris)}
              error={e['primary_uri_uuid']}
            />
            <SelectField
              label="Fallback origination URI"
              name="fallback_uri_uuid"
              value={fallback}
              onChange={setFallback}
              options={withNone(options.uris)}
              error={e['fallback_uri_uuid']}
            />
          </>
        )}
        <TextField
          label="CPS limit"
          name="cps_limit"
          type="number"
          value={cps}
          onInput={setCps}
          error={e['cps_limit']}
          hint="Calls per second admitted; empty: no limit"
        />
        <DigestAlgorithmsField value={algorithms} onChange={setAlgorithms} error={e['digest_algorithms']} />
        <SelectField
          label="Status"
          name="trunk_status"
          value={status}
          onChange={(v) => setStatus(v === 'disabled' ? 'disabled' : 'enabled')}
          options={[
            { value: 'enabled', label: 'enabled' },
            { value: 'disabled', label: 'disabled' },
          ]}
          error={e['trunk_status']}
        />
        <CheckboxField
          label="Secure (TLS only)"
          name="secure"
          checked={secure}
          onChange={setSecure}
          error={e['secure']}
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            {trunk === null ? 'Create trunk' : 'Save trunk'}
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

export function TrunksPage() {
  const { api, authId } = useConsole();
  const [editing, setEditing] = useState<Trunk | 'new' | null>(null);
  const list = usePagedList<Trunk>(
    (limit, offset) =>
      apiResult(
        api.GET('/v1/Account/{auth_id}/Zentrunk/Trunk/', {
          params: { path: { auth_id: authId }, query: { limit: String(limit), offset: String(offset) } },
        }),
      ).then((r) => mapResult(r, plivoPage)),
    authId,
  );
  return (
    <section>
      <p class="lead">
        Point an outbound trunk's PBX at its trunk domain; inbound trunks reach your PBX through origination
        URIs.
      </p>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          + New trunk
        </button>
      </div>
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">Trunks</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Direction</th>
            <th scope="col">Trunk domain</th>
            <th scope="col">Status</th>
            <th scope="col">CPS limit</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((t) => (
            <tr key={t.trunk_id}>
              <td>{t.name ?? '—'}</td>
              <td>{t.trunk_direction}</td>
              <td>
                <code class="trunk-domain">{t.trunk_domain}</code>{' '}
                <CopyButton
                  value={t.trunk_domain}
                  label={`Copy the trunk domain of ${t.name ?? t.trunk_id}`}
                />
              </td>
              <td>{t.trunk_status}</td>
              <td>{t.cps_limit ?? '—'}</td>
              <td class="actions">
                <button
                  type="button"
                  class="small"
                  onClick={() => setEditing(t)}
                  aria-label={`Edit trunk ${t.name ?? t.trunk_id}`}
                >
                  Edit
                </button>
                <DeleteAction
                  what={`trunk ${t.name ?? t.trunk_id}`}
                  run={() =>
                    apiResult(
                      api.DELETE('/v1/Account/{auth_id}/Zentrunk/Trunk/{trunk_id}/', {
                        params: { path: { auth_id: authId, trunk_id: t.trunk_id } },
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
              <td colSpan={6} class="empty">
                No trunks yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="trunks" />
      {editing !== null && (
        <TrunkForm
          trunk={editing === 'new' ? null : editing}
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
