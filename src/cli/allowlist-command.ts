// `trunkgate allowlist <list|clear> <auth_id>`: the operator's view of an account's API IP
// allowlist, and the break-glass for an owner who locked themselves out (docs/glossary.md "API IP allowlist").
// It writes to the database directly, so it works when the API refuses every request.
import { loadConfig } from '../config.ts';
import { isAuthId } from '../domain/account-identity.ts';
import { openStore, type Store } from '../store/database.ts';
import { AccountRepository } from '../store/repositories/account-repository.ts';
import { AllowlistRepository } from '../store/repositories/allowlist-repository.ts';

const USAGE = `usage: trunkgate allowlist <command> <auth_id>

  allowlist list <auth_id>
        print the account's API IP allowlist entries
  allowlist clear <auth_id>
        delete every entry, so API requests from any address are accepted again (break-glass for
        an account that locked itself out). Running nodes apply it within TRUNKGATE_ALLOWLIST_REFRESH_MS.
`;

function usageError(message: string): number {
  process.stderr.write(`trunkgate allowlist: ${message}\n\n${USAGE}`);
  return 2;
}

function fail(message: string): number {
  process.stderr.write(`trunkgate allowlist: ${message}\n`);
  return 1;
}

/** The top-level account the command may act on, or an exit code after explaining why not. */
async function topLevelAccount(store: Store, authId: string, sub: string): Promise<string | number> {
  const account = await new AccountRepository(store).findById(authId);
  if (account === undefined) return fail(`no account ${authId} in ${store.describe}`);
  if (account.parent_auth_id !== null)
    return fail(
      `${authId} is a subaccount: it uses its parent's allowlist. Run: trunkgate allowlist ${sub} ${account.parent_auth_id}`,
    );
  return account.auth_id;
}

export async function allowlistCommand(args: string[]): Promise<number> {
  const [sub, authId, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (sub !== 'list' && sub !== 'clear')
    return usageError(sub === undefined ? 'missing command' : `unknown command "${sub}"`);
  if (authId === undefined) return usageError('missing <auth_id>');
  if (rest.length > 0) return usageError(`unexpected argument "${rest[0]}"`);
  if (!isAuthId(authId))
    return usageError(`"${authId}" is not an auth id (MA or SA followed by 18 upper-case letters or digits)`);

  const config = loadConfig();
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl, poolSize: 1 });
  try {
    const owner = await topLevelAccount(store, authId, sub);
    if (typeof owner === 'number') return owner;
    const allowlists = new AllowlistRepository(store);
    if (sub === 'list') {
      const entries = await allowlists.list(owner);
      if (entries.length === 0) {
        process.stdout.write(
          `${owner}: no API IP allowlist entries (requests from any address are accepted)\n`,
        );
        return 0;
      }
      for (const e of entries) process.stdout.write(`${e.entry_id}  ${e.cidr}  (added ${e.created_at})\n`);
      return 0;
    }
    const n = await allowlists.clear(owner);
    process.stdout.write(
      n === 0
        ? `${owner}: the API IP allowlist was already empty\n`
        : `${owner}: removed ${n} API IP allowlist ${n === 1 ? 'entry' : 'entries'}; API requests from any address are accepted again\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
