// API keys (Bearer tokens): /v1/Account/{auth_id}/ApiKey/
// The token is in the create response only; list and get show its prefix.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiKeyState, parseApiKeyExpiry } from '../../domain/api-key-token.ts';
import { ApiError } from '../../errors.ts';
import type { ApiKeyView } from '../../store/repositories/api-key-repository.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import {
  ApiKeyCreateBody,
  ApiKeyCreated,
  ApiKeyList,
  ApiKeyParams,
  ApiKeyResponse,
} from '../schemas/api-key.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import { checkName } from './credential-input.ts';

function keyObject(key: ApiKeyView, now: Date) {
  return {
    key_id: key.key_id,
    name: key.name,
    prefix: key.prefix,
    status: apiKeyState(key, now),
    created_at: key.created_at,
    last_used_at: key.last_used_at,
    expires_at: key.expires_at,
    revoked_at: key.revoked_at,
  };
}

export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { apiKeys, config } = app.services;
  const tags = ['API keys'];

  app.post(
    '/ApiKey/',
    {
      schema: {
        tags,
        summary: 'Create an API key (its token is shown once)',
        params: AuthIdParams,
        body: ApiKeyCreateBody,
        response: { 201: ApiKeyCreated, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      checkName(request.body.name);
      const now = new Date();
      const expiry = parseApiKeyExpiry(request.body.expires_at, now);
      if (!expiry.ok)
        throw new ApiError('invalid_expires_at', { detail: expiry.message }, { field: 'expires_at' });
      const outcome = await apiKeys.create(
        request.account.auth_id,
        { name: request.body.name, expiresAt: expiry.value },
        config.quotas.apiKeys,
      );
      if (outcome.kind === 'quota_exceeded')
        throw new ApiError('quota_exceeded', { limit: outcome.limit, resource: 'active API keys' });
      if (outcome.kind === 'account_gone')
        throw new ApiError('not_found', { resource: 'account', id: request.account.auth_id });
      return reply.code(201).send({
        api_id: request.id,
        message: 'API key created; store the token now, it is not shown again',
        token: outcome.token,
        ...keyObject(outcome.key, now),
      });
    },
  );

  app.get(
    '/ApiKey/',
    {
      schema: {
        tags,
        summary: 'List API keys (never their tokens)',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: ApiKeyList, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await apiKeys.list(request.account.auth_id, limit, offset);
      const now = new Date();
      return {
        api_id: request.id,
        meta: pageMeta(`v1/Account/${request.account.auth_id}/ApiKey/`, limit, offset, total),
        objects: rows.map((k) => keyObject(k, now)),
      };
    },
  );

  app.get(
    '/ApiKey/:key_id/',
    {
      schema: {
        tags,
        summary: 'Get an API key (never its token)',
        params: ApiKeyParams,
        response: { 200: ApiKeyResponse, ...errorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => {
      const key = await apiKeys.find(request.account.auth_id, request.params.key_id);
      if (key === undefined)
        throw new ApiError('not_found', { resource: 'API key', id: request.params.key_id });
      return { api_id: request.id, ...keyObject(key, new Date()) };
    },
  );

  app.delete(
    '/ApiKey/:key_id/',
    {
      schema: {
        tags,
        summary: 'Revoke an API key: it stops working at once (it stays listed, as revoked)',
        params: ApiKeyParams,
        response: { 204: NoContent, ...errorResponses(401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      if (!(await apiKeys.revoke(request.account.auth_id, request.params.key_id)))
        throw new ApiError('not_found', { resource: 'API key', id: request.params.key_id });
      return reply.code(204).send(null);
    },
  );
};
