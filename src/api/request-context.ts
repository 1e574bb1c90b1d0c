import type { AccountRow } from '../store/schema.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated account (who is calling). */
    caller: AccountRow;
    /** The account named by the path's {auth_id}: the caller or one of its subaccounts. */
    account: AccountRow;
    /** How the caller authenticated. */
    authMethod: 'basic' | 'bearer';
  }
}

export function accountPath(authId: string): string {
  return `/v1/Account/${authId}/`;
}
