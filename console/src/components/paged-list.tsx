// Lists page 20 at a time (the API's largest Plivo page): a hook that loads one page and a pager.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiErrorBody } from '../../../sdk/client.ts';
import type { ApiResult } from '../api-result.ts';

export const PAGE_SIZE = 20;

export interface Page<T> {
  items: T[];
  total: number;
}

export interface PagedList<T> {
  items: T[];
  total: number;
  offset: number;
  loading: boolean;
  error: ApiErrorBody | null;
  setOffset: (offset: number) => void;
  reload: () => void;
}

/** Loads the page at `offset` of what `load` lists; `key` changes (e.g. the account) start over. */
export function usePagedList<T>(
  load: (limit: number, offset: number) => Promise<ApiResult<Page<T>>>,
  key: string,
): PagedList<T> {
  const [offset, setOffset] = useState(0);
  const [state, setState] = useState<{ items: T[]; total: number; error: ApiErrorBody | null }>({
    items: [],
    total: 0,
    error: null,
  });
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => setOffset(0), [key]);
  useEffect(() => {
    let live = true;
    setLoading(true);
    void load(PAGE_SIZE, offset).then((r) => {
      if (!live) return;
      setLoading(false);
      if (r.ok) setState({ items: r.data.items, total: r.data.total, error: null });
      else setState({ items: [], total: 0, error: r.error });
    });
    return () => {
      live = false;
    };
  }, [key, offset, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, offset, loading, setOffset, reload };
}

/** Plivo-style list body → a page. */
export function plivoPage<T>(body: { meta: { total_count: number }; objects: T[] }): Page<T> {
  return { items: body.objects, total: body.meta.total_count };
}

export function mapResult<A, B>(r: ApiResult<A>, f: (a: A) => B): ApiResult<B> {
  return r.ok ? { ok: true, status: r.status, data: f(r.data) } : r;
}

export function Pager({ list, noun }: { list: PagedList<unknown>; noun: string }) {
  const { offset, total, items } = list;
  if (total === 0) return null;
  const from = offset + 1;
  const to = offset + items.length;
  return (
    <nav class="pager" aria-label={`${noun} pages`}>
      <span aria-live="polite">
        {from}–{to} of {total} {noun}
      </span>
      <button
        type="button"
        class="small"
        disabled={offset === 0}
        onClick={() => list.setOffset(Math.max(0, offset - PAGE_SIZE))}
      >
        Previous page
      </button>
      <button
        type="button"
        class="small"
        disabled={to >= total}
        onClick={() => list.setOffset(offset + PAGE_SIZE)}
      >
        Next page
      </button>
    </nav>
  );
}

/** Every item of a list, page by page (for pickers: a trunk's ACL may be on any page). */
export async function loadAll<T>(
  load: (limit: number, offset: number) => Promise<ApiResult<Page<T>>>,
  max = 1000,
): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; offset < max; offset += PAGE_SIZE) {
    const r = await load(PAGE_SIZE, offset);
    if (!r.ok) break;
    out.push(...r.data.items);
    if (out.length >= r.data.total || r.data.items.length === 0) break;
  }
  return out;
}

export function ListError({ error }: { error: ApiErrorBody | null }) {
  if (error === null) return null;
  return (
    <div class="form-error" role="alert">
      {error.error}
    </div>
  );
}
