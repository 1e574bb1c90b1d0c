// `trunkgate accounts <list|create|delete>`: the subaccounts of the signed-in account, through the
// API (/v1/Account/{auth_id}/Subaccount/). A new subaccount's auth_token is printed once, to stderr.
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
  name: 'accounts',
  usage: `usage: trunkgate accounts <list|create|delete> [options]

  accounts list                                     the subaccounts
  accounts create --name NAME [--enabled true|false]
        prints the new auth_id; its auth_token (shown once) goes to stderr
  accounts delete SUBACCOUNT_AUTH_ID
${COMMON_USAGE}`,
  valued: ['name', 'enabled'],
  columns: ['auth_id', 'name', 'enabled', 'created'],
  async list(s) {
    return allPages(async (offset) =>
      unwrap(
        await s.api.GET('/v1/Account/{auth_id}/Subaccount/', {
          params: { path: { auth_id: s.authId }, query: { limit: '20', offset: String(offset) } },
        }),
      ),
    );
  },
  async create(s, p) {
    const enabled = one(p, 'enabled') ?? 'true';
    if (enabled !== 'true' && enabled !== 'false') throw new UsageError('--enabled is true or false');
    const created = unwrap(
      await s.api.POST('/v1/Account/{auth_id}/Subaccount/', {
        params: { path: { auth_id: s.authId } },
        body: { name: required(p, 'name'), enabled: enabled === 'true' },
      }),
    );
    process.stderr.write(`auth_token (shown once): ${created.auth_token}\n`);
    return created.auth_id;
  },
  async delete(s, id) {
    unwrap(
      await s.api.DELETE('/v1/Account/{auth_id}/Subaccount/{subauth_id}/', {
        params: { path: { auth_id: s.authId, subauth_id: id } },
      }),
    );
  },
};

export function accountsCommand(args: string[]): Promise<number> {
  return runResource(spec, args);
}
