// API IP allowlist (docs/glossary.md "API IP allowlist"): /v1/Account/{auth_id}/IPWhitelist/
// The list belongs to the top-level account; a subaccount's path shows its parent's list and
// refuses changes (Plivo's rule: "Subaccount CIDRs cannot be independently managed").
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { formatIp } from '../../domain/address/index.ts';
import {
  type AddPlan,
  type AllowlistPolicy,
  type AllowlistRefusal,
  type ChangeContext,
  type DeletePlan,
  type EditPlan,
  planAdd,
  planDelete,
  planEdit,
} from '../../domain/allowlist-rules.ts';
import { ApiError } from '../../errors.ts';
import type { ChangeOutcome } from '../../store/repositories/allowlist-repository.ts';
import type { ApiAllowlistEntryRow } from '../../store/schema.ts';
import { requestClientAddress } from '../client-address.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import {
  IpWhitelistAddBody,
  IpWhitelistAdded,
  IpWhitelistDeleteQuery,
  IpWhitelistEditBody,
  IpWhitelistEdited,
  IpWhitelistEntryResponse,
  IpWhitelistList,
  IpWhitelistParams,
} from '../schemas/ip-whitelist.ts';

type Refused<P> = Exclude<P, { readonly ok: true }>;

function entryObject(row: ApiAllowlistEntryRow) {
  return { entry_id: row.entry_id, cidr: row.cidr, created_at: row.created_at, updated_at: row.updated_at };
}

/** The account whose list the path shows: the path's account, or its parent for a subaccount. */
function listOwner(request: FastifyRequest): string {
  return request.account.parent_auth_id ?? request.account.auth_id;
}

/** Only a top-level account changes its list. */
function requireListOwner(request: FastifyRequest): string {
  const parent = request.account.parent_auth_id;
  if (parent !== null) throw new ApiError('allowlist_managed_by_parent', { parent });
  return request.account.auth_id;
}

function entryNotFound(id: string): ApiError {
  return new ApiError('not_found', { resource: 'IP whitelist entry', id });
}

/** A refused change as a client error: its own code, the rule's message, and the data behind it. */
function refusalError(r: AllowlistRefusal): ApiError {
  const detail = { detail: r.message };
  switch (r.code) {
    case 'invalid_ip':
    case 'invalid_cidr_prefix':
    case 'cidr_required':
    case 'host_bits_set':
      return new ApiError(r.code, detail, { field: 'cidr' });
    case 'allowlist_special_range':
      return new ApiError(r.code, detail, {
        field: 'cidr',
        extra: { special_range: { cidr: r.range.cidr, name: r.range.name, reference: r.range.reference } },
      });
    case 'allowlist_duplicate':
      return new ApiError(r.code, detail, { field: 'cidr', extra: { existing: r.existing } });
    case 'allowlist_subset':
      return new ApiError(r.code, detail, { field: 'cidr', extra: { covered_by: r.coveredBy } });
    case 'allowlist_superset':
      return new ApiError(r.code, detail, { field: 'cidr', extra: { covers: r.covers } });
    case 'allowlist_limit_reached':
      return new ApiError(r.code, detail, { field: 'cidr', extra: { limit: r.limit } });
    case 'allowlist_lockout':
      return new ApiError(r.code, detail, { field: 'confirm', extra: { client_address: r.clientAddress } });
  }
}

function changedOrThrow<R>(outcome: ChangeOutcome<R>, onRefusal: (r: R) => ApiError): ApiAllowlistEntryRow[] {
  if (outcome.kind === 'refused') throw onRefusal(outcome.refusal);
  if (outcome.kind === 'account_gone') throw new ApiError('not_found', { resource: 'account', id: '' });
  return outcome.entries;
}

