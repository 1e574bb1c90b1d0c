// State of a form that sends one API request: busy while it runs, and the API's error after.
import { useState } from 'preact/hooks';
import type { ApiErrorBody } from '../../../sdk/client.ts';
import { type ApiResult, fieldErrors } from '../api-result.ts';

export function useApiForm(fields: readonly string[]) {
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const [busy, setBusy] = useState(false);
  async function run<T>(call: Promise<ApiResult<T>>): Promise<ApiResult<T>> {
    setBusy(true);
    const r = await call;
    setBusy(false);
    setError(r.ok ? null : r.error);
    return r;
  }
  const { byField, general } = fieldErrors(error, fields);
  return { error, setError, busy, run, byField, general };
}
