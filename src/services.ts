// What the HTTP app and the SIP edge are handed: config, store and repositories.
import type { Config } from './config.ts';
import { type CounterStore, createCounterStore } from './counters/index.ts';
import type { EncryptedSecretColumn } from './domain/secrets/encrypted-column.ts';
import { Keyring } from './domain/secrets/keyring.ts';
import { SecretBox } from './domain/secrets/secret-box.ts';
import { createLogger, type Logger } from './logger.ts';
import { AllowlistCache } from './store/allowlist-cache.ts';
import type { Store } from './store/database.ts';
import { AccountRepository } from './store/repositories/account-repository.ts';
import { AllowlistRepository } from './store/repositories/allowlist-repository.ts';
import { ApiKeyRepository } from './store/repositories/api-key-repository.ts';
import { ApplicationRepository } from './store/repositories/application-repository.ts';
import { CredentialRepository } from './store/repositories/credential-repository.ts';
import { IpAclRepository } from './store/repositories/ip-acl-repository.ts';
import { OriginationUriRepository } from './store/repositories/origination-uri-repository.ts';
import { PolicyRepository } from './store/repositories/policy-repository.ts';
import { ProviderCredentialRepository } from './store/repositories/provider-credential-repository.ts';
import { TrunkRepository } from './store/repositories/trunk-repository.ts';
import { VerifiedCredentialCache } from './store/verified-credential-cache.ts';

export interface Services {
  config: Readonly<Config>;
  store: Store;
  accounts: AccountRepository;
  credentials: CredentialRepository;
  ipAcls: IpAclRepository;
  originationUris: OriginationUriRepository;
  trunks: TrunkRepository;
  applications: ApplicationRepository;
  /** Rows for the SIP edge's admission snapshot (src/domain/policy/). */
  policy: PolicyRepository;
  /** API IP allowlist entries (seed 003) and the per-node cache every API request consults. */
  allowlists: AllowlistRepository;
  allowlistCache: AllowlistCache;
  apiKeys: ApiKeyRepository;
  /** Credentials this node verified lately (src/store/verified-credential-cache.ts). */
  credentialCache: VerifiedCredentialCache;
  /** API rate limits and auth-failure blocks: Redis when REDIS_URL is set, else this node's memory. */
  counters: CounterStore;
  /** Seals and opens stored secrets with the configured keys (newest encrypts, all decrypt). */
  secretBox: SecretBox;
  providerCredentials: ProviderCredentialRepository;
  /** Every column holding sealed secrets: what `trunkgate keys rotate` and the start-up key check walk. */
  encryptedColumns: EncryptedSecretColumn[];
}

export function createServices(
  config: Readonly<Config>,
  store: Store,
  log: Logger = createLogger(config.logLevel),
): Services {
  const allowlists = new AllowlistRepository(store);
  const secretBox = new SecretBox(new Keyring(config.secretKeys));
  const providerCredentials = new ProviderCredentialRepository(store, secretBox);
  return {
    config,
    store,
    accounts: new AccountRepository(store),
    credentials: new CredentialRepository(store),
    ipAcls: new IpAclRepository(store),
    originationUris: new OriginationUriRepository(store),
    trunks: new TrunkRepository(store),
    applications: new ApplicationRepository(store),
    policy: new PolicyRepository(store),
    allowlists,
    allowlistCache: new AllowlistCache(store, allowlists, { refreshMs: config.allowlistRefreshMs }),
    apiKeys: new ApiKeyRepository(store),
    credentialCache: new VerifiedCredentialCache(store, { refreshMs: config.allowlistRefreshMs }),
    counters: createCounterStore(config, log),
    secretBox,
    providerCredentials,
    encryptedColumns: [providerCredentials],
  };
}
