// Policy for /v1/Account/{auth_id}/…: who is calling (HTTP Basic), and may they act on {auth_id}?
// The path's account must be the caller or one of the caller's subaccounts; anything else is a
// 404, so the existence of other accounts is never revealed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches, UNKNOWN_ACCOUNT_HASH } from '../../domain/account-identity.ts';
import { ApiError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import type { AccountRow } from '../../store/schema.ts';
import { parseAuthorization } from '../basic-auth.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="trunkgate", charset="UTF-8"' };

export function unauthenticated(): ApiError {
  return new ApiError('unauthenticated', {}, { headers: CHALLENGE });
}

/** Verifies Basic credentials; the same work is done whether or not the auth id exists. */
export async function authenticateBasic(
  services: Services,
  user: string,
  password: string,
): Promise<AccountRow | undefined> {
  const row = user.length <= 64 ? await services.accounts.findById(user) : undefined;
  const ok = tokenMatches(row?.token_hash ?? UNKNOWN_ACCOUNT_HASH, password);
  if (!ok || row === undefined || row.enabled !== 1) return undefined;
  if (row.parent_auth_id !== null) {
    // A subaccount of a disabled parent cannot authenticate either.
    const parent = await services.accounts.findById(row.parent_auth_id);
    if (parent === undefined || parent.enabled !== 1) return undefined;
  }
  return row;
}

export function accountAuthHook(services: Services) {
  return async function accountAuth(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const auth = parseAuthorization(request.headers.authorization);
    let caller: AccountRow | undefined;
    if (auth.scheme === 'basic') {
      caller = await authenticateBasic(services, auth.user, auth.password);
      request.authMethod = 'basic';
    }
    if (caller === undefined) throw unauthenticated();
    request.caller = caller;

    const pathAuthId = (request.params as { auth_id?: string }).auth_id ?? '';
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
