// IP Whitelisting, as Plivo's document describes it: "+ Add CIDR Address" opens a modal taking one
// or more comma-separated CIDRs; the list shows every CIDR with its subnet mask; any entry can be
// edited or deleted. Each refusal is shown next to the CIDR it concerns. A change that would lock
// the caller's own address out (409 allowlist_lockout) asks for confirmation, naming that address,
// and is sent again with confirm only if the person says so.
import { useState } from 'preact/hooks';
import type { ApiErrorBody } from '../../../sdk/client.ts';
import { type ApiResult, apiResult } from '../api-result.ts';
import { cidrConcerned, splitCidrs, subnetMask } from '../cidr-input.ts';
import { FormActions, FormError, TextField } from '../components/field.tsx';
import { ConfirmDialog, Modal } from '../components/modal.tsx';
import { ListError, mapResult, Pager, plivoPage, usePagedList } from '../components/paged-list.tsx';
import { useConsole } from '../console-context.ts';

interface Entry {
  entry_id: string;
  cidr: string;
  created_at: string;
  updated_at: string;
}

function lockoutAddress(error: ApiErrorBody): string {
  const a = error['client_address'];
  return typeof a === 'string' ? a : 'your address';
}

/** Asks before a change that would lock the caller out; names the address the API sees. */
function LockoutConfirm({
  error,
  onConfirm,
  onCancel,
}: {
  error: ApiErrorBody;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const address = lockoutAddress(error);
  return (
    <ConfirmDialog
      title="Lock out your own address?"
      danger
      confirmLabel={`Yes, lock out ${address}`}
      onConfirm={onConfirm}
      onCancel={onCancel}
      message={
        <>
          <p class="lockout">
            After this change your current address <strong class="address">{address}</strong> would no longer
            be on the allowlist: every later API request from it — including this console — would be refused
            with 403.
          </p>
          <p class="api-says">{error.error}</p>
        </>
      }
    />
  );
}

/**
 * Sends a change; on 409 allowlist_lockout it asks first and sends it again with confirm.
 * The change is a function of `confirm` so the same request is repeated, only confirmed.
 */
function useLockoutGuard() {
  const [pending, setPending] = useState<{ error: ApiErrorBody; retry: () => Promise<void> } | null>(null);
  async function send(
    change: (confirm: boolean) => Promise<ApiResult<unknown>>,
    done: (r: ApiResult<unknown>) => void,
  ): Promise<void> {
    const r = await change(false);
    if (!r.ok && r.error.code === 'allowlist_lockout') {
      setPending({
        error: r.error,
        retry: async () => {
          setPending(null);
          done(await change(true));
        },
      });
      return;
    }
    done(r);
  }
  const dialog =
    pending === null ? null : (
      <LockoutConfirm
        error={pending.error}
        onConfirm={() => void pending.retry()}
        onCancel={() => setPending(null)}
      />
    );
  return { send, dialog, cancel: () => setPending(null) };
}

/** The typed CIDRs, each with the refusal that concerns it. */
function TypedCidrs({ typed, error }: { typed: string[]; error: ApiErrorBody | null }) {
  if (error === null || typed.length < 2) return null;
  const at = cidrConcerned(typed, error.error);
  if (at < 0) return null;
  return (
    <ul class="typed-cidrs" aria-label="CIDRs entered">
      {typed.map((c, i) => (
        <li key={`${c}-${i}`} class={i === at ? 'has-error' : ''}>
          <code>{c}</code>
          {i === at && (
            <div class="field-error" role="alert">
              {error.error}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

function AddCidrs({ onClose, onDone }: { onClose: () => void; onDone: (message: string) => void }) {
  const { api, authId } = useConsole();
  const [text, setText] = useState('');
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const [busy, setBusy] = useState(false);
  const guard = useLockoutGuard();
  const typed = splitCidrs(text);
  // Several CIDRs: the message goes next to the one it names; one CIDR (or none named): under the field.
  const perCidr = error !== null && typed.length > 1 && cidrConcerned(typed, error.error) >= 0;
  const fieldError =
    error !== null && !perCidr && (error.field === 'cidr' || error.field === undefined)
      ? error.error
      : undefined;

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    await guard.send(
      (confirm) =>
        apiResult(
          api.POST('/v1/Account/{auth_id}/IPWhitelist/', {
            params: { path: { auth_id: authId } },
            body: { cidr: text, ...(confirm ? { confirm: true } : {}) },
          }),
        ),
      (r) => {
        setBusy(false);
        if (r.ok) onDone((r.data as { message: string }).message);
        else setError(r.error);
      },
    );
    setBusy(false);
  }
  return (
    <>
      <Modal title="Add CIDR Address" onClose={onClose}>
        <form onSubmit={submit}>
          <TextField
            label="CIDR addresses"
            name="cidr"
            value={text}
            onInput={(v) => {
              setText(v);
              setError(null);
            }}
            required
            placeholder="34.120.16.0/24, 2a05:d014:1f0::/48"
            hint="One or more IP addresses in CIDR format, comma-separated (a single host is /32, or /128 for IPv6)"
            error={fieldError}
          />
          <TypedCidrs typed={typed} error={error} />
          <FormError message={error !== null && !perCidr && fieldError === undefined ? error.error : null} />
          <FormActions>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="primary" disabled={busy}>
              Add
            </button>
          </FormActions>
        </form>
      </Modal>
      {guard.dialog}
    </>
  );
}

function EditCidr({ entry, onClose, onDone }: { entry: Entry; onClose: () => void; onDone: () => void }) {
  const { api, authId } = useConsole();
  const [text, setText] = useState(entry.cidr);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const guard = useLockoutGuard();
  async function submit(e: Event) {
    e.preventDefault();
    await guard.send(
      (confirm) =>
        apiResult(
          api.POST('/v1/Account/{auth_id}/IPWhitelist/{entry_id}/', {
            params: { path: { auth_id: authId, entry_id: entry.entry_id } },
            body: { cidr: text.trim(), ...(confirm ? { confirm: true } : {}) },
          }),
        ),
      (r) => {
        if (r.ok) onDone();
        else setError(r.error);
      },
    );
  }
  return (
    <>
      <Modal title={`Edit ${entry.cidr}`} onClose={onClose}>
        <form onSubmit={submit}>
          <TextField
            label="CIDR address"
            name="cidr"
            value={text}
            onInput={setText}
            required
            error={error !== null && error.field === 'cidr' ? error.error : undefined}
          />
          <FormError message={error !== null && error.field !== 'cidr' ? error.error : null} />
          <FormActions>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="primary">
              Save
            </button>
          </FormActions>
        </form>
      </Modal>
      {guard.dialog}
    </>
  );
}

function DeleteCidr({ entry, onDone }: { entry: Entry; onDone: () => void }) {
  const { api, authId } = useConsole();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const guard = useLockoutGuard();
  async function confirmDelete() {
    setAsking(false);
    await guard.send(
      (confirm) =>
        apiResult(
          api.DELETE('/v1/Account/{auth_id}/IPWhitelist/{entry_id}/', {
            params: {
              path: { auth_id: authId, entry_id: entry.entry_id },
              query: confirm ? { confirm: true } : {},
            },
          }),
        ),
      (r) => {
        if (r.ok) onDone();
        else setError(r.error);
      },
    );
  }
  return (
    <>
      <button
        type="button"
        class="small danger"
        onClick={() => setAsking(true)}
        aria-label={`Delete ${entry.cidr}`}
      >
        Delete
      </button>
      {error !== null && (
        <div class="field-error" role="alert">
          {error.error}
        </div>
      )}
      {asking && (
        <ConfirmDialog
          title={`Delete ${entry.cidr}?`}
          danger
          confirmLabel="Delete"
          onCancel={() => setAsking(false)}
          onConfirm={() => void confirmDelete()}
          message={
            <p>Requests from {entry.cidr} will no longer be allowed (unless another entry covers them).</p>
          }
        />
      )}
      {guard.dialog}
    </>
  );
}

export function IpWhitelistPage() {
  const { api, authId, session } = useConsole();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Entry | null>(null);
  const [clientAddress, setClientAddress] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = usePagedList<Entry>(
    (limit, offset) =>
      apiResult(
        api.GET('/v1/Account/{auth_id}/IPWhitelist/', {
          params: { path: { auth_id: authId }, query: { limit: String(limit), offset: String(offset) } },
        }),
      ).then((r) => {
        if (r.ok) setClientAddress(r.data.client_address ?? null);
        return mapResult(r, plivoPage);
      }),
    authId,
  );
  const isSub = authId !== session.authId || authId.startsWith('SA');
  return (
    <section>
      <p class="lead">
        API requests for this account and its subaccounts are accepted only from these networks. The list is
        off while it is empty.
        {clientAddress !== null && (
          <>
            {' '}
            Your address as trunkgate sees it: <code class="client-address">{clientAddress}</code>.
          </>
        )}
      </p>
      {isSub && (
        <p class="notice">
          A subaccount uses its parent's list: it is shown here, and only the parent can change it.
        </p>
      )}
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setAdding(true)}>
          + Add CIDR Address
        </button>
      </div>
      {notice !== null && (
        <div class="notice" role="status">
          {notice}
        </div>
      )}
      <ListError error={list.error} />
      <table>
        <caption class="sr-only">Allowed networks</caption>
        <thead>
          <tr>
            <th scope="col">CIDR</th>
            <th scope="col">Subnet mask</th>
            <th scope="col">Added</th>
            <th scope="col">Updated</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((en) => (
            <tr key={en.entry_id}>
              <td>
                <code>{en.cidr}</code>
              </td>
              <td>{subnetMask(en.cidr)}</td>
              <td>{en.created_at}</td>
              <td>{en.updated_at}</td>
              <td class="actions">
                <button
                  type="button"
                  class="small"
                  onClick={() => setEditing(en)}
                  aria-label={`Edit ${en.cidr}`}
                >
                  Edit
                </button>
                <DeleteCidr
                  entry={en}
                  onDone={() => {
                    setNotice(`${en.cidr} deleted`);
                    list.reload();
                  }}
                />
              </td>
            </tr>
          ))}
          {list.items.length === 0 && !list.loading && (
            <tr>
              <td colSpan={5} class="empty">
                No CIDRs: API requests are accepted from any address.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager list={list} noun="CIDRs" />
      {adding && (
        <AddCidrs
          onClose={() => setAdding(false)}
          onDone={(message) => {
            setAdding(false);
            setNotice(message);
            list.reload();
          }}
        />
      )}
      {editing !== null && (
        <EditCidr
          entry={editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setNotice(`${editing.cidr} changed`);
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
