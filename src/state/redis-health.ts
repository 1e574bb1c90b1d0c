// Whether the edge may use Redis right now, and the one log line per change of that answer.
//
// Redis is "usable" for the paths that have a local fallback (bans, CPS, registrar, transactions) when
// the connection is ready and no command failed within the last `retryAfterMs` — a circuit breaker: a
// hung Redis costs them one command timeout per second, not one per request. Nonce counts have no
// fallback, so they only need connected(): one failed command must not refuse every authenticated
// request for a second. Every failure while usable, and every connection loss, flips the state to degraded with one
// warn line; the next success (or reconnect) flips it back with one info line. ioredis reports an error
// per reconnect attempt — those are not logged again.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export type StateLog = Pick<Logger, 'warn' | 'info'>;

export class RedisHealth {
  private degradedSince: number | undefined;
  private openUntil = 0;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly log: StateLog,
    private readonly retryAfterMs = 1000,
  ) {
    redis.on('ready', () => {
      this.openUntil = 0;
      this.recovered();
    });
    redis.on('error', (err: Error) => this.failure(err));
    redis.on('close', () => this.failure(new Error('connection closed')));
  }

  get degraded(): boolean {
    return this.degradedSince !== undefined || this.redis.status !== 'ready';
  }

  /** The connection is up. */
  connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Connected, and no command failed in the last retryAfterMs (the fallback paths' circuit breaker). */
  usable(): boolean {
    return this.redis.status === 'ready' && (this.openUntil === 0 || Date.now() >= this.openUntil);
  }

  success(): void {
    this.openUntil = 0;
    this.recovered();
  }

  failure(err: unknown): void {
    this.openUntil = Date.now() + this.retryAfterMs;
    if (this.degradedSince !== undefined || this.stopped) return;
    this.degradedSince = Date.now();
    this.log.warn(
      { backend: 'redis', reason: err instanceof Error ? err.message : String(err) },
      'shared SIP state degraded: Redis unreachable; bans are enforced per node until it is back',
    );
  }

  /** Our own shutdown: the connection closing now is not an outage. */
  stop(): void {
    this.stopped = true;
  }

  private recovered(): void {
    if (this.degradedSince === undefined) return;
    const downMs = Date.now() - this.degradedSince;
    this.degradedSince = undefined;
    this.log.info({ backend: 'redis', downMs }, 'shared SIP state recovered: Redis reachable again');
  }
}
