// "Delete" with a confirmation. A refusal stays in the dialog as the API words it; for 409 in_use
// the trunks and applications that use the object are listed.
import { useState } from 'preact/hooks';
import type { ApiErrorBody } from '../../../sdk/client.ts';
import type { ApiResult } from '../api-result.ts';
import { ConfirmDialog } from './modal.tsx';

interface User {
  trunk_id?: string;
  app_id?: string;
  name?: string | null;
  app_name?: string;
}

export function InUse({ error }: { error: ApiErrorBody }) {
  const trunks = (error['trunks'] as User[] | undefined) ?? [];
  const apps = (error['applications'] as User[] | undefined) ?? [];
  if (trunks.length + apps.length === 0) return null;
  return (
    <ul class="in-use" aria-label="Used by">
      {trunks.map((t) => (
        <li key={t.trunk_id}>
          Trunk {t.name ?? ''} <code>{t.trunk_id}</code>
        </li>
      ))}
      {apps.map((a) => (
        <li key={a.app_id}>
          Application {a.app_name ?? ''} <code>{a.app_id}</code>
        </li>
      ))}
    </ul>
  );
}

export interface DeleteActionProps {
  /** e.g. "credential pbx-office" */
  what: string;
  run: () => Promise<ApiResult<unknown>>;
  onDone: () => void;
  label?: string;
}

export function DeleteAction({ what, run, onDone, label = 'Delete' }: DeleteActionProps) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<ApiErrorBody | null>(null);
  async function confirm() {
    const r = await run();
    if (r.ok) {
      setOpen(false);
      setError(null);
      onDone();
    } else setError(r.error);
  }
  return (
    <>
      <button
        type="button"
        class="small danger"
        onClick={() => setOpen(true)}
        aria-label={`${label} ${what}`}
      >
        {label}
      </button>
      {open && (
        <ConfirmDialog
          title={`${label} ${what}?`}
          danger
          confirmLabel={label}
          onCancel={() => {
            setOpen(false);
            setError(null);
          }}
          onConfirm={confirm}
          message={
            <>
              <p>
                {label} {what}? This cannot be undone.
              </p>
              {error !== null && (
                <div class="form-error" role="alert">
                  {error.error}
                  <InUse error={error} />
                </div>
              )}
            </>
          }
        />
      )}
    </>
  );
}
