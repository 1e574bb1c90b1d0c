// `trunkgate root rotate-token [auth_id]`: replaces the root account's token with a new random one
// and prints it once. Writes the database directly, so it works while the API is down or the old
// token is lost; running nodes refuse the old token at once (they cache verified credentials only
// until the change version moves, see src/api/plugins/account-auth.ts).
import { loadConfig } from '../config.ts';
import { isAuthId } from '../domain/account-identity.ts';
import { openStore } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { AccountRepository } from '../store/repositories/account-repository.ts';

const USAGE = `usage: trunkgate root rotate-token [auth_id]

  root rotate-token [auth_id]
        give the root account (the only top-level account, or auth_id) a new random token and
        print it once. Refused while TRUNKGATE_ROOT_AUTH_TOKEN is set: that variable is the
        root's token at every start, so change it there instead.
`;

function fail(message: string, code = 1): number {
  process.stderr.write(`trunkgate root: ${message}\n${code === 2 ? `\n${USAGE}` : ''}`);
  return code;
}

export async function rootCommand(args: string[]): Promise<number> {
  const [sub, authId, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (sub !== 'rotate-token')
    return fail(sub === undefined ? 'missing command' : `unknown command "${sub}"`, 2);
  if (rest.length > 0) return fail(`unexpected argument "${rest[0]}"`, 2);
  if (authId !== undefined && !isAuthId(authId)) return fail(`"${authId}" is not an auth id`, 2);
  const config = loadConfig();
  if (config.rootAuthToken !== undefined)
    return fail(
      'TRUNKGATE_ROOT_AUTH_TOKEN is set, and every start makes it the root token again: change the variable and restart instead',
    );
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl, poolSize: 1 });
  try {
    await migrateToLatest(store);
    const accounts = new AccountRepository(store);
    let target = authId;
    if (target === undefined) {
      const roots = await accounts.topLevelIds(2);
      if (roots.length === 0)
        return fail(`no root account in ${store.describe}; start trunkgate once to create it`);
      if (roots.length > 1)
        return fail(`${store.describe} has several top-level accounts; name one: ${USAGE.split('\n')[0]}`);
      target = roots[0];
    }
    if (target === undefined) return 1;
    const token = await accounts.rotateTopLevelToken(target);
    if (token === undefined) return fail(`no top-level account ${target} in ${store.describe}`);
    // The token goes to stdout only, once; it is stored as a hash.
    process.stdout.write(
      `root account ${target}: new auth_token ${token}\n(shown once; the old token no longer works)\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
