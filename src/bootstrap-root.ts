// First start: create the root account from TRUNKGATE_ROOT_AUTH_ID/TOKEN, or generate one and
// print it once. When the variables are set they are the source of truth for that account — but
// they never add a root: naming an id the database does not hold, while it holds a root already,
// stops the start (the token of an existing root is changed with `trunkgate root rotate-token`).
import type { Config } from './config.ts';
import { tokenMatches } from './domain/account-identity.ts';
import type { Logger } from './logger.ts';
import type { AccountRepository } from './store/repositories/account-repository.ts';

/** The start is refused: the variables would create a second root account. */
export class SecondRootError extends Error {}

export interface RootOutcome {
  kind: 'created-from-env' | 'updated-from-env' | 'unchanged' | 'generated' | 'existing';
  authId?: string;
  /** Only when generated: printed once to stdout, never logged. */
  authToken?: string;
}

export async function ensureRootAccount(
  config: Readonly<Config>,
  accounts: AccountRepository,
  log: Logger,
): Promise<RootOutcome> {
  if (config.rootAuthId !== undefined && config.rootAuthToken !== undefined) {
    let existing = await accounts.findById(config.rootAuthId);
    if (existing === undefined) {
      const [present] = await accounts.topLevelIds(1);
      if (present !== undefined)
        throw new SecondRootError(
          `TRUNKGATE_ROOT_AUTH_ID=${config.rootAuthId} is not in the database, which already has the root account ${present}; refusing to create a second root. Set TRUNKGATE_ROOT_AUTH_ID=${present} (its token then comes from TRUNKGATE_ROOT_AUTH_TOKEN), or unset both and rotate its token with: trunkgate root rotate-token`,
        );
      if (await accounts.createTopLevelIfAbsent('root', config.rootAuthId, config.rootAuthToken)) {
        log.info({ auth_id: config.rootAuthId }, 'root account created from TRUNKGATE_ROOT_AUTH_ID');
        return { kind: 'created-from-env', authId: config.rootAuthId };
      }
      // Another node starting at the same time created it first.
      existing = await accounts.findById(config.rootAuthId);
      if (existing === undefined) throw new Error('the root account vanished while it was being created');
    }
    if (!tokenMatches(existing.token_hash, config.rootAuthToken)) {
      await accounts.setToken(config.rootAuthId, config.rootAuthToken);
      log.warn({ auth_id: config.rootAuthId }, 'root account token replaced from TRUNKGATE_ROOT_AUTH_TOKEN');
      return { kind: 'updated-from-env', authId: config.rootAuthId };
    }
    return { kind: 'unchanged', authId: config.rootAuthId };
  }
  if ((await accounts.count()) > 0) return { kind: 'existing' };
  const created = await accounts.createFirstAccount('root');
  if (created === undefined) return { kind: 'existing' };
  return { kind: 'generated', authId: created.row.auth_id, authToken: created.authToken };
}
