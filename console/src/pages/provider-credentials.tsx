// Outbound SIP provider credentials (/api/v1/sip-credentials): they take an API key (Bearer) only,
// and belong to the key's account. The password is write-only (the API answers hasAuthPassword);
// credentials sharing a cpsKey share the smallest cpsLimit, shown as the effective group limit.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { TrunkgateClient } from '../../../sdk/client.ts';
import { effectiveCpsLimit } from '../../../src/domain/cps.ts';
import { apiResult } from '../api-result.ts';
import { DeleteAction } from '../components/delete-action.tsx';
import { FormActions, FormError, SelectField, TextField } from '../components/field.tsx';
import { Modal } from '../components/modal.tsx';
import { ListError, mapResult, Pager, usePagedList } from '../components/paged-list.tsx';
import { useApiForm } from '../components/use-api-form.ts';
import { useConsole } from '../console-context.ts';
import { clientFor } from '../session.ts';

interface ProviderCredential {
  id: string;
  orgId: string;
  server: string;
  transport: 'udp' | 'tcp' | 'tls';
  domain: string | null;
  authUser: string | null;
  hasAuthPassword: boolean;
  description: string | null;
  cpsLimit: number | null;
  cpsKey: string | null;
}

const FIELDS = [
  'server',
  'transport',
  'domain',
  'authUser',
  'authPassword',
  'description',
  'cpsLimit',
  'cpsKey',
];

