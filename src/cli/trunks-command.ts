// `trunkgate trunks <list|create|delete>`: Zentrunk trunks, through the API
// (/v1/Account/{auth_id}/Zentrunk/Trunk/).
import {
  allPages,
  COMMON_USAGE,
  one,
  type ResourceSpec,
  required,
  runResource,
  UsageError,
  unwrap,
} from './api-session.ts';

const spec: ResourceSpec = {
  name: 'trunks',
  usage: `usage: trunkgate trunks <list|create|delete> [options]

  trunks list
  trunks create --direction outbound [--name NAME] [--acl IPACL_UUID] [--credential CREDENTIAL_UUID] [--cps N]
  trunks create --direction inbound [--name NAME] --primary-uri URI_UUID [--fallback-uri URI_UUID]
        prints the new trunk_id; an outbound trunk's PBX sends to {trunk_id}.{TRUNKGATE_SIP_DOMAIN}
  trunks delete TRUNK_ID
${COMMON_USAGE}`,
  valued: ['direction', 'name', 'acl', 'credential', 'cps', 'primary-uri', 'fallback-uri'],
  columns: ['trunk_id', 'name', 'trunk_direction', 'trunk_domain', 'trunk_status'],
  async list(s) {
    return allPages(async (offset) =>
      unwrap(
        await s.api.GET('/v1/Account/{auth_id}/Zentrunk/Trunk/', {
          params: { path: { auth_id: s.authId }, query: { limit: '20', offset: String(offset) } },
        }),
      ),
    );
  },
  async create(s, p) {
    const direction = required(p, 'direction');
    if (direction !== 'outbound' && direction !== 'inbound')
      throw new UsageError('--direction is outbound or inbound');
    const cps = one(p, 'cps');
    const cpsLimit = cps === undefined ? undefined : Number(cps);
    if (cpsLimit !== undefined && !Number.isFinite(cpsLimit)) throw new UsageError('--cps is a number');
    const optional = {
      name: one(p, 'name'),
      ipacl_uuid: one(p, 'acl'),
      credential_uuid: one(p, 'credential'),
      primary_uri_uuid: one(p, 'primary-uri'),
      fallback_uri_uuid: one(p, 'fallback-uri'),
      cps_limit: cpsLimit,
    };
    const body = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
    const created = unwrap(
      await s.api.POST('/v1/Account/{auth_id}/Zentrunk/Trunk/', {
        params: { path: { auth_id: s.authId } },
        body: { trunk_direction: direction, ...body },
      }),
    );
    return created.trunk_id;
  },
  async delete(s, id) {
    unwrap(
      await s.api.DELETE('/v1/Account/{auth_id}/Zentrunk/Trunk/{trunk_id}/', {
        params: { path: { auth_id: s.authId, trunk_id: id } },
      }),
    );
  },
};

export function trunksCommand(args: string[]): Promise<number> {
  return runResource(spec, args);
}
