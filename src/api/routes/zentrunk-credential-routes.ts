// SIP credentials in the Zentrunk shape (docs/glossary.md "Credential shapes"): /v1/Account/{auth_id}/Zentrunk/Credential/
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../../errors.ts';
import type { CredentialView } from '../../store/repositories/credential-repository.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import {
  CredentialParams,
  ZentrunkCredential,
  ZentrunkCredentialCreateBody,
  ZentrunkCredentialList,
  ZentrunkCredentialMutated,
  ZentrunkCredentialUpdateBody,
} from '../schemas/credential.ts';
import {
  checkName,
  checkUsername,
  checkZentrunkPassword,
  credentialOrThrow,
  nullMeansAbsent,
} from './credential-input.ts';
import { deletedOrThrow } from './delete-outcome.ts';

function zentrunkObject(c: CredentialView) {
  return { credential_uuid: c.credential_uuid, name: c.name, username: c.username };
}

export const zentrunkCredentialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { credentials, config } = app.services;
  const tags = ['Zentrunk credentials'];

  app.post(
    '/Zentrunk/Credential/',
    {
      preValidation: nullMeansAbsent,
      config: { missingRequiredIs422: true },
      schema: {
        tags,
        summary: 'Create credentials (422 when username or password is missing)',
        params: AuthIdParams,
        body: ZentrunkCredentialCreateBody,
        response: { 201: ZentrunkCredentialMutated, ...errorResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { username, password, name } = request.body;
      checkUsername(username);
      checkZentrunkPassword(password);
      if (name !== undefined) checkName(name);
      const outcome = await credentials.create(
        request.account.auth_id,
        { name: name ?? null, username, realm: config.sipDomain, password },
        config.quotas.credentials,
      );
      const c = credentialOrThrow(outcome, username);
      return reply.code(201).send({
        api_id: request.id,
        message: 'credential created successfully.',
        credential_uuid: c.credential_uuid,
      });
    },
  );

  app.get(
    '/Zentrunk/Credential/',
    {
      schema: {
        tags,
        summary: 'List all credentials',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: ZentrunkCredentialList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await credentials.list(request.account.auth_id, limit, offset);
      return {
        api_id: request.id,
        meta: pageMeta(`v1/Account/${request.account.auth_id}/Zentrunk/Credential/`, limit, offset, total),
        objects: rows.map(zentrunkObject),
      };
    },
  );

  app.get(
    '/Zentrunk/Credential/:credential_uuid/',
    {
      schema: {
        tags,
        summary: 'Retrieve credentials',
        params: CredentialParams,
        response: { 200: ZentrunkCredential, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const c = await credentials.find(request.account.auth_id, request.params.credential_uuid);
      if (c === undefined)
        throw new ApiError('not_found', { resource: 'credential', id: request.params.credential_uuid });
      return { api_id: request.id, ...zentrunkObject(c) };
    },
  );

  app.post(
    '/Zentrunk/Credential/:credential_uuid/',
    {
      schema: {
        tags,
        summary: 'Update name, username or password (a new username needs the password too)',
        params: CredentialParams,
        body: ZentrunkCredentialUpdateBody,
        response: { 202: ZentrunkCredentialMutated, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.credential_uuid;
      const { name, username, password } = request.body;
      const existing = await credentials.find(request.account.auth_id, id);
      if (existing === undefined) throw new ApiError('not_found', { resource: 'credential', id });
      if (name === undefined && username === undefined && password === undefined) {
        throw new ApiError('validation_failed', { detail: 'Send at least one of name, username, password' });
      }
      if (name !== undefined) checkName(name);
      const usernameChanges = username !== undefined && username !== existing.username;
      if (username !== undefined) checkUsername(username);
      if (usernameChanges && password === undefined) {
        throw new ApiError('password_required_for_username_change', {}, { field: 'password' });
      }
      if (password !== undefined) checkZentrunkPassword(password);
      const outcome = await credentials.update(request.account.auth_id, id, {
        ...(name !== undefined ? { name } : {}),
        ...(usernameChanges ? { username } : {}),
        ...(password !== undefined ? { password } : {}),
      });
      credentialOrThrow(outcome, username ?? existing.username, id);
      return reply
        .code(202)
        .send({ api_id: request.id, message: 'Credential updated successfully.', credential_uuid: id });
    },
  );

  app.delete(
    '/Zentrunk/Credential/:credential_uuid/',
    {
      schema: {
        tags,
        summary: 'Delete credentials',
        params: CredentialParams,
        response: { 204: NoContent, ...errorResponses(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.credential_uuid;
      deletedOrThrow(await credentials.delete(request.account.auth_id, id), 'credential', id);
      return reply.code(204).send(null);
    },
  );
};
