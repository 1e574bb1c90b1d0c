// IP access control lists and their entries (IPv4 and IPv6). The API's messages, such as the
// host-bits one ("… use 10.1.2.0/24"), are shown at the field they concern.
import { useEffect, useState } from 'preact/hooks';
import { apiResult } from '../api-result.ts';
import { DeleteAction } from '../components/delete-action.tsx';
import { FormActions, FormError, TextField } from '../components/field.tsx';
import { Modal } from '../components/modal.tsx';
import { ListError, mapResult, Pager, plivoPage, usePagedList } from '../components/paged-list.tsx';
import { useApiForm } from '../components/use-api-form.ts';
import { useConsole } from '../console-context.ts';

interface Entry {
  entry_id: string;
  ip: string;
  cidr_prefix: number;
  description: string | null;
}

interface Acl {
  ip_acl_uuid: string;
  name: string | null;
  entries: Entry[];
}

type EntryBody = { ip: string; cidr_prefix?: number; description?: string };

function entryBody(ip: string, prefix: string, description: string): EntryBody {
  return {
    ip: ip.trim(),
    // The API checks the number (and says what is wrong with it); an empty field means a single host.
    ...(prefix.trim() !== '' ? { cidr_prefix: Number(prefix) } : {}),
    ...(description.trim() !== '' ? { description: description.trim() } : {}),
  };
}

function EntryFields(p: {
  ip: string;
  setIp: (v: string) => void;
  prefix: string;
  setPrefix: (v: string) => void;
  description: string;
  setDescription: (v: string) => void;
  errors: Record<string, string>;
  requireIp: boolean;
}) {
  return (
    <div class="row">
      <TextField
        label="IP address"
        name="ip"
        value={p.ip}
        onInput={p.setIp}
        required={p.requireIp}
        placeholder="203.0.113.0 or 2001:db8::"
        error={p.errors['ip']}
      />
      <TextField
        label="Prefix length"
        name="cidr_prefix"
        type="number"
        value={p.prefix}
        onInput={p.setPrefix}
        placeholder="32 / 128"
        error={p.errors['cidr_prefix']}
        hint="Empty: the single host"
      />
      <TextField
        label="Description"
        name="description"
        value={p.description}
        onInput={p.setDescription}
        error={p.errors['description']}
      />
    </div>
  );
}

