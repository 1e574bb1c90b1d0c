// IP ACLs in the SIP Auth shape (docs/glossary.md "IP ACL"): /v1/Account/{auth_id}/SipAuth/IPAccessControlList/
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { entryLimitMessage, parseAclEntry, parseAclEntryList } from '../../domain/ip-acl-rules.ts';
import { ApiError } from '../../errors.ts';
import type { IpAclEntryView, IpAclView } from '../../store/repositories/ip-acl-repository.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import {
  IpAclEntryCreated,
  IpAclEntryInput,
  SipAuthIpAcl,
  SipAuthIpAclCreateBody,
  SipAuthIpAclEntryParams,
  SipAuthIpAclList,
  SipAuthIpAclMutated,
  SipAuthIpAclParams,
  SipAuthIpAclUpdateBody,
} from '../schemas/ip-acl.ts';
import { checkName } from './credential-input.ts';
import { deletedOrThrow } from './delete-outcome.ts';
import { aclOrThrow, entryFromDuplicate } from './ip-acl-input.ts';
import { ruleOrThrow } from './resource-input.ts';

function entryObject(e: IpAclEntryView) {
  return { entry_id: e.entry_id, ip: e.ip, cidr_prefix: e.cidr_prefix, description: e.description };
}

function sipAuthAclObject(acl: IpAclView) {
  return {
    ip_acl_uuid: acl.ip_acl_uuid,
    name: acl.name,
    entries: acl.entries.map(entryObject),
    uri: `/v1/Account/${acl.account_auth_id}/SipAuth/IPAccessControlList/${acl.ip_acl_uuid}/`,
    created_at: acl.created_at,
    updated_at: acl.updated_at,
  };
}

export const sipAuthIpAclRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ipAcls, config } = app.services;
  const tags = ['SIP Auth IP ACLs'];

  app.post(
    '/SipAuth/IPAccessControlList/',
    {
      schema: {
        tags,
        summary: 'Create an IP ACL, optionally with entries (all or nothing)',
        params: AuthIdParams,
        body: SipAuthIpAclCreateBody,
        response: { 201: SipAuthIpAclMutated, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      checkName(request.body.name);
      const entries = ruleOrThrow(
        parseAclEntryList(request.body.entries ?? [], 'entries', config.quotas.aclEntries, (e, at) =>
          parseAclEntry(e, `${at}.`),
        ),
      );
      const outcome = await ipAcls.create(
        request.account.auth_id,
        { name: request.body.name, entries },
        config.quotas.ipAcls,
      );
      const acl = aclOrThrow(outcome);
      return reply
        .code(201)
        .send({ api_id: request.id, message: 'IP ACL created successfully.', ...sipAuthAclObject(acl) });
    },
  );

  app.get(
    '/SipAuth/IPAccessControlList/',
    {
      schema: {
        tags,
        summary: 'List IP ACLs, each with its entries',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: SipAuthIpAclList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await ipAcls.list(request.account.auth_id, limit, offset);
      return {
        api_id: request.id,
        meta: pageMeta(
          `v1/Account/${request.account.auth_id}/SipAuth/IPAccessControlList/`,
          limit,
          offset,
          total,
        ),
        objects: rows.map(sipAuthAclObject),
      };
    },
  );

  app.get(
    '/SipAuth/IPAccessControlList/:ip_acl_uuid/',
    {
      schema: {
        tags,
        summary: 'Retrieve an IP ACL with all its entries',
        params: SipAuthIpAclParams,
        response: { 200: SipAuthIpAcl, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const id = request.params.ip_acl_uuid;
      const acl = await ipAcls.find(request.account.auth_id, id);
      if (acl === undefined) throw new ApiError('not_found', { resource: 'IP ACL', id });
      return { api_id: request.id, ...sipAuthAclObject(acl) };
    },
  );

  app.post(
    '/SipAuth/IPAccessControlList/:ip_acl_uuid/',
    {
      schema: {
        tags,
        summary: 'Rename an IP ACL',
        params: SipAuthIpAclParams,
        body: SipAuthIpAclUpdateBody,
        response: { 202: SipAuthIpAclMutated, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const id = request.params.ip_acl_uuid;
      checkName(request.body.name);
      const outcome = await ipAcls.update(request.account.auth_id, id, { name: request.body.name });
      if (outcome.kind === 'not_found') throw new ApiError('not_found', { resource: 'IP ACL', id });
      return reply.code(202).send({
        api_id: request.id,
        message: 'IP ACL updated successfully.',
        ...sipAuthAclObject(outcome.acl),
      });
    },
  );

  app.delete(
    '/SipAuth/IPAccessControlList/:ip_acl_uuid/',
    {
      schema: {
        tags,
        summary: 'Delete an IP ACL and its entries (409 while a trunk or application uses it)',
        params: SipAuthIpAclParams,
        response: { 204: NoContent, ...errorResponses(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.ip_acl_uuid;
      deletedOrThrow(await ipAcls.delete(request.account.auth_id, id), 'IP ACL', id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/SipAuth/IPAccessControlList/:ip_acl_uuid/Entry/',
    {
      schema: {
        tags,
        summary: 'Add an IP address or CIDR range to an IP ACL (at most 50 entries)',
        params: SipAuthIpAclParams,
        body: IpAclEntryInput,
        response: { 201: IpAclEntryCreated, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.ip_acl_uuid;
      const spec = ruleOrThrow(parseAclEntry(request.body));
      const outcome = await ipAcls.addEntry(request.account.auth_id, id, spec, config.quotas.aclEntries);
      switch (outcome.kind) {
        case 'not_found':
          throw new ApiError('not_found', { resource: 'IP ACL', id });
        case 'duplicate_entry':
          throw entryFromDuplicate(outcome.existing);
        case 'acl_entry_limit':
          throw new ApiError('acl_entry_limit', { detail: entryLimitMessage(outcome.count, outcome.limit) });
        case 'ok':
          return reply.code(201).send({
            api_id: request.id,
            message: 'Entry added successfully.',
            ...entryObject(outcome.entry),
          });
      }
    },
  );

  app.delete(
    '/SipAuth/IPAccessControlList/:ip_acl_uuid/Entry/:entry_id/',
    {
      schema: {
        tags,
        summary: 'Remove an entry from an IP ACL',
        params: SipAuthIpAclEntryParams,
        response: { 204: NoContent, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { ip_acl_uuid, entry_id } = request.params;
      if (!(await ipAcls.deleteEntry(request.account.auth_id, ip_acl_uuid, entry_id)))
        throw new ApiError('not_found', { resource: 'IP ACL entry', id: entry_id });
      return reply.code(204).send(null);
    },
  );
};
