// One shape for every API answer the pages handle: the data, or the API's error body as it came.
import { type ApiErrorBody, isApiErrorBody } from '../../sdk/client.ts';

export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly data: T }
  | { readonly ok: false; readonly status: number; readonly error: ApiErrorBody };

interface FetchOutcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Wraps an openapi-fetch call; a network failure becomes an error body too, worded for a person. */
export async function apiResult<T>(call: Promise<FetchOutcome<T>>): Promise<ApiResult<T>> {
  try {
    const r = await call;
    if (r.response.ok) return { ok: true, status: r.response.status, data: r.data as T };
    const error: ApiErrorBody = isApiErrorBody(r.error)
      ? r.error
      : {
          api_id: '',
          code: `http_${r.response.status}`,
          error: `The API answered ${r.response.status} ${r.response.statusText}`,
        };
    return { ok: false, status: r.response.status, error };
  } catch (err) {
    return {
      ok: false,
      status: 0,
      error: {
        api_id: '',
        code: 'network_error',
        error: `Could not reach trunkgate: ${err instanceof Error ? err.message : String(err)}`,
      },
    };
  }
}

/** The error of each form field, from the error body's `field` (its last path segment too). */
export function fieldErrors(
  error: ApiErrorBody | null,
  fields: readonly string[],
): {
  byField: Record<string, string>;
  general: string | null;
} {
  if (error === null) return { byField: {}, general: null };
  const f = error.field;
  if (f !== undefined) {
    const last = f.split('.').pop() ?? f;
    const match = fields.includes(f) ? f : fields.includes(last) ? last : undefined;
    if (match !== undefined) return { byField: { [match]: error.error }, general: null };
  }
  return { byField: {}, general: error.error };
}
