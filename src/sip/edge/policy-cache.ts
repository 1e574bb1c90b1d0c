// Keeps the edge's PolicySnapshot current. Every API change that the edge enforces bumps
// change_version and logs what it changed in the same transaction (src/store/transaction.ts); each
// edge node polls, reads only the changed rows and updates those pieces of its policy table in
// place (src/sip/edge/policy-loader.ts), so a revoked credential or a changed ACL is enforced by
// every node within about one poll interval (default 0.5 s) plus one small read, with no restart.
//
// Memory: one compact table per edge thread (typed-array tries, HA1s as bytes; see
// src/domain/policy/). Deltas keep it current, so it is built once and not rebuilt beside itself.
import type { PolicySnapshot } from '../../domain/policy/admission-target.ts';
import type { PolicyTable } from '../../domain/policy/policy-table.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/database.ts';
import { EMPTY_POLICY } from './admission-policy.ts';
import { loadPolicy, refreshPolicy } from './policy-loader.ts';

export class PolicyCache {
  private table: PolicyTable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly store: Store,
    private readonly sipDomain: string,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  current(): PolicySnapshot {
    return this.table ?? EMPTY_POLICY;
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    this.table = await loadPolicy(this.store, this.sipDomain);
    this.log.info(
      { version: this.table.version, ms: Math.round(performance.now() - t0) },
      'sip policy loaded',
    );
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => {
        if (this.timer !== undefined) this.schedule();
      });
    }, this.pollMs);
    this.timer.unref();
  }

  /** Applies what changed since the held version. Keeps serving the last good policy on errors. */
  async refresh(): Promise<void> {
    if (this.loading !== undefined) return this.loading;
    this.loading = (async () => {
      try {
        const t0 = performance.now();
        if (this.table === undefined) {
          this.table = await loadPolicy(this.store, this.sipDomain);
        } else {
          const from = this.table.version;
          const r = await refreshPolicy(this.store, this.table);
          if (r.kind === 'full') this.table = r.table;
          if (r.kind !== 'current') {
            this.log.debug(
              {
                from,
                version: this.table.version,
                mode: r.kind,
                changes: r.kind === 'delta' ? r.changes : undefined,
                ms: Math.round(performance.now() - t0),
              },
              'sip policy reloaded',
            );
          }
        }
        this.failures = 0;
      } catch (err) {
        if (this.failures++ === 0) {
          this.log.error(
            { err: err instanceof Error ? err.message : String(err) },
            'sip policy reload failed; serving the last snapshot',
          );
        }
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
