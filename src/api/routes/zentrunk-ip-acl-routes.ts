// IP ACLs in the Zentrunk shape: /v1/Account/{auth_id}/Zentrunk/IPAccessControlList/
// The same store as the SIP Auth shape; `ip_addresses` lists the entries as canonical CIDR text.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseAclCidr, parseAclEntryList } from '../../domain/ip-acl-rules.ts';
import { ApiError } from '../../errors.ts';
import type { IpAclView } from '../../store/repositories/ip-acl-repository.ts';
import { PaginationQuery, pageMeta, parsePagination } from '../pagination.ts';
import { AuthIdParams } from '../schemas/account.ts';
import { errorResponses, NoContent } from '../schemas/common.ts';
import {
  ZentrunkIpAcl,
  ZentrunkIpAclCreateBody,
  ZentrunkIpAclList,
  ZentrunkIpAclMutated,
  ZentrunkIpAclParams,
  ZentrunkIpAclUpdateBody,
} from '../schemas/ip-acl.ts';
import { deletedOrThrow } from './delete-outcome.ts';
import { aclOrThrow } from './ip-acl-input.ts';
import { checkOptionalName, ruleOrThrow } from './resource-input.ts';

function zentrunkAclObject(acl: IpAclView) {
  return { ipacl_uuid: acl.ip_acl_uuid, name: acl.name, ip_addresses: acl.entries.map((e) => e.network) };
}

export const zentrunkIpAclRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ipAcls, config } = app.services;
  const tags = ['Zentrunk IP ACLs'];

  const parseList = (items: readonly string[]) =>
    ruleOrThrow(parseAclEntryList(items, 'ip_addresses', config.quotas.aclEntries, parseAclCidr));

  app.post(
    '/Zentrunk/IPAccessControlList/',
    {
      config: { missingRequiredIs422: true },
      schema: {
        tags,
        summary: 'Create an IP access control list (422 when ip_addresses is missing)',
        params: AuthIdParams,
        body: ZentrunkIpAclCreateBody,
        response: { 201: ZentrunkIpAclMutated, ...errorResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { name, ip_addresses } = request.body;
      checkOptionalName(name);
      const entries = parseList(ip_addresses);
      const outcome = await ipAcls.create(
        request.account.auth_id,
        { name: name ?? null, entries },
        config.quotas.ipAcls,
      );
      const acl = aclOrThrow(outcome);
      return reply.code(201).send({
        api_id: request.id,
        message: 'IP access control list created successfully.',
        ipacl_uuid: acl.ip_acl_uuid,
      });
    },
  );

  app.get(
    '/Zentrunk/IPAccessControlList/',
    {
      schema: {
        tags,
        summary: 'List IP access control lists',
        params: AuthIdParams,
        querystring: PaginationQuery,
        response: { 200: ZentrunkIpAclList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = parsePagination(request.query);
      const { rows, total } = await ipAcls.list(request.account.auth_id, limit, offset);
      return {
        api_id: request.id,
        meta: pageMeta(
          `v1/Account/${request.account.auth_id}/Zentrunk/IPAccessControlList/`,
          limit,
          offset,
          total,
        ),
        objects: rows.map(zentrunkAclObject),
      };
    },
  );

  app.get(
    '/Zentrunk/IPAccessControlList/:ipacl_uuid/',
    {
      schema: {
        tags,
        summary: 'Retrieve an IP access control list',
        params: ZentrunkIpAclParams,
        response: { 200: ZentrunkIpAcl, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const id = request.params.ipacl_uuid;
      const acl = await ipAcls.find(request.account.auth_id, id);
      if (acl === undefined) throw new ApiError('not_found', { resource: 'IP ACL', id });
      return { api_id: request.id, ...zentrunkAclObject(acl) };
    },
  );

  app.post(
    '/Zentrunk/IPAccessControlList/:ipacl_uuid/',
    {
      schema: {
        tags,
        summary: 'Rename and/or replace the addresses of an IP access control list',
        params: ZentrunkIpAclParams,
        body: ZentrunkIpAclUpdateBody,
        response: { 202: ZentrunkIpAclMutated, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.ipacl_uuid;
      const { name, ip_addresses } = request.body;
      if (name === undefined && ip_addresses === undefined)
        throw new ApiError('validation_failed', { detail: 'Send at least one of name, ip_addresses' });
      checkOptionalName(name);
      const entries = ip_addresses === undefined ? undefined : parseList(ip_addresses);
      const outcome = await ipAcls.update(request.account.auth_id, id, {
        ...(name !== undefined ? { name } : {}),
        ...(entries !== undefined ? { entries } : {}),
      });
      if (outcome.kind === 'not_found') throw new ApiError('not_found', { resource: 'IP ACL', id });
      return reply.code(202).send({
        api_id: request.id,
        message: 'IP access control list updated successfully.',
        ipacl_uuid: id,
      });
    },
  );

  app.delete(
    '/Zentrunk/IPAccessControlList/:ipacl_uuid/',
    {
      schema: {
        tags,
        summary: 'Delete an IP access control list (409 while a trunk or application uses it)',
        params: ZentrunkIpAclParams,
        response: { 204: NoContent, ...errorResponses(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.ipacl_uuid;
      deletedOrThrow(await ipAcls.delete(request.account.auth_id, id), 'IP ACL', id);
      return reply.code(204).send(null);
    },
  );
};
