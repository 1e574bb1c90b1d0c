// Overview: the account, its subaccounts, the service's health (GET /health) and the SIP edge's
// outcomes over the last minutes (GET /metrics, sampled while the page is open).
import { useEffect, useState } from 'preact/hooks';

import { apiResult } from '../api-result.ts';
import { useConsole } from '../console-context.ts';
import { addSample, type MetricsSample, parseOutcomeCounter, summarize } from '../metrics-summary.ts';

const WINDOW_MS = 5 * 60_000;
const POLL_MS = 10_000;

type Account = {
  auth_id: string;
  name: string;
  enabled: boolean;
  parent_auth_id: string | null;
  account_type: string;
  created: string;
};
type Health = Record<string, unknown> & {
  status?: string;
  sip_edge?: { backend: string; degraded: boolean; workers: number };
};

function useMetricsSamples(): { samples: MetricsSample[]; error: string | null } {
  const [samples, setSamples] = useState<MetricsSample[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    async function poll() {
      try {
        const res = await fetch('/metrics');
        const text = await res.text();
        if (!live) return;
        if (!res.ok) {
          setError(`GET /metrics answered ${res.status}`);
          return;
        }
        setError(null);
        setSamples((s) => addSample(s, { at: Date.now(), totals: parseOutcomeCounter(text) }, WINDOW_MS));
      } catch (err) {
        if (live) setError(`Could not read /metrics: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return { samples, error };
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

export function OverviewPage() {
  const { api, authId, isParent, session, switchAccount } = useConsole();
  const [account, setAccount] = useState<Account | null>(null);
  const [subs, setSubs] = useState<{ total: number; first: { auth_id: string; name: string }[] } | null>(
    null,
  );
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  const metrics = useMetricsSamples();

  useEffect(() => {
    void apiResult(api.GET('/v1/Account/{auth_id}', { params: { path: { auth_id: authId } } })).then((r) => {
      if (r.ok) setAccount(r.data);
      else setError(r.error.error);
    });
    if (isParent && authId === session.authId) {
      void apiResult(
        api.GET('/v1/Account/{auth_id}/Subaccount/', {
          params: { path: { auth_id: authId }, query: { limit: '5' } },
        }),
      ).then((r) => {
        if (r.ok) setSubs({ total: r.data.meta.total_count, first: r.data.objects });
      });
    }
    // /health answers 503 with the same body when the database is down: show it either way.
    void fetch('/health')
      .then((res) => res.json() as Promise<Health>)
      .then(setHealth, () => setHealth({ status: 'unreachable' }));
  }, [api, authId, isParent, session.authId]);

  const summary = summarize(metrics.samples);
  const edge = health?.sip_edge;
  return (
    <section class="overview">
      {error !== null && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="cards">
        <article class="card" aria-labelledby="ov-account">
          <h2 id="ov-account">Account</h2>
          {account !== null && (
            <dl>
              <dt>Name</dt>
              <dd>{account.name}</dd>
              <dt>Auth ID</dt>
              <dd>
                <code>{account.auth_id}</code>
              </dd>
              <dt>Type</dt>
              <dd>
                {account.parent_auth_id === null
                  ? 'top-level account'
                  : `subaccount of ${account.parent_auth_id}`}
              </dd>
              <dt>Enabled</dt>
              <dd>{account.enabled ? 'yes' : 'no'}</dd>
              {subs !== null && (
                <>
                  <dt>Subaccounts</dt>
                  <dd>
                    <a href="#/subaccounts">{subs.total}</a>
                    {subs.first.length > 0 && (
                      <ul class="sub-list">
                        {subs.first.map((s) => (
                          <li key={s.auth_id}>
                            {s.name} <code>{s.auth_id}</code>{' '}
                            <button type="button" class="link" onClick={() => switchAccount(s.auth_id)}>
                              switch to
                            </button>
                          </li>
                        ))}
                        {subs.total > subs.first.length && <li>…</li>}
                      </ul>
                    )}
                  </dd>
                </>
              )}
            </dl>
          )}
        </article>
        <article class="card" aria-labelledby="ov-health">
          <h2 id="ov-health">Health</h2>
          {health !== null && (
            <dl class="health">
              <dt>Status</dt>
              <dd class={`status-${String(health.status)}`}>{String(health.status)}</dd>
              <dt>Database</dt>
              <dd>{String(health['database'] ?? '—')}</dd>
              <dt>Redis</dt>
              <dd>{String(health['redis'] ?? '—')}</dd>
              <dt>Rate limits</dt>
              <dd>{String(health['rate_limits'] ?? '—')}</dd>
              <dt>SIP edge</dt>
              <dd>
                {edge === undefined
                  ? 'not running in this process'
                  : `${edge.workers} worker(s), state in ${edge.backend}${edge.degraded ? ', degraded' : ''}`}
              </dd>
            </dl>
          )}
        </article>
      </div>
      <article class="card" aria-labelledby="ov-sip">
        <h2 id="ov-sip">SIP requests, last {minutes(WINDOW_MS)}</h2>
        <p class="hint">
          Counted while this page is open (so far {minutes(summary.coveredMs)}); refreshed every{' '}
          {POLL_MS / 1000} s from /metrics, for the whole edge.
        </p>
        {metrics.error !== null && (
          <div class="form-error" role="alert">
            {metrics.error}
          </div>
        )}
        <ul class="groups">
          <li class="admitted">
            Admitted <strong>{summary.recentByGroup.admitted}</strong>
          </li>
          <li class="challenged">
            Challenged <strong>{summary.recentByGroup.challenged}</strong>
          </li>
          <li class="refused">
            Refused <strong>{summary.recentByGroup.refused}</strong>
          </li>
        </ul>
        <table>
          <caption class="sr-only">SIP outcomes</caption>
          <thead>
            <tr>
              <th scope="col">Outcome</th>
              <th scope="col">Kind</th>
              <th scope="col">Last minutes</th>
              <th scope="col">Since the edge started</th>
            </tr>
          </thead>
          <tbody>
            {summary.rows
              .filter((r) => r.total > 0)
              .map((r) => (
                <tr key={r.outcome}>
                  <td>{r.outcome}</td>
                  <td>{r.group}</td>
                  <td>{r.recent}</td>
                  <td>{r.total}</td>
                </tr>
              ))}
            {summary.rows.every((r) => r.total === 0) && (
              <tr>
                <td colSpan={4} class="empty">
                  No SIP requests yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </article>
    </section>
  );
}
