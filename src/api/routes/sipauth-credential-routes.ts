// SIP credentials in the SIP Auth shape (docs/glossary.md "Credential shapes"): /v1/Account/{auth_id}/SipAuth/Credential/
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../../errors.ts';
import type { CredentialView } from '../../store/repositories/credential-repository.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import {
  CredentialParams,
  SipAuthCredential,
  SipAuthCredentialCreateBody,
  SipAuthCredentialCreated,
  SipAuthCredentialList,
  SipAuthCredentialUpdateBody,
  ZentrunkCredentialMutated,
} from '../schemas/credential.ts';
import {
  checkPassword,
  checkRealm,
  checkUsername,
  credentialOrThrow,
  nullMeansAbsent,
} from './credential-input.ts';
import { deletedOrThrow } from './delete-outcome.ts';

function sipAuthObject(c: CredentialView) {
  return {
    credential_uuid: c.credential_uuid,
    username: c.username,
    realm: c.realm,
    uri: `/v1/Account/${c.account_auth_id}/SipAuth/Credential/${c.credential_uuid}/`,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

export const sipAuthCredentialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { credentials, config } = app.services;
  const tags = ['SIP Auth credentials'];

  app.post(
    '/SipAuth/Credential/',
    {
      preValidation: nullMeansAbsent,
      schema: {
        tags,
        summary: 'Create a SIP credential',
        params: AuthIdParams,
        body: SipAuthCredentialCreateBody,
        response: { 201: SipAuthCredentialCreated, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const realm = request.body.realm ?? config.sipDomain;
      checkUsername(username);
      checkPassword(password);
      checkRealm(realm);
      const outcome = await credentials.create(
        request.account.auth_id,
        { name: null, username, realm, password },
        config.quotas.credentials,
      );
      const c = credentialOrThrow(outcome, username);
      return reply
        .code(201)
        .send({ api_id: request.id, message: 'Credential created successfully.', ...sipAuthObject(c) });
    },
  );

  app.get(
    '/SipAuth/Credential/',
    {
      schema: {
        tags,
        summary: 'List SIP credentials',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: SipAuthCredentialList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await credentials.list(request.account.auth_id, limit, offset);
      return {
        api_id: request.id,
        meta: pageMeta(`v1/Account/${request.account.auth_id}/SipAuth/Credential/`, limit, offset, total),
        objects: rows.map(sipAuthObject),
      };
    },
  );

  app.get(
    '/SipAuth/Credential/:credential_uuid/',
    {
      schema: {
        tags,
        summary: 'Retrieve a SIP credential',
        params: CredentialParams,
        response: { 200: SipAuthCredential, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const c = await credentials.find(request.account.auth_id, request.params.credential_uuid);
      if (c === undefined)
        throw new ApiError('not_found', { resource: 'credential', id: request.params.credential_uuid });
      return { api_id: request.id, ...sipAuthObject(c) };
    },
  );

  app.post(
    '/SipAuth/Credential/:credential_uuid/',
    {
      schema: {
        tags,
        summary: 'Change a SIP credential’s password (the username cannot change)',
        params: CredentialParams,
        body: SipAuthCredentialUpdateBody,
        response: { 202: ZentrunkCredentialMutated, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const id = request.params.credential_uuid;
      const existing = await credentials.find(request.account.auth_id, id);
      if (existing === undefined) throw new ApiError('not_found', { resource: 'credential', id });
      if (request.body.username !== undefined)
        throw new ApiError('username_immutable', {}, { field: 'username' });
      const { password } = request.body;
      if (password === undefined)
        throw new ApiError(
          'validation_failed',
          { detail: 'Missing required parameter: password' },
          { field: 'password' },
        );
      checkPassword(password);
      const outcome = await credentials.update(request.account.auth_id, id, { password });
      credentialOrThrow(outcome, existing.username, id);
      return reply
        .code(202)
        .send({ api_id: request.id, message: 'Credential updated successfully.', credential_uuid: id });
    },
  );

  app.delete(
    '/SipAuth/Credential/:credential_uuid/',
    {
      schema: {
        tags,
        summary: 'Delete a SIP credential',
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
