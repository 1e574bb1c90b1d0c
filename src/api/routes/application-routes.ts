// Applications: /v1/Account/{auth_id}/Application/ (Plivo's Application API; docs/glossary.md "Application"). A call to
// the application's sip_uri is admitted as its sip_auth_type says.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  type ApplicationAuth,
  applicationSipUri,
  checkApplicationAuth,
  checkCallbackUrl,
  type HttpMethod,
  isSipAuthType,
  mergeApplicationAuth,
} from '../../domain/application-rules.ts';
import { validateFriendlyName } from '../../domain/credential-rules.ts';
import { deserializeDigestAlgorithms } from '../../domain/digest-algorithm-list.ts';
import { ApiError } from '../../errors.ts';
import type {
  ApplicationInput,
  WriteApplicationOutcome,
} from '../../store/repositories/application-repository.ts';
import type { ApplicationRow } from '../../store/schema.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import {
  Application,
  ApplicationCreateBody,
  ApplicationCreated,
  ApplicationList,
  ApplicationParams,
  ApplicationUpdateBody,
  ApplicationUpdated,
} from '../schemas/application.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import { check } from './credential-input.ts';
import { digestAlgorithmsOrThrow, emptyToNull, invalidReference, shapeOrThrow } from './resource-input.ts';

function applicationObject(a: ApplicationRow, sipDomain: string, isSubaccount: boolean) {
  return {
    app_id: a.app_id,
    app_name: a.app_name,
    answer_url: a.answer_url,
    answer_method: a.answer_method,
    hangup_url: a.hangup_url,
    hangup_method: a.hangup_method,
    fallback_answer_url: a.fallback_answer_url,
    fallback_method: a.fallback_method,
    enabled: a.enabled === 1,
    sip_auth_type: a.sip_auth_type,
    ip_acl_uuid: a.ip_acl_uuid,
    credential_uuid: a.credential_uuid,
    sip_uri: applicationSipUri(a.app_id, sipDomain),
    digest_algorithms: deserializeDigestAlgorithms(a.digest_algorithms),
    sub_account: isSubaccount ? a.account_auth_id : null,
    resource_uri: `/v1/Account/${a.account_auth_id}/Application/${a.app_id}/`,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

function inputFromRow(a: ApplicationRow): ApplicationInput {
  if (!isSipAuthType(a.sip_auth_type))
    throw new Error(`application ${a.app_id} has an unknown sip_auth_type`);
  return {
    app_name: a.app_name,
    answer_url: a.answer_url,
    answer_method: a.answer_method as HttpMethod,
    hangup_url: a.hangup_url,
    hangup_method: a.hangup_method as HttpMethod,
    fallback_answer_url: a.fallback_answer_url,
    fallback_method: a.fallback_method as HttpMethod,
    enabled: a.enabled === 1,
    sip_auth_type: a.sip_auth_type,
    ip_acl_uuid: a.ip_acl_uuid,
    credential_uuid: a.credential_uuid,
    digest_algorithms: deserializeDigestAlgorithms(a.digest_algorithms),
  };
}

function writtenOrThrow(outcome: WriteApplicationOutcome, id: string): ApplicationRow {
  switch (outcome.kind) {
    case 'ok':
      return outcome.application;
    case 'invalid_reference':
      throw invalidReference(outcome.problem);
    case 'not_found':
      throw new ApiError('not_found', { resource: 'application', id });
    case 'account_gone':
      throw new ApiError('not_found', { resource: 'account', id: '' });
  }
}

function checkUrl(url: string | null | undefined, field: string): void {
  if (url === undefined || url === null) return;
  const r = checkCallbackUrl(url, field);
  if (!r.ok) throw new ApiError('invalid_url', { detail: r.message }, { field });
}

function checkAppName(name: string | undefined): void {
  if (name !== undefined) check(validateFriendlyName(name, 'app_name'), 'app_name');
}

/** The auth fields a request sent, with "" meaning none. */
function sentAuth(body: {
  sip_auth_type?: ApplicationAuth['sip_auth_type'];
  ip_acl_uuid?: string | null;
  credential_uuid?: string | null;
}): Partial<ApplicationAuth> {
  const ip = emptyToNull(body.ip_acl_uuid);
  const credential = emptyToNull(body.credential_uuid);
  return {
    ...(body.sip_auth_type !== undefined ? { sip_auth_type: body.sip_auth_type } : {}),
    ...(ip !== undefined ? { ip_acl_uuid: ip } : {}),
    ...(credential !== undefined ? { credential_uuid: credential } : {}),
  };
}

export const applicationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { applications, config } = app.services;
  const tags = ['Applications'];

  app.post(
    '/Application/',
    {
      schema: {
        tags,
        summary: 'Create an application',
        params: AuthIdParams,
        body: ApplicationCreateBody,
        response: { 201: ApplicationCreated, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      checkAppName(body.app_name);
      const hangupUrl = emptyToNull(body.hangup_url) ?? null;
      const fallbackUrl = emptyToNull(body.fallback_answer_url) ?? null;
      checkUrl(body.answer_url, 'answer_url');
      checkUrl(hangupUrl, 'hangup_url');
      checkUrl(fallbackUrl, 'fallback_answer_url');
      const auth = mergeApplicationAuth(
        { sip_auth_type: 'none', ip_acl_uuid: null, credential_uuid: null },
        sentAuth(body),
      );
      shapeOrThrow(checkApplicationAuth(auth));
      const input: ApplicationInput = {
        app_name: body.app_name,
        answer_url: body.answer_url,
        answer_method: body.answer_method ?? 'POST',
        hangup_url: hangupUrl,
        hangup_method: body.hangup_method ?? 'POST',
        fallback_answer_url: fallbackUrl,
        fallback_method: body.fallback_method ?? 'POST',
        enabled: body.enabled ?? true,
        ...auth,
        digest_algorithms: digestAlgorithmsOrThrow(body.digest_algorithms) ?? null,
      };
      const created = writtenOrThrow(await applications.create(request.account.auth_id, input), '');
      return reply.code(201).send({ api_id: request.id, message: 'created', app_id: created.app_id });
    },
  );

  app.get(
    '/Application/',
    {
      schema: {
        tags,
        summary: 'List applications',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: ApplicationList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await applications.list(request.account.auth_id, limit, offset);
      const isSub = request.account.parent_auth_id !== null;
      return {
        api_id: request.id,
        meta: pageMeta(`v1/Account/${request.account.auth_id}/Application/`, limit, offset, total),
        objects: rows.map((a) => applicationObject(a, config.sipDomain, isSub)),
      };
    },
  );

  app.get(
    '/Application/:app_id/',
    {
      schema: {
        tags,
        summary: 'Retrieve an application',
        params: ApplicationParams,
        response: { 200: Application, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const id = request.params.app_id;
      const row = await applications.find(request.account.auth_id, id);
      if (row === undefined) throw new ApiError('not_found', { resource: 'application', id });
      return {
        api_id: request.id,
        ...applicationObject(row, config.sipDomain, request.account.parent_auth_id !== null),
      };
    },
  );

  app.post(
    '/Application/:app_id/',
    {
      schema: {
        tags,
        summary:
          'Update an application (fields not sent stay; a sip_auth_type change clears references it does not use)',
        params: ApplicationParams,
        body: ApplicationUpdateBody,
        response: { 202: ApplicationUpdated, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const id = request.params.app_id;
      const body = request.body;
      const current = await applications.find(request.account.auth_id, id);
      if (current === undefined) throw new ApiError('not_found', { resource: 'application', id });
      if (Object.keys(body).length === 0)
        throw new ApiError('validation_failed', { detail: 'Send at least one field to change' });
      checkAppName(body.app_name);
      const hangupUrl = emptyToNull(body.hangup_url);
      const fallbackUrl = emptyToNull(body.fallback_answer_url);
      checkUrl(body.answer_url, 'answer_url');
      checkUrl(hangupUrl, 'hangup_url');
      checkUrl(fallbackUrl, 'fallback_answer_url');
      const before = inputFromRow(current);
      const auth = mergeApplicationAuth(before, sentAuth(body));
      shapeOrThrow(checkApplicationAuth(auth));
      const algorithms = digestAlgorithmsOrThrow(body.digest_algorithms);
      const input: ApplicationInput = {
        ...before,
        ...auth,
        ...(body.app_name !== undefined ? { app_name: body.app_name } : {}),
        ...(body.answer_url !== undefined ? { answer_url: body.answer_url } : {}),
        ...(body.answer_method !== undefined ? { answer_method: body.answer_method } : {}),
        ...(hangupUrl !== undefined ? { hangup_url: hangupUrl } : {}),
        ...(body.hangup_method !== undefined ? { hangup_method: body.hangup_method } : {}),
        ...(fallbackUrl !== undefined ? { fallback_answer_url: fallbackUrl } : {}),
        ...(body.fallback_method !== undefined ? { fallback_method: body.fallback_method } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(algorithms !== undefined ? { digest_algorithms: algorithms } : {}),
      };
      writtenOrThrow(await applications.update(request.account.auth_id, id, input), id);
      return reply.code(202).send({ api_id: request.id, message: 'changed' });
    },
  );

  app.delete(
    '/Application/:app_id/',
    {
      schema: {
        tags,
        summary: 'Delete an application',
        params: ApplicationParams,
        response: { 204: NoContent, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const id = request.params.app_id;
      if (!(await applications.delete(request.account.auth_id, id)))
        throw new ApiError('not_found', { resource: 'application', id });
      return reply.code(204).send(null);
    },
  );
};
