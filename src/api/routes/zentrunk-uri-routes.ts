// Origination URIs: /v1/Account/{auth_id}/Zentrunk/URI/ — where inbound trunks send calls.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type OriginationTarget, parseOriginationUri } from '../../domain/sip-uri-rules.ts';
import { INITIAL_URI_HEALTH, type UriHealth } from '../../domain/uri-health.ts';
import { ApiError } from '../../errors.ts';
import type { OriginationUriRow } from '../../store/schema.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import {
  OriginationUri,
  OriginationUriCreateBody,
  OriginationUriList,
  OriginationUriMutated,
  OriginationUriUpdateBody,
  UriParams,
} from '../schemas/origination-uri.ts';
import { deletedOrThrow } from './delete-outcome.ts';
import { checkOptionalName } from './resource-input.ts';

function uriObject(u: OriginationUriRow, health: UriHealth) {
  return {
    uri_uuid: u.uri_uuid,
    name: u.name,
    uri: u.uri,
    tls_verify: u.tls_verify === 1,
    health: { status: health.status, last_checked: health.lastChecked, last_error: health.lastError },
  };
}

function targetOrThrow(text: string, allowLoopback: boolean): OriginationTarget {
  const parsed = parseOriginationUri(text, { allowLoopback });
  if (!parsed.ok) throw new ApiError('invalid_uri', { detail: parsed.message }, { field: 'uri' });
  return parsed.value;
}

export const zentrunkUriRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { originationUris, config } = app.services;
  const allowLoopback = config.allowLoopbackUris;
  const tags = ['Zentrunk origination URIs'];

  app.post(
    '/Zentrunk/URI/',
    {
      config: { missingRequiredIs422: true },
      schema: {
        tags,
        summary: 'Create an origination URI (422 when uri is missing)',
        params: AuthIdParams,
        body: OriginationUriCreateBody,
        response: { 201: OriginationUriMutated, ...errorResponses(400, 401, 404, 422) },
      },
    },
    async (request, reply) => {
      const { name, uri, tls_verify } = request.body;
      checkOptionalName(name);
      const target = targetOrThrow(uri, allowLoopback);
      const outcome = await originationUris.create(request.account.auth_id, {
        name: name ?? null,
        target,
        tlsVerify: tls_verify ?? true,
      });
      if (outcome.kind === 'account_gone') throw new ApiError('not_found', { resource: 'account', id: '' });
      return reply.code(201).send({
        api_id: request.id,
        message: 'Origination URI created successfully.',
        uri_uuid: outcome.uri.uri_uuid,
      });
    },
  );

  app.get(
    '/Zentrunk/URI/',
    {
      schema: {
        tags,
        summary: 'List origination URIs',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: OriginationUriList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await originationUris.list(request.account.auth_id, limit, offset);
      const health = await originationUris.health(
        request.account.auth_id,
        rows.map((u) => u.uri_uuid),
      );
      return {
        api_id: request.id,
        meta: pageMeta(`v1/Account/${request.account.auth_id}/Zentrunk/URI/`, limit, offset, total),
        objects: rows.map((u) => uriObject(u, health.get(u.uri_uuid) ?? INITIAL_URI_HEALTH)),
      };
    },
  );

  app.get(
    '/Zentrunk/URI/:uri_uuid/',
    {
      schema: {
        tags,
        summary: 'Retrieve an origination URI',
        params: UriParams,
        response: { 200: OriginationUri, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const id = request.params.uri_uuid;
      const row = await originationUris.find(request.account.auth_id, id);
      if (row === undefined) throw new ApiError('not_found', { resource: 'origination URI', id });
      const health = await originationUris.health(request.account.auth_id, [id]);
      return { api_id: request.id, ...uriObject(row, health.get(id) ?? INITIAL_URI_HEALTH) };
    },
  );

  app.post(
    '/Zentrunk/URI/:uri_uuid/',
    {
      schema: {
        tags,
        summary: 'Change an origination URI’s name, uri and/or tls_verify',
        params: UriParams,
        body: OriginationUriUpdateBody,
        response: { 202: OriginationUriMutated, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const id = request.params.uri_uuid;
      const { name, uri, tls_verify } = request.body;
      if (name === undefined && uri === undefined && tls_verify === undefined)
        throw new ApiError('validation_failed', { detail: 'Send at least one of name, uri, tls_verify' });
      checkOptionalName(name);
      const target = uri === undefined ? undefined : targetOrThrow(uri, allowLoopback);
      const outcome = await originationUris.update(request.account.auth_id, id, {
        ...(name !== undefined ? { name } : {}),
        ...(target !== undefined ? { target } : {}),
        ...(tls_verify !== undefined ? { tlsVerify: tls_verify } : {}),
      });
      if (outcome.kind === 'not_found') throw new ApiError('not_found', { resource: 'origination URI', id });
      return reply
        .code(202)
        .send({ api_id: request.id, message: 'Origination URI updated successfully.', uri_uuid: id });
    },
  );

  app.delete(
    '/Zentrunk/URI/:uri_uuid/',
    {
      schema: {
        tags,
        summary: 'Delete an origination URI (409 while a trunk uses it)',
        params: UriParams,
        response: { 204: NoContent, ...errorResponses(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.uri_uuid;
      deletedOrThrow(await originationUris.delete(request.account.auth_id, id), 'origination URI', id);
      return reply.code(204).send(null);
    },
  );
};
