// Trunks: /v1/Account/{auth_id}/Zentrunk/Trunk/ (seed 001 "Usage with Trunks", Plivo's Trunk API).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { deserializeDigestAlgorithms } from '../../domain/digest-algorithm-list.ts';
import {
  checkTrunkShape,
  DEFAULT_WEIGHT,
  isTrunkDirection,
  isTrunkStatus,
  mergeTrunkPatch,
  type OriginationRoute,
  type TrunkPatch,
  trunkDomain,
} from '../../domain/trunk-rules.ts';
import { ApiError } from '../../errors.ts';
import type { TrunkInput, WriteTrunkOutcome } from '../../store/repositories/trunk-repository.ts';
import type { TrunkRow } from '../../store/schema.ts';
import { pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import {
  Trunk,
  TrunkCreateBody,
  TrunkList,
  TrunkListQuery,
  TrunkMutated,
  TrunkParams,
  TrunkUpdateBody,
} from '../schemas/trunk.ts';
import {
  checkOptionalName,
  digestAlgorithmsOrThrow,
  emptyToNull,
  invalidReference,
  shapeOrThrow,
} from './resource-input.ts';

function trunkObject(t: TrunkRow, routes: readonly OriginationRoute[], sipDomain: string) {
  return {
    trunk_id: t.trunk_id,
    trunk_domain: trunkDomain(t.trunk_id, sipDomain),
    name: t.name,
    trunk_status: t.trunk_status,
    trunk_direction: t.trunk_direction,
    secure: t.secure === 1,
    cps_limit: t.cps_limit === null ? null : Number(t.cps_limit),
    ipacl_uuid: t.ip_acl_uuid,
    credential_uuid: t.credential_uuid,
    primary_uri_uuid: t.primary_uri_uuid,
    fallback_uri_uuid: t.fallback_uri_uuid,
    origination_uris: routes.map((r) => ({ uri_uuid: r.uri_uuid, priority: r.priority, weight: r.weight })),
    digest_algorithms: deserializeDigestAlgorithms(t.digest_algorithms),
  };
}

/** The stored row as the state a write starts from. */
function inputFromRow(t: TrunkRow, routes: readonly OriginationRoute[]): TrunkInput {
  if (!isTrunkDirection(t.trunk_direction) || !isTrunkStatus(t.trunk_status))
    throw new Error(`trunk ${t.trunk_id} has an unknown direction or status`);
  return {
    name: t.name,
    trunk_direction: t.trunk_direction,
    trunk_status: t.trunk_status,
    secure: t.secure === 1,
    cps_limit: t.cps_limit === null ? null : Number(t.cps_limit),
    ipacl_uuid: t.ip_acl_uuid,
    credential_uuid: t.credential_uuid,
    primary_uri_uuid: t.primary_uri_uuid,
    fallback_uri_uuid: t.fallback_uri_uuid,
    origination_uris: routes,
    digest_algorithms: deserializeDigestAlgorithms(t.digest_algorithms),
  };
}

function writtenOrThrow(outcome: WriteTrunkOutcome, id: string): TrunkRow {
  switch (outcome.kind) {
    case 'ok':
      return outcome.trunk;
    case 'invalid_reference':
      throw invalidReference(outcome.problem);
    case 'not_found':
      throw new ApiError('not_found', { resource: 'trunk', id });
    case 'account_gone':
      throw new ApiError('not_found', { resource: 'account', id: '' });
  }
}

/** The reference fields a request sent, with "" meaning none. */
function sentReferences(body: {
  ipacl_uuid?: string | null;
  credential_uuid?: string | null;
  primary_uri_uuid?: string | null;
  fallback_uri_uuid?: string | null;
  origination_uris?: { uri_uuid: string; priority: number; weight?: number }[];
}): TrunkPatch {
  const out: { -readonly [K in keyof TrunkPatch]?: TrunkPatch[K] } = {};
  for (const field of ['ipacl_uuid', 'credential_uuid', 'primary_uri_uuid', 'fallback_uri_uuid'] as const) {
    const value = emptyToNull(body[field]);
    if (value !== undefined) out[field] = value;
  }
  if (body.origination_uris !== undefined)
    out.origination_uris = body.origination_uris.map((r) => ({
      uri_uuid: r.uri_uuid,
      priority: r.priority,
      weight: r.weight ?? DEFAULT_WEIGHT,
    }));
  return out;
}

export const zentrunkTrunkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { trunks, config } = app.services;
  const tags = ['Zentrunk trunks'];

  app.post(
    '/Zentrunk/Trunk/',
    {
      schema: {
        tags,
        summary: 'Create a trunk',
        params: AuthIdParams,
        body: TrunkCreateBody,
        response: { 201: TrunkMutated, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      checkOptionalName(body.name);
      const shape = mergeTrunkPatch(
        {
          trunk_direction: body.trunk_direction,
          ipacl_uuid: null,
          credential_uuid: null,
          primary_uri_uuid: null,
          fallback_uri_uuid: null,
          origination_uris: [],
        },
        sentReferences(body),
      );
      shapeOrThrow(checkTrunkShape(shape));
      const input: TrunkInput = {
        ...shape,
        name: body.name ?? null,
        trunk_status: body.trunk_status ?? 'enabled',
        secure: body.secure ?? false,
        cps_limit: body.cps_limit ?? null,
        digest_algorithms: digestAlgorithmsOrThrow(body.digest_algorithms) ?? null,
      };
      const trunk = writtenOrThrow(await trunks.create(request.account.auth_id, input), '');
      return reply
        .code(201)
        .send({ api_id: request.id, message: 'Trunk created successfully.', trunk_id: trunk.trunk_id });
    },
  );

  app.get(
    '/Zentrunk/Trunk/',
    {
      schema: {
        tags,
        summary: 'List trunks, optionally filtered',
        params: AuthIdParams,
        querystring: TrunkListQuery,
        response: { 200: TrunkList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const q = request.query;
      const filters = {
        ...(q.trunk_status !== undefined ? { trunk_status: q.trunk_status } : {}),
        ...(q.trunk_direction !== undefined ? { trunk_direction: q.trunk_direction } : {}),
        ...(q.secure !== undefined ? { secure: q.secure } : {}),
        ...(q.ipacl_uuid !== undefined ? { ipacl_uuid: q.ipacl_uuid } : {}),
        ...(q.credential_uuid !== undefined ? { credential_uuid: q.credential_uuid } : {}),
        ...(q.primary_uri_uuid !== undefined ? { primary_uri_uuid: q.primary_uri_uuid } : {}),
        ...(q.fallback_uri_uuid !== undefined ? { fallback_uri_uuid: q.fallback_uri_uuid } : {}),
      };
      const { rows, total } = await trunks.list(request.account.auth_id, filters, limit, offset);
      const routes = await trunks.routes(
        request.account.auth_id,
        rows.map((t) => t.trunk_id),
      );
      return {
        api_id: request.id,
        meta: pageMeta(`v1/Account/${request.account.auth_id}/Zentrunk/Trunk/`, limit, offset, total),
        objects: rows.map((t) => trunkObject(t, routes.get(t.trunk_id) ?? [], config.sipDomain)),
      };
    },
  );

  app.get(
    '/Zentrunk/Trunk/:trunk_id/',
    {
      schema: {
        tags,
        summary: 'Retrieve a trunk',
        params: TrunkParams,
        response: { 200: Trunk, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const id = request.params.trunk_id;
      const trunk = await trunks.find(request.account.auth_id, id);
      if (trunk === undefined) throw new ApiError('not_found', { resource: 'trunk', id });
      const routes = await trunks.routes(request.account.auth_id, [id]);
      return { api_id: request.id, ...trunkObject(trunk, routes.get(id) ?? [], config.sipDomain) };
    },
  );

  app.post(
    '/Zentrunk/Trunk/:trunk_id/',
    {
      schema: {
        tags,
        summary:
          'Update a trunk (fields not sent stay; changing trunk_direction clears the other direction’s fields not sent)',
        params: TrunkParams,
        body: TrunkUpdateBody,
        response: { 202: TrunkMutated, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const id = request.params.trunk_id;
      const body = request.body;
      const current = await trunks.find(request.account.auth_id, id);
      if (current === undefined) throw new ApiError('not_found', { resource: 'trunk', id });
      if (Object.keys(body).length === 0)
        throw new ApiError('validation_failed', { detail: 'Send at least one field to change' });
      checkOptionalName(body.name);
      const routes = await trunks.routes(request.account.auth_id, [id]);
      const before = inputFromRow(current, routes.get(id) ?? []);
      const shape = mergeTrunkPatch(before, {
        ...(body.trunk_direction !== undefined ? { trunk_direction: body.trunk_direction } : {}),
        ...sentReferences(body),
      });
      shapeOrThrow(checkTrunkShape(shape));
      const algorithms = digestAlgorithmsOrThrow(body.digest_algorithms);
      const input: TrunkInput = {
        ...before,
        ...shape,
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.trunk_status !== undefined ? { trunk_status: body.trunk_status } : {}),
        ...(body.secure !== undefined ? { secure: body.secure } : {}),
        ...(body.cps_limit !== undefined ? { cps_limit: body.cps_limit } : {}),
        ...(algorithms !== undefined ? { digest_algorithms: algorithms } : {}),
      };
      writtenOrThrow(await trunks.update(request.account.auth_id, id, input), id);
      return reply
        .code(202)
        .send({ api_id: request.id, message: 'Trunk updated successfully.', trunk_id: id });
    },
  );

  app.delete(
    '/Zentrunk/Trunk/:trunk_id/',
    {
      schema: {
        tags,
        summary: 'Delete a trunk',
        params: TrunkParams,
        response: { 204: NoContent, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const id = request.params.trunk_id;
      if (!(await trunks.delete(request.account.auth_id, id)))
        throw new ApiError('not_found', { resource: 'trunk', id });
      return reply.code(204).send(null);
    },
  );
};