function CreateAcl({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { api, authId } = useConsole();
  const [name, setName] = useState('');
  const [ip, setIp] = useState('');
  const [prefix, setPrefix] = useState('');
  const [description, setDescription] = useState('');
  const form = useApiForm(['name', 'ip', 'cidr_prefix', 'description']);
  async function submit(e: Event) {
    e.preventDefault();
    const entries = ip.trim() === '' ? [] : [entryBody(ip, prefix, description)];
    const r = await form.run(
      apiResult(
        api.POST('/v1/Account/{auth_id}/SipAuth/IPAccessControlList/', {
          params: { path: { auth_id: authId } },
          body: { name: name.trim(), entries },
        }),
      ),
    );
    if (r.ok) onDone();
  }
  return (
    <Modal title="New IP ACL" onClose={onClose}>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          name="name"
          value={name}
          onInput={setName}
          required
          error={form.byField['name']}
        />
        <h3>First entry (optional)</h3>
        <EntryFields
          ip={ip}
          setIp={setIp}
          prefix={prefix}
          setPrefix={setPrefix}
          description={description}
          setDescription={setDescription}
          errors={form.byField}
          requireIp={false}
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            Create ACL
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

function AclEntries({ aclId, onClose }: { aclId: string; onClose: () => void }) {
  const { api, authId } = useConsole();
  const [acl, setAcl] = useState<Acl | null>(null);
  const [tick, setTick] = useState(0);
  const [ip, setIp] = useState('');
  const [prefix, setPrefix] = useState('');
  const [description, setDescription] = useState('');
  const form = useApiForm(['ip', 'cidr_prefix', 'description']);
  const path = { auth_id: authId, ip_acl_uuid: aclId };
  useEffect(() => {
    void apiResult(
      api.GET('/v1/Account/{auth_id}/SipAuth/IPAccessControlList/{ip_acl_uuid}/', { params: { path } }),
    ).then((r) => {
      if (r.ok) setAcl(r.data);
      else form.setError(r.error);
    });
  }, [tick]);
  async function add(e: Event) {
    e.preventDefault();
    const r = await form.run(
      apiResult(
        api.POST('/v1/Account/{auth_id}/SipAuth/IPAccessControlList/{ip_acl_uuid}/Entry/', {
          params: { path },
          body: entryBody(ip, prefix, description),
        }),
      ),
    );
    if (r.ok) {
      setIp('');
      setPrefix('');
      setDescription('');
      setTick((t) => t + 1);
    }
  }
  return (
    <Modal title={`Entries of ${acl?.name ?? 'IP ACL'}`} onClose={onClose}>
      <table>
        <caption class="sr-only">Entries</caption>
        <thead>
          <tr>
            <th scope="col">Network</th>
            <th scope="col">Description</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(acl?.entries ?? []).map((en) => (
            <tr key={en.entry_id}>
              <td>
                <code>
                  {en.ip}/{en.cidr_prefix}
                </code>
              </td>
              <td>{en.description ?? ''}</td>
              <td>
                <DeleteAction
                  what={`entry ${en.ip}/${en.cidr_prefix}`}
                  run={() =>
                    apiResult(
                      api.DELETE(
                        '/v1/Account/{auth_id}/SipAuth/IPAccessControlList/{ip_acl_uuid}/Entry/{entry_id}/',
                        {
                          params: { path: { ...path, entry_id: en.entry_id } },
                        },
                      ),
                    )
                  }
                  onDone={() => setTick((t) => t + 1)}
                />
              </td>
            </tr>
          ))}
          {acl !== null && acl.entries.length === 0 && (
            <tr>
              <td colSpan={3} class="empty">
                No entries: this ACL admits nobody.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form onSubmit={add} aria-label="Add an entry">
        <h3>Add an entry</h3>
        <EntryFields
          ip={ip}
          setIp={setIp}
          prefix={prefix}
          setPrefix={setPrefix}
          description={description}
          setDescription={setDescription}
          errors={form.byField}
          requireIp
        />
        <FormError message={form.general} />
        <FormActions>
          <button type="button" onClick={onClose}>
            Done
          </button>
          <button type="submit" class="primary" disabled={form.busy}>
            Add entry
          </button>
        </FormActions>
      </form>
    </Modal>
  );
}

export function IpAclsPage() {
  const { api, authId } = useConsole();
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const list = usePagedList<Acl>(
    (limit, offset) =>
      apiResult(
        api.GET('/v1/Account/{auth_id}/SipAuth/IPAccessControlList/', {
          params: { path: { auth_id: authId }, query: { limit: String(limit), offset: String(offset) } },
        }),
      ).then((r) => mapResult(r, plivoPage)),
    authId,
  );
  return (
    <section>
      <p class="lead">Networks (IPv4 and IPv6) that trunks and applications admit calls from.</p>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          + New IP ACL
        </button>
      </div>
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">IP ACLs</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Networks</th>
            <th scope="col">ACL UUID</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((a) => (
            <tr key={a.ip_acl_uuid}>
              <td>{a.name ?? '—'}</td>
              <td>
                {a.entries.map((en) => (
                  <code key={en.entry_id} class="chip">
                    {en.ip}/{en.cidr_prefix}
                  </code>
                ))}
              </td>
              <td>
                <code>{a.ip_acl_uuid}</code>
              </td>
              <td class="actions">
                <button
                  type="button"
                  class="small"
                  onClick={() => setOpen(a.ip_acl_uuid)}
                  aria-label={`Entries of ${a.name ?? a.ip_acl_uuid}`}
                >
                  Entries
                </button>
                <DeleteAction
                  what={`IP ACL ${a.name ?? a.ip_acl_uuid}`}
                  run={() =>
                    apiResult(
                      api.DELETE('/v1/Account/{auth_id}/SipAuth/IPAccessControlList/{ip_acl_uuid}/', {
                        params: { path: { auth_id: authId, ip_acl_uuid: a.ip_acl_uuid } },
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
                No IP ACLs yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="IP ACLs" />
      {creating && (
        <CreateAcl
          onClose={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            list.reload();
          }}
        />
      )}
      {open !== null && (
        <AclEntries
          aclId={open}
          onClose={() => {
            setOpen(null);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
