import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccountRow } from '../../store/schema.ts';
import { accountPath } from '../request-context.ts';
import { AccountObject, AuthIdParams } from '../schemas/account.ts';
import { errorResponses } from '../schemas/common.ts';

export function accountObject(apiId: string, row: AccountRow) {
  return {
    api_id: apiId,
    account_type: row.parent_auth_id === null ? ('standard' as const) : ('subaccount' as const),
    auth_id: row.auth_id,
    name: row.name,
    enabled: row.enabled === 1,
    parent_auth_id: row.parent_auth_id,
    resource_uri: accountPath(row.auth_id),
    created: row.created_at,
    modified: row.updated_at,
    billing_mode: 'postpaid',
    cash_credits: '0.00000',
    auto_recharge: false,
    timezone: 'UTC',
    address: '',
    city: '',
    state: '',
  };
}

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['Account'],
        summary: 'Get the account',
        params: AuthIdParams,
        response: { 200: AccountObject, ...errorResponses(401, 404) },
      },
    },
    async (request) => accountObject(request.id, request.account),
  );
};
