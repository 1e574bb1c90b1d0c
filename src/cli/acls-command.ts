// `trunkgate acls <list|create|delete>`: IP access control lists, through the API in the Zentrunk
// shape (/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/: networks as CIDR strings).
import {
  allPages,
  COMMON_USAGE,
  one,
  type ResourceSpec,
  runResource,
  UsageError,
  unwrap,
} from './api-session.ts';

const spec: ResourceSpec = {
  name: 'acls',
  usage: `usage: trunkgate acls <list|create|delete> [options]

  acls list
  acls create [--name NAME] --cidr CIDR [--cidr CIDR …]
        networks such as 203.0.113.0/24 or 2001:db8::/48 (a bare address is that host);
        prints the new ipacl_uuid
  acls delete IPACL_UUID          (409 while a trunk or application uses it)
${COMMON_USAGE}`,
  valued: ['name', 'cidr'],
  columns: ['ipacl_uuid', 'name', 'ip_addresses'],
  async list(s) {
    return allPages(async (offset) =>
      unwrap(
        await s.api.GET('/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/', {
          params: { path: { auth_id: s.authId }, query: { limit: '20', offset: String(offset) } },
        }),
      ),
    );
  },
  async create(s, p) {
    const cidrs = p.options.get('cidr') ?? [];
    if (cidrs.length === 0) throw new UsageError('give at least one --cidr');
    const name = one(p, 'name');
    const created = unwrap(
      await s.api.POST('/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/', {
        params: { path: { auth_id: s.authId } },
        body: { ip_addresses: cidrs, ...(name === undefined ? {} : { name }) },
      }),
    );
    return created.ipacl_uuid;
  },
  async delete(s, id) {
    unwrap(
      await s.api.DELETE('/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/{ipacl_uuid}/', {
        params: { path: { auth_id: s.authId, ipacl_uuid: id } },
      }),
    );
  },
};

export function aclsCommand(args: string[]): Promise<number> {
  return runResource(spec, args);
}
