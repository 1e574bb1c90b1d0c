// Policy for API requests, in this order: where the request comes from (the API IP allowlist, the
// brute-force block), who sends it (HTTP Basic auth_id:auth_token, or an API key as a Bearer token),
// how often (the account's rate limit), and — under /v1/Account/{auth_id}/ — whether the caller may
// act on {auth_id}: the caller itself or one of its subaccounts; anything else is a 404, so the
// existence of other accounts is never revealed. Parsing the header is src/api/basic-auth.ts's job.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches, UNKNOWN_ACCOUNT_HASH } from '../../domain/account-identity.ts';
import type { IpAddress } from '../../domain/address/index.ts';
import { apiKeyState, isApiKeyToken } from '../../domain/api-key-token.ts';
import { ApiError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import { type ApiKeyView, LAST_USED_RESOLUTION_MS } from '../../store/repositories/api-key-repository.ts';
import type { AccountRow } from '../../store/schema.ts';
import { VerifiedCredentialCache } from '../../store/verified-credential-cache.ts';
import { parseAuthorization } from '../basic-auth.ts';
import { requestClientAddress } from '../client-address.ts';
import { enforceAllowlist } from './api-allowlist.ts';
import { countAuthFailure, enforceApiRateLimit, rejectIfBlocked } from './rate-limit.ts';

export type AuthScheme = 'basic' | 'bearer';

const BASIC_CHALLENGE = 'Basic realm="trunkgate", charset="UTF-8"';
const BEARER_CHALLENGE = 'Bearer realm="trunkgate"';

function challenge(schemes: readonly AuthScheme[], bearerError?: string): Record<string, string> {
  // RFC 6750 §3: a token that was presented but is unusable is error="invalid_token".
  const bearer =
    bearerError === undefined
      ? BEARER_CHALLENGE
      : `${BEARER_CHALLENGE}, error="invalid_token", error_description="${bearerError}"`;
  const parts = schemes.map((s) => (s === 'basic' ? BASIC_CHALLENGE : bearer));
  return { 'WWW-Authenticate': parts.join(', ') };
}

export function unauthenticated(schemes: readonly AuthScheme[] = ['basic', 'bearer']): ApiError {
  return new ApiError('unauthenticated', {}, { headers: challenge(schemes) });
}

/** A subaccount of a disabled parent cannot authenticate either. */
async function usable(services: Services, row: AccountRow): Promise<boolean> {
  if (row.enabled !== 1) return false;
  if (row.parent_auth_id === null) return true;
  const parent = await services.accounts.findById(row.parent_auth_id);
  return parent !== undefined && parent.enabled === 1;
}

/** Verifies Basic credentials; the same work is done whether or not the auth id exists. */
export async function authenticateBasic(
  services: Services,
  user: string,
  password: string,
): Promise<AccountRow | undefined> {
  const cache = services.credentialCache;
  const cacheKey = VerifiedCredentialCache.keyOf('basic', user, password);
  const hit = await cache.get(cacheKey);
  if (hit !== undefined && hit.key === undefined) return hit.account;
  const generation = cache.generation;
  const row = user.length <= 64 ? await services.accounts.findById(user) : undefined;
  const ok = tokenMatches(row?.token_hash ?? UNKNOWN_ACCOUNT_HASH, password);
  if (!ok || row === undefined || !(await usable(services, row))) return undefined;
  cache.set(cacheKey, { account: row }, generation);
  return row;
}

export type BearerOutcome =
  | { readonly kind: 'ok'; readonly account: AccountRow; readonly key: ApiKeyView }
  /** Not a key of ours, or its account is disabled. */
  | { readonly kind: 'invalid' }
  | { readonly kind: 'revoked' }
  | { readonly kind: 'expired'; readonly expiresAt: string };

/** Resolves an API key presented as a Bearer token to its account, recording its use. */
export async function authenticateBearer(services: Services, token: string): Promise<BearerOutcome> {
  if (!isApiKeyToken(token)) return { kind: 'invalid' };
  const cache = services.credentialCache;
  const cacheKey = VerifiedCredentialCache.keyOf('bearer', token);
  const now = new Date();
  const hit = await cache.get(cacheKey);
  if (hit?.key !== undefined) {
    // Expiry is a moment, not a change: checked on every use.
    if (apiKeyState(hit.key, now) === 'expired')
      return { kind: 'expired', expiresAt: hit.key.expires_at ?? '' };
    hit.key = await touch(services, hit.key, now);
    return { kind: 'ok', account: hit.account, key: hit.key };
  }
  const generation = cache.generation;
  const key = await services.apiKeys.findByToken(token);
  if (key === undefined) return { kind: 'invalid' };
  const state = apiKeyState(key, now);
  if (state === 'revoked') return { kind: 'revoked' };
  if (state === 'expired') return { kind: 'expired', expiresAt: key.expires_at ?? '' };
  const account = await services.accounts.findById(key.account_auth_id);
  if (account === undefined || !(await usable(services, account))) return { kind: 'invalid' };
  const touched = await touch(services, key, now);
  cache.set(cacheKey, { account, key: touched }, generation);
  return { kind: 'ok', account, key: touched };
}

/** Records the key's use (at most once per LAST_USED_RESOLUTION_MS); the view as it now stands. */
async function touch(services: Services, key: ApiKeyView, now: Date): Promise<ApiKeyView> {
  const due =
    key.last_used_at === null || now.getTime() - Date.parse(key.last_used_at) >= LAST_USED_RESOLUTION_MS;
  if (!due) return key;
  await services.apiKeys.touch(key, now);
  return { ...key, last_used_at: now.toISOString() };
}

/**
 * Authenticates with one of `schemes`. Every presented credential that fails counts against the
 * client address (unknown auth id, wrong token, unknown/revoked/expired key alike); a request with
 * no credentials at all guesses nothing and is not counted.
 */
async function authenticateRequest(
  services: Services,
  request: FastifyRequest,
  address: IpAddress | null,
  schemes: readonly AuthScheme[],
): Promise<AccountRow> {
  const auth = parseAuthorization(request.headers.authorization);
  if (auth.scheme === 'none') throw unauthenticated(schemes);
  if (auth.scheme === 'basic' && schemes.includes('basic')) {
    const caller = await authenticateBasic(services, auth.user, auth.password);
    if (caller !== undefined) {
      request.authMethod = 'basic';
      return caller;
    }
  } else if (auth.scheme === 'bearer' && schemes.includes('bearer')) {
    const outcome = await authenticateBearer(services, auth.token);
    if (outcome.kind === 'ok') {
      request.authMethod = 'bearer';
      return outcome.account;
    }
    if (outcome.kind === 'revoked') {
      await countAuthFailure(services, address);
      throw new ApiError(
        'api_key_revoked',
        {},
        { headers: challenge(schemes, 'The API key has been revoked') },
      );
    }
    if (outcome.kind === 'expired') {
      await countAuthFailure(services, address);
      throw new ApiError(
        'api_key_expired',
        { expires_at: outcome.expiresAt },
        { headers: challenge(schemes, 'The API key has expired') },
      );
    }
  } else if (auth.scheme !== 'malformed') {
    // A well-formed credential of a scheme this route does not take guesses at nothing here.
    throw unauthenticated(schemes);
  }
  await countAuthFailure(services, address);
  throw unauthenticated(schemes);
}

/**
 * onRequest hook for /v1/Account/{auth_id}/…: sets request.caller and request.account.
 * The allowlist of the path's account is enforced before any credential is looked at, so from
 * outside the list nothing of the account (not even whether a token is right) can be learnt.
 */
export function accountAuthHook(services: Services) {
  return async function accountAuth(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const address = requestClientAddress(request, services.config);
    const pathAuthId = (request.params as { auth_id?: string }).auth_id ?? '';
    const pathTop = await services.allowlistCache.topLevelOf(pathAuthId);
    if (pathTop !== undefined) await enforceAllowlist(services, pathTop, address);
    await rejectIfBlocked(services, address);

    const caller = await authenticateRequest(services, request, address, ['basic', 'bearer']);
    // The caller's list is the path's list whenever the path names the caller or a subaccount;
    // it differs only for a path the caller may not use anyway (a 404 below), which must not
    // become a way around the caller's own list.
    const callerTop = caller.parent_auth_id ?? caller.auth_id;
    if (callerTop !== pathTop) await enforceAllowlist(services, callerTop, address);
    await enforceApiRateLimit(services, caller);
    request.caller = caller;

    if (pathAuthId === caller.auth_id) {
      request.account = caller;
      return;
    }
    const target = pathAuthId.length <= 64 ? await services.accounts.findById(pathAuthId) : undefined;
    if (target === undefined || target.parent_auth_id !== caller.auth_id) {
      throw new ApiError('not_found', { resource: 'account', id: pathAuthId });
    }
    request.account = target;
  };
}

/**
 * onRequest hook for route families outside /v1/Account/{auth_id}/ that take API keys only (e.g.
 * /api/v1/sip-credentials, seed 002): sets request.caller and request.account to the key's account
 * and applies the same brute-force block, API IP allowlist and rate limit.
 */
export function bearerAuthHook(services: Services) {
  return async function bearerAuth(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const address = requestClientAddress(request, services.config);
    await rejectIfBlocked(services, address);
    const caller = await authenticateRequest(services, request, address, ['bearer']);
    await enforceAllowlist(services, caller.parent_auth_id ?? caller.auth_id, address);
    await enforceApiRateLimit(services, caller);
    request.caller = caller;
    request.account = caller;
  };
}