function ProviderForm({
  api,
  cred,
  onClose,
  onDone,
}: {
  api: TrunkgateClient;
  cred: ProviderCredential | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const [server, setServer] = useState(cred?.server ?? '');
  const [transport, setTransport] = useState<'udp' | 'tcp' | 'tls'>(cred?.transport ?? 'udp');
  const [domain, setDomain] = useState(cred?.domain ?? '');
  const [authUser, setAuthUser] = useState(cred?.authUser ?? '');
  const [password, setPassword] = useState('');
  const [description, setDescription] = useState(cred?.description ?? '');
  const [cpsLimit, setCpsLimit] = useState(
    cred?.cpsLimit === null || cred === null ? '' : String(cred.cpsLimit),
  );
  const [cpsKey, setCpsKey] = useState(cred?.cpsKey ?? '');
  const form = useApiForm(FIELDS);
  const opt = (v: string) => (v.trim() === '' ? null : v.trim());
  async function submit(e: Event) {
    e.preventDefault();
    const body = {
      server: server.trim(),
      transport,
      domain: opt(domain),
      authUser: opt(authUser),
      description: opt(description),
      cpsLimit: cpsLimit.trim() === '' ? null : Number(cpsLimit),
      cpsKey: opt(cpsKey),
      // Write-only: an empty field on edit keeps the stored password (PATCH leaves it out).
      ...(password !== '' ? { authPassword: password } : {}),
    };
    const r =
      cred === null
        ? await form.run(apiResult(api.POST('/api/v1/sip-credentials', { body })))
        : await form.run(
            apiResult(api.PATCH('/api/v1/sip-credentials/{id}', { params: { path: { id: cred.id } }, body })),
          );
    if (r.ok) onDone();
  }
  const e = form.byField;
  return (
    <Modal title={cred === null ? 'New provider credential' : `Edit ${cred.server}`} onClose={onClose}>
      <form onSubmit={submit}>
        <TextField
          label="Server"
          name="server"
          value={server}
          onInput={setServer}
          required
          placeholder="sip.carrier.example:5060"
          error={e['server']}
        />
        <SelectField
          label="Transport"
          name="transport"
          value={transport}
          onChange={(v) => setTransport(v === 'tcp' || v === 'tls' ? v : 'udp')}
          options={['udp', 'tcp', 'tls'].map((t) => ({ value: t, label: t }))}
          error={e['transport']}
        />
        <TextField label="Domain" name="domain" value={domain} onInput={setDomain} error={e['domain']} />
        <TextField
          label="Auth user"
          name="authUser"
          value={authUser}
          onInput={setAuthUser}
          error={e['authUser']}
        />
        <TextField
          label="Auth password"
          name="authPassword"
          type="password"
          autoComplete="new-password"
          value={password}
          onInput={setPassword}
          error={e['authPassword']}
          hint={
            cred?.hasAuthPassword
              ? 'A password is stored; leave empty to keep it'
              : 'Encrypted at rest, never shown again'
          }
        />
        <TextField
          label="Description"
          name="description"
          value={description}
          onInput={setDescription}
          error={e['description']}
        />
        <TextField
          label="CPS limit"
          name="cpsLimit"
          type="number"
          value={cpsLimit}
          onInput={setCpsLimit}
          error={e['cpsLimit']}
          hint="Calls per second; empty: none"
        />
        <TextField
          label="CPS key"
          name="cpsKey"
          value={cpsKey}
          onInput={setCpsKey}
          error={e['cpsKey']}
          hint="Credentials with the same key share one limit: the smallest"
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            {cred === null ? 'Create provider credential' : 'Save provider credential'}
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

function ProviderList({ api, keyLabel }: { api: TrunkgateClient; keyLabel: string }) {
  const [editing, setEditing] = useState<ProviderCredential | 'new' | null>(null);
  const [all, setAll] = useState<ProviderCredential[]>([]);
  const [tick, setTick] = useState(0);
  const list = usePagedList<ProviderCredential>(
    (take, skip) =>
      apiResult(
        api.GET('/api/v1/sip-credentials', { params: { query: { skip: String(skip), take: String(take) } } }),
      ).then((r) => mapResult(r, (d) => ({ items: d.items, total: d.total }))),
    `${keyLabel}:${tick}`,
  );
  // The effective limit needs the whole group, which may span pages: read them all (1000 a page).
  useEffect(() => {
    void apiResult(
      api.GET('/api/v1/sip-credentials', { params: { query: { skip: '0', take: '1000' } } }),
    ).then((r) => {
      if (r.ok) setAll(r.data.items);
    });
  }, [api, tick]);
  const effective = useMemo(() => {
    const m = new Map<string, number | null>();
    for (const c of all) m.set(c.id, effectiveCpsLimit(c, all));
    return m;
  }, [all]);
  const reload = () => setTick((t) => t + 1);
  return (
    <>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          + New provider credential
        </button>
      </div>
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">Provider credentials</caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Transport</th>
            <th scope="col">Auth user</th>
            <th scope="col">Password</th>
            <th scope="col">CPS limit</th>
            <th scope="col">CPS key</th>
            <th scope="col">Effective limit</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((c) => {
            const eff = effective.has(c.id) ? effective.get(c.id) : effectiveCpsLimit(c, []);
            return (
              <tr key={c.id}>
                <td>
                  <code>{c.server}</code>
                </td>
                <td>{c.transport}</td>
                <td>{c.authUser ?? '—'}</td>
                <td>{c.hasAuthPassword ? 'stored' : 'none'}</td>
                <td>{c.cpsLimit ?? '—'}</td>
                <td>{c.cpsKey ?? '—'}</td>
                <td class="effective-limit">
                  {eff === null || eff === undefined ? 'unlimited' : `${eff} /s`}
                </td>
                <td class="actions">
                  <button
                    type="button"
                    class="small"
                    onClick={() => setEditing(c)}
                    aria-label={`Edit ${c.server}`}
                  >
                    Edit
                  </button>
                  <DeleteAction
                    what={`provider credential ${c.server}`}
                    run={() =>
                      apiResult(
                        api.DELETE('/api/v1/sip-credentials/{id}', { params: { path: { id: c.id } } }),
                      )
                    }
                    onDone={reload}
                  />
                </td>
              </tr>
            );
          })}
          {list.items.length === 0 && !list.loading && (
            <tr>
              <td colSpan={8} class="empty">
                No provider credentials yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="provider credentials" />
      {editing !== null && (
        <ProviderForm
          api={api}
          cred={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
    </>
  );
}

export function ProviderCredentialsPage() {
  const { api, session } = useConsole();
  // Signed in with auth_id + token: this page needs a key, kept in memory for this page only.
  const [pageKey, setPageKey] = useState('');
  const [usedKey, setUsedKey] = useState<string | null>(null);
  const keyApi = useMemo(
    () =>
      usedKey === null ? null : clientFor({ authId: session.authId, method: 'apiKey', secret: usedKey }),
    [usedKey, session.authId],
  );
  const client = session.method === 'apiKey' ? api : keyApi;
  return (
    <section>
      <p class="lead">
        The credentials your platform uses to reach its carriers. They belong to the account of the API key
        used here ({session.authId}
        {session.method === 'apiKey' ? '' : "'s key"}), whichever account is selected above.
      </p>
      {client === null ? (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setUsedKey(pageKey.trim());
          }}
        >
          <p>
            This API takes an API key (Bearer). Create one on the API keys page and paste it here; it is kept
            in memory only while this page is open.
          </p>
          <TextField
            label="API key"
            name="page_api_key"
            type="password"
            value={pageKey}
            onInput={setPageKey}
            required
            placeholder="tgk_…"
          />
          <button type="submit" class="primary">
            Use this key
          </button>
        </form>
      ) : (
        <>
          {usedKey !== null && (
            <button type="button" class="small" onClick={() => setUsedKey(null)}>
              Use another API key
            </button>
          )}
          <ProviderList api={client} keyLabel={usedKey ?? 'session'} />
        </>
      )}
    </section>
  );
}
