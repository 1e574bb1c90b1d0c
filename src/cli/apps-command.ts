// `trunkgate apps <list|create|delete>`: applications, through the API
// (/v1/Account/{auth_id}/Application/).
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

const AUTH_TYPES = ['none', 'ip_acl', 'credential', 'ip_acl_and_credential'] as const;
type AuthType = (typeof AUTH_TYPES)[number];
const isAuthType = (v: string): v is AuthType => (AUTH_TYPES as readonly string[]).includes(v);

const spec: ResourceSpec = {
  name: 'apps',
  usage: `usage: trunkgate apps <list|create|delete> [options]

  apps list
  apps create --name NAME --answer-url URL [--auth-type ${AUTH_TYPES.join('|')}]
              [--acl IPACL_UUID] [--credential CREDENTIAL_UUID]
        prints the new app_id; the application is reached at sip:{app_id}@{TRUNKGATE_SIP_DOMAIN}
  apps delete APP_ID
${COMMON_USAGE}`,
  valued: ['name', 'answer-url', 'auth-type', 'acl', 'credential'],
  columns: ['app_id', 'app_name', 'sip_auth_type', 'sip_uri'],
  async list(s) {
    return allPages(async (offset) =>
      unwrap(
        await s.api.GET('/v1/Account/{auth_id}/Application/', {
          params: { path: { auth_id: s.authId }, query: { limit: '20', offset: String(offset) } },
        }),
      ),
    );
  },
  async create(s, p) {
    const authType = one(p, 'auth-type');
    if (authType !== undefined && !isAuthType(authType)) {
      throw new UsageError(`--auth-type is one of ${AUTH_TYPES.join(', ')}`);
    }
    const acl = one(p, 'acl');
    const credential = one(p, 'credential');
    const created = unwrap(
      await s.api.POST('/v1/Account/{auth_id}/Application/', {
        params: { path: { auth_id: s.authId } },
        body: {
          app_name: required(p, 'name'),
          answer_url: required(p, 'answer-url'),
          ...(authType === undefined ? {} : { sip_auth_type: authType }),
          ...(acl === undefined ? {} : { ip_acl_uuid: acl }),
          ...(credential === undefined ? {} : { credential_uuid: credential }),
        },
      }),
    );
    return created.app_id;
  },
  async delete(s, id) {
    unwrap(
      await s.api.DELETE('/v1/Account/{auth_id}/Application/{app_id}/', {
        params: { path: { auth_id: s.authId, app_id: id } },
      }),
    );
  },
};

export function appsCommand(args: string[]): Promise<number> {
  return runResource(spec, args);
}
