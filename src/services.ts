// What the HTTP app and the SIP edge are handed: config, store and repositories.
import type { Config } from './config.ts';
import type { Store } from './store/database.ts';
import { AccountRepository } from './store/repositories/account-repository.ts';
import { CredentialRepository } from './store/repositories/credential-repository.ts';

export interface Services {
  config: Readonly<Config>;
  store: Store;
  accounts: AccountRepository;
  credentials: CredentialRepository;
}

export function createServices(config: Readonly<Config>, store: Store): Services {
  return {
    config,
    store,
    accounts: new AccountRepository(store),
    credentials: new CredentialRepository(store),
  };
}
