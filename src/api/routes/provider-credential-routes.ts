// Outbound SIP provider credentials (docs/glossary.md "Provider credential"): /api/v1/sip-credentials (Bearer auth; the API
// key's account is the seed's orgId). Registered in app.ts under a scope whose onRequest hook
// authenticates the key and sets request.account.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  DEFAULT_REGISTER,
  DEFAULT_TRANSPORT,
  type ProviderCredentialFields,
  REGISTER_EXPIRES,
  validateProviderCredentialFields,
  validateRegisterExpires,
} from '../../domain/provider-credential-rules.ts';
import { ApiError } from '../../errors.ts';
import type {
  ProviderCredential,
  SaveOutcome,
} from '../../store/repositories/provider-credential-repository.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import {
  ProviderCredentialBody,
  type ProviderCredentialBodyT,
  ProviderCredentialDeleteQuery,
  ProviderCredentialList,
  ProviderCredentialListQuery,
  ProviderCredentialObject,
  ProviderCredentialParams,
  ProviderCredentialPatchBody,
} from '../schemas/provider-credential.ts';

export const TAKE_DEFAULT = 20;
export const TAKE_MAX = 1000;
const RESOURCE = 'SIP credential';
const security = [{ bearerAuth: [] }];
const tags = ['SIP provider credentials'];

/** POST and PUT: every field is set; an omitted optional field is null (transport: udp). */
function fullFields(body: ProviderCredentialBodyT): ProviderCredentialFields {
  return {
    server: body.server,
    domain: body.domain ?? null,
    authUser: body.authUser ?? null,
    authPassword: body.authPassword ?? null,
    transport: body.transport ?? DEFAULT_TRANSPORT,
    description: body.description ?? null,
    cpsLimit: body.cpsLimit ?? null,
    cpsKey: body.cpsKey ?? null,
    register: body.register ?? DEFAULT_REGISTER,
    registerExpires: body.registerExpires ?? REGISTER_EXPIRES.default,
  };
}

/**
 * preValidation (before the schema, which coerces types): register must be a JSON boolean and
 * registerExpires a JSON number in range — "true", 1 or "3600" are refused, not converted, and
 * null is not "default" for fields that are not nullable.
 */
async function strictRegistrationTypes(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const b = body as Record<string, unknown>;
  if ('register' in b && typeof b['register'] !== 'boolean')
    throw new ApiError(
      'invalid_provider_credential',
      { detail: `register must be true or false (a JSON boolean), got ${JSON.stringify(b['register'])}` },
      { field: 'register' },
    );
  if ('registerExpires' in b) {
    const v = b['registerExpires'];
    const detail =
      typeof v === 'number'
        ? validateRegisterExpires(v)
        : {
            ok: false as const,
            message: `registerExpires must be a JSON number of seconds from ${REGISTER_EXPIRES.min} to ${REGISTER_EXPIRES.max}, got ${JSON.stringify(v)}`,
          };
    if (!detail.ok)
      throw new ApiError(
        'invalid_provider_credential',
        { detail: detail.message },
        { field: 'registerExpires' },
      );
  }
}

function checkFields(fields: Partial<ProviderCredentialFields>): void {
  const r = validateProviderCredentialFields(fields);
  if (!r.ok) throw new ApiError('invalid_provider_credential', { detail: r.message }, { field: r.field });
}

function savedOrThrow(outcome: SaveOutcome, id: string): ProviderCredential {
  switch (outcome.kind) {
    case 'ok':
      return outcome.credential;
    case 'not_found':
      throw new ApiError('not_found', { resource: RESOURCE, id });
    case 'account_gone':
      throw new ApiError('not_found', { resource: 'account', id: '' });
    case 'no_encryption_key':
      throw new ApiError('secret_key_not_configured', {}, { field: 'authPassword' });
  }
}

function whole(
  raw: string | undefined,
  field: 'skip' | 'take',
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new ApiError(
      'invalid_pagination',
      { detail: `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}` },
      { field },
    );
  return Number(raw);
}

export const providerCredentialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = app.services.providerCredentials;

  app.post(
    '/',
    {
      preValidation: strictRegistrationTypes,
      schema: {
        tags,
        security,
        summary: 'Create a SIP credential (the password is encrypted at rest and never returned)',
        body: ProviderCredentialBody,
        response: { 201: ProviderCredentialObject, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const fields = fullFields(request.body);
      checkFields(fields);
      const outcome = await repo.create(request.account.auth_id, fields, { source: 'manual' });
      const credential = savedOrThrow(outcome, '');
      return reply.code(201).header('location', `/api/v1/sip-credentials/${credential.id}`).send(credential);
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags,
        security,
        summary: 'List SIP credentials, newest first: {items, total, skip, take}',
        querystring: ProviderCredentialListQuery,
        response: { 200: ProviderCredentialList, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const skip = whole(request.query.skip, 'skip', 0, 0, 999_999_999);
      const take = whole(request.query.take, 'take', TAKE_DEFAULT, 1, TAKE_MAX);
      const { items, total } = await repo.list(request.account.auth_id, skip, take);
      return { items, total, skip, take };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get a SIP credential (without its password)',
        params: ProviderCredentialParams,
        response: { 200: ProviderCredentialObject, ...errorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => {
      const credential = await repo.find(request.account.auth_id, request.params.id);
      if (credential === undefined)
        throw new ApiError('not_found', { resource: RESOURCE, id: request.params.id });
      return credential;
    },
  );

  app.put(
    '/:id',
    {
      preValidation: strictRegistrationTypes,
      schema: {
        tags,
        security,
        summary: 'Replace a SIP credential: omitted optional fields become null (including authPassword)',
        params: ProviderCredentialParams,
        body: ProviderCredentialBody,
        response: { 200: ProviderCredentialObject, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const fields = fullFields(request.body);
      checkFields(fields);
      const outcome = await repo.update(request.account.auth_id, request.params.id, fields);
      return savedOrThrow(outcome, request.params.id);
    },
  );

  app.patch(
    '/:id',
    {
      preValidation: strictRegistrationTypes,
      schema: {
        tags,
        security,
        summary: 'Change some fields of a SIP credential: omitted fields are kept, null clears',
        params: ProviderCredentialParams,
        body: ProviderCredentialPatchBody,
        response: { 200: ProviderCredentialObject, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const patch: Partial<ProviderCredentialFields> = {};
      for (const [k, v] of Object.entries(request.body)) {
        if (v !== undefined) (patch as Record<string, unknown>)[k] = v;
      }
      if (Object.keys(patch).length === 0)
        throw new ApiError('validation_failed', {
          detail:
            'Send at least one field to change (server, domain, authUser, authPassword, transport, description, cpsLimit, cpsKey, register, registerExpires)',
        });
      checkFields(patch);
      const outcome = await repo.update(request.account.auth_id, request.params.id, patch);
      return savedOrThrow(outcome, request.params.id);
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a SIP credential (409 while something uses it, unless ?force=true)',
        params: ProviderCredentialParams,
        querystring: ProviderCredentialDeleteQuery,
        response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const outcome = await repo.delete(request.account.auth_id, id, { force: request.query.force === true });
      if (outcome.kind === 'not_found') throw new ApiError('not_found', { resource: RESOURCE, id });
      if (outcome.kind === 'in_use') {
        const users = outcome.references.map((r) => `${r.resource} ${r.id}`).join(', ');
        throw new ApiError(
          'provider_credential_in_use',
          { id, users },
          { extra: { usedBy: outcome.references } },
        );
      }
      return reply.code(204).send(null);
    },
  );
};
