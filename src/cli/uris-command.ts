// `trunkgate uris <list|create|delete>`: origination URIs of inbound trunks, through the API
// (/v1/Account/{auth_id}/Zentrunk/URI/).
import {
  allPages,
  COMMON_USAGE,
  one,
  type ResourceSpec,
  required,
  runResource,
  unwrap,
} from './api-session.ts';

const spec: ResourceSpec = {
  name: 'uris',
  usage: `usage: trunkgate uris <list|create|delete> [options]

  uris list
  uris create --uri URI [--name NAME]
        a SIP URI (sip:pbx.example.com:5060;transport=tcp) or host[:port]; prints the new uri_uuid
  uris delete URI_UUID            (409 while a trunk uses it)
${COMMON_USAGE}`,
  valued: ['uri', 'name'],
  columns: ['uri_uuid', 'name', 'uri'],
  async list(s) {
    return allPages(async (offset) =>
      unwrap(
        await s.api.GET('/v1/Account/{auth_id}/Zentrunk/URI/', {
          params: { path: { auth_id: s.authId }, query: { limit: '20', offset: String(offset) } },
        }),
      ),
    );
  },
  async create(s, p) {
    const name = one(p, 'name');
    const created = unwrap(
      await s.api.POST('/v1/Account/{auth_id}/Zentrunk/URI/', {
        params: { path: { auth_id: s.authId } },
        body: { uri: required(p, 'uri'), ...(name === undefined ? {} : { name }) },
      }),
    );
    return created.uri_uuid;
  },
  async delete(s, id) {
    unwrap(
      await s.api.DELETE('/v1/Account/{auth_id}/Zentrunk/URI/{uri_uuid}/', {
        params: { path: { auth_id: s.authId, uri_uuid: id } },
      }),
    );
  },
};

export function urisCommand(args: string[]): Promise<number> {
  return runResource(spec, args);
}
