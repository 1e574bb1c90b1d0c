// Keeps the edge's PolicySnapshot current. Every API change that the edge enforces bumps
// change_version in the same transaction (src/store/transaction.ts); each edge node polls that
// one row and rebuilds the snapshot when it moves, so a revoked credential or a changed ACL is
// enforced by every node within about two poll intervals (default 0.5 s), with no restart.
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/database.ts';
import { EMPTY_POLICY, type PolicySnapshot } from './admission-policy.ts';
import { loadPolicy, readChangeVersion } from './policy-loader.ts';

export class PolicyCache {
  private snapshot: PolicySnapshot = EMPTY_POLICY;
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
    return this.snapshot;
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    this.snapshot = await loadPolicy(this.store, this.sipDomain);
    this.log.info(
      { version: this.snapshot.version, ms: Math.round(performance.now() - t0) },
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

  /** Reloads when the change version moved. Keeps serving the last good snapshot on errors. */
  async refresh(): Promise<void> {
    if (this.loading !== undefined) return this.loading;
    this.loading = (async () => {
      try {
        const version = await readChangeVersion(this.store);
        if (version !== this.snapshot.version) {
          const t0 = performance.now();
          this.snapshot = await loadPolicy(this.store, this.sipDomain);
          this.log.debug({ version, ms: Math.round(performance.now() - t0) }, 'sip policy reloaded');
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
