// API rate limits (per account) and the brute-force block (per client address). Counters live in
// services.counters (src/state/): Redis shared by all nodes when configured, else this node's memory.
import { formatIp, type IpAddress } from '../../domain/address/index.ts';
import { ApiError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import { sourceKey } from '../../state/source-key.ts';
import type { AccountRow } from '../../store/schema.ts';

function retryAfterHeader(ms: number): Record<string, string> {
  return { 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) };
}

/** The key failures are counted under: the source-key rule the SIP edge's bans use (an IPv6 /64 is one). */
export function failureKey(address: IpAddress | null): string {
  if (address === null) return 'auth:unknown';
  return `auth:${sourceKey(formatIp(address))}`;
}

function failureLimit(services: Services) {
  const f = services.config.authFailure;
  return { maxFailures: f.maxFailures, windowMs: f.windowSeconds * 1000, blockMs: f.banSeconds * 1000 };
}

function blocked(ms: number): ApiError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  // The same answer whatever auth id was tried, so a block never tells whether it exists.
  return new ApiError('too_many_auth_failures', { seconds }, { headers: retryAfterHeader(ms) });
}

/** 429 while the address is blocked for failed authentication, before any credential is checked. */
export async function rejectIfBlocked(services: Services, address: IpAddress | null): Promise<void> {
  const ms = await services.counters.blockedFor(failureKey(address));
  if (ms > 0) throw blocked(ms);
}

/** Counts one failed authentication from the address (unknown auth id or wrong secret alike). */
export async function countAuthFailure(services: Services, address: IpAddress | null): Promise<void> {
  await services.counters.recordFailure(failureKey(address), failureLimit(services));
}

/** 429 with Retry-After when the account is over its API rate limit. */
export async function enforceApiRateLimit(services: Services, account: AccountRow): Promise<void> {
  const limit = services.config.apiRateLimit;
  const d = await services.counters.take(`api:${account.auth_id}`, limit);
  if (d.allowed) return;
  const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
  throw new ApiError(
    'rate_limited',
    {
      detail: `This account is over its API rate limit of ${limit.perSecond} requests per second (bursts of ${limit.burst}); retry after ${seconds} s`,
    },
    { headers: retryAfterHeader(d.retryAfterMs) },
  );
}
