// Plivo-compatible subaccounts: /v1/Account/{auth_id}/Subaccount/
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.ts';
import type { AccountRow } from '../../store/schema.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { accountPath } from '../request-context.ts';
import {
  AuthIdParams,
  SubaccountCreateBody,
  SubaccountCreateResponse,
  SubaccountDeleteQuery,
  SubaccountList,
  SubaccountObject,
  SubaccountParams,
  SubaccountUpdateBody,
} from '../schemas/account.ts';
import { errorResponses, MessageOnly, NoContent } from '../schemas/common.ts';
import { checkName } from './credential-input.ts';

function subaccountObject(row: AccountRow) {
  const parent = row.parent_auth_id ?? '';
  return {
    account: accountPath(parent),
    auth_id: row.auth_id,
    name: row.name,
    enabled: row.enabled === 1,
    resource_uri: `${accountPath(parent)}Subaccount/${row.auth_id}/`,
    created: row.created_at,
    modified: row.updated_at,
  };
}

/** Only a top-level account manages subaccounts (a subaccount has none). */
function requireParentAccount(request: FastifyRequest): AccountRow {
  if (request.account.parent_auth_id !== null || request.caller.parent_auth_id !== null) {
    throw new ApiError('subaccount_cannot_manage_subaccounts');
  }
  return request.account;
}

export const subaccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts } = app.services;

  async function findSub(request: FastifyRequest, subAuthId: string): Promise<AccountRow> {
    const parent = requireParentAccount(request);
    const row = subAuthId.length <= 64 ? await accounts.findById(subAuthId) : undefined;
    if (row === undefined || row.parent_auth_id !== parent.auth_id) {
      throw new ApiError('not_found', { resource: 'subaccount', id: subAuthId });
    }
    return row;
  }

  app.post(
    '/Subaccount/',
    {
      schema: {
        tags: ['Subaccount'],
        summary: 'Create a subaccount (its auth_token is shown once)',
        params: AuthIdParams,
        body: SubaccountCreateBody,
        response: { 201: SubaccountCreateResponse, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const parent = requireParentAccount(request);
      checkName(request.body.name);
      const created = await accounts.createSubaccount(
        parent.auth_id,
        request.body.name,
        request.body.enabled ?? false,
      );
      return reply.code(201).send({
        api_id: request.id,
        message: 'created',
        auth_id: created.row.auth_id,
        auth_token: created.authToken,
      });
    },
  );

  app.get(
    '/Subaccount/',
    {
      schema: {
        tags: ['Subaccount'],
        summary: 'List subaccounts',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: SubaccountList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const parent = requireParentAccount(request);
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await accounts.listSubaccounts(parent.auth_id, limit, offset);
      return {
        api_id: request.id,
        meta: pageMeta(`v1/Account/${parent.auth_id}/Subaccount/`, limit, offset, total),
        objects: rows.map(subaccountObject),
      };
    },
  );

  app.get(
    '/Subaccount/:subauth_id/',
    {
      schema: {
        tags: ['Subaccount'],
        summary: 'Get a subaccount',
        params: SubaccountParams,
        response: { 200: SubaccountObject, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => ({
      api_id: request.id,
      ...subaccountObject(await findSub(request, request.params.subauth_id)),
    }),
  );

  app.post(
    '/Subaccount/:subauth_id/',
    {
      schema: {
        tags: ['Subaccount'],
        summary: 'Update a subaccount’s name or enabled flag',
        params: SubaccountParams,
        body: SubaccountUpdateBody,
        response: { 202: MessageOnly, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const row = await findSub(request, request.params.subauth_id);
      if (request.body.name !== undefined) checkName(request.body.name);
      if (request.body.name === undefined && request.body.enabled === undefined) {
        throw new ApiError('validation_failed', { detail: 'Send name and/or enabled to change' });
      }
      await accounts.updateSubaccount(row.auth_id, request.body);
      return reply.code(202).send({ api_id: request.id, message: 'changed' });
    },
  );

  app.delete(
    '/Subaccount/:subauth_id/',
    {
      schema: {
        tags: ['Subaccount'],
        summary: 'Delete a subaccount and everything it owns',
        params: SubaccountParams,
        querystring: SubaccountDeleteQuery,
        response: { 204: NoContent, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const row = await findSub(request, request.params.subauth_id);
      await accounts.deleteSubaccount(row.auth_id);
      return reply.code(204).send(null);
    },
  );
};
