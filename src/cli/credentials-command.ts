// `trunkgate credentials <list|create|delete>`: SIP digest credentials, through the API in the
// Zentrunk shape (/v1/Account/{auth_id}/Zentrunk/Credential/). The password is read from the
// environment (TRUNKGATE_CREDENTIAL_PASSWORD), never from the command line, where `ps` shows it.
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
  name: 'credentials',
  usage: `usage: trunkgate credentials <list|create|delete> [options]

  credentials list
  credentials create --username USER [--name NAME]
        password from TRUNKGATE_CREDENTIAL_PASSWORD (12–128 characters, three of upper-case,
        lower-case, digit, symbol); prints the new credential_uuid
  credentials delete CREDENTIAL_UUID
${COMMON_USAGE}`,
  valued: ['username', 'name'],
  columns: ['credential_uuid', 'username', 'name'],
  async list(s) {
    return allPages(async (offset) =>
      unwrap(
        await s.api.GET('/v1/Account/{auth_id}/Zentrunk/Credential/', {
          params: { path: { auth_id: s.authId }, query: { limit: '20', offset: String(offset) } },
        }),
      ),
    );
  },
  async create(s, p) {
    const password = process.env['TRUNKGATE_CREDENTIAL_PASSWORD'];
    if (password === undefined || password === '') {
      throw new UsageError('set the password in TRUNKGATE_CREDENTIAL_PASSWORD (never on the command line)');
    }
    const name = one(p, 'name');
    const created = unwrap(
      await s.api.POST('/v1/Account/{auth_id}/Zentrunk/Credential/', {
        params: { path: { auth_id: s.authId } },
        body: { username: required(p, 'username'), password, ...(name === undefined ? {} : { name }) },
      }),
    );
    return created.credential_uuid;
  },
  async delete(s, id) {
    unwrap(
      await s.api.DELETE('/v1/Account/{auth_id}/Zentrunk/Credential/{credential_uuid}/', {
        params: { path: { auth_id: s.authId, credential_uuid: id } },
      }),
    );
  },
};

export function credentialsCommand(args: string[]): Promise<number> {
  return runResource(spec, args);
}