export const ipWhitelistRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { allowlists, config } = app.services;
  const tags = ['API IP allowlist'];
  const policy: AllowlistPolicy = {
    limit: config.quotas.apiAllowlist,
    allowPrivate: config.allowPrivateApiCidrs,
  };

  function context(request: FastifyRequest, confirm: boolean | undefined): ChangeContext {
    return { clientAddress: requestClientAddress(request, config), confirm: confirm === true };
  }

  app.get(
    '/IPWhitelist/',
    {
      schema: {
        tags,
        summary: 'List the API IP allowlist (a subaccount sees its parent’s)',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: IpWhitelistList, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await allowlists.listPage(listOwner(request), limit, offset);
      const address = requestClientAddress(request, config);
      return {
        api_id: request.id,
        client_address: address === null ? null : formatIp(address),
        meta: pageMeta(`v1/Account/${request.account.auth_id}/IPWhitelist/`, limit, offset, total),
        objects: rows.map(entryObject),
      };
    },
  );

  app.post(
    '/IPWhitelist/',
    {
      schema: {
        tags,
        summary: 'Add one CIDR or a comma-separated list (all or nothing)',
        params: AuthIdParams,
        body: IpWhitelistAddBody,
        response: { 201: IpWhitelistAdded, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const owner = requireListOwner(request);
      const ctx = context(request, request.body.confirm);
      const outcome = await allowlists.change<Refused<AddPlan>>(owner, (current) => {
        const plan = planAdd(current, request.body.cidr, policy, ctx);
        return plan.ok ? { apply: { kind: 'add', cidrs: plan.add } } : { refuse: plan };
      });
      const entries = changedOrThrow(outcome, refusalError);
      return reply.code(201).send({
        api_id: request.id,
        message: `${entries.length} IP whitelist ${entries.length === 1 ? 'entry' : 'entries'} added`,
        entries: entries.map(entryObject),
      });
    },
  );

  app.get(
    '/IPWhitelist/:entry_id/',
    {
      schema: {
        tags,
        summary: 'Get one entry',
        params: IpWhitelistParams,
        response: { 200: IpWhitelistEntryResponse, ...errorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => {
      const row = await allowlists.find(listOwner(request), request.params.entry_id);
      if (row === undefined) throw entryNotFound(request.params.entry_id);
      return { api_id: request.id, ...entryObject(row) };
    },
  );

  app.post(
    '/IPWhitelist/:entry_id/',
    {
      schema: {
        tags,
        summary: 'Change an entry’s CIDR (validated against the other entries like an add)',
        params: IpWhitelistParams,
        body: IpWhitelistEditBody,
        response: { 202: IpWhitelistEdited, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const owner = requireListOwner(request);
      const id = request.params.entry_id;
      const ctx = context(request, request.body.confirm);
      const outcome = await allowlists.change<Refused<EditPlan>>(owner, (current) => {
        const plan = planEdit(current, id, request.body.cidr, policy, ctx);
        return plan.ok ? { apply: { kind: 'edit', entryId: id, cidr: plan.cidr } } : { refuse: plan };
      });
      const [row] = changedOrThrow(outcome, (r) =>
        r.code === 'entry_not_found' ? entryNotFound(id) : refusalError(r),
      );
      if (row === undefined) throw entryNotFound(id);
      return reply
        .code(202)
        .send({ api_id: request.id, message: 'IP whitelist entry updated', ...entryObject(row) });
    },
  );

  app.delete(
    '/IPWhitelist/:entry_id/',
    {
      schema: {
        tags,
        summary: 'Delete an entry (deleting the last one turns the allowlist off)',
        params: IpWhitelistParams,
        querystring: IpWhitelistDeleteQuery,
        response: { 204: NoContent, ...errorResponses(401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const owner = requireListOwner(request);
      const id = request.params.entry_id;
      const ctx = context(request, request.query.confirm);
      const outcome = await allowlists.change<Refused<DeletePlan>>(owner, (current) => {
        const plan = planDelete(current, id, ctx);
        return plan.ok ? { apply: { kind: 'delete', entryId: id } } : { refuse: plan };
      });
      changedOrThrow(outcome, (r) => (r.code === 'entry_not_found' ? entryNotFound(id) : refusalError(r)));
      return reply.code(204).send(null);
    },
  );
};
