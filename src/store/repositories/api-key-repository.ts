// API keys (Bearer tokens). The token is returned once, by create; only its SHA-256 is stored.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { hashToken } from '../../domain/account-identity.ts';
import { apiKeyPrefix, generateApiKeyToken } from '../../domain/api-key-token.ts';
import type { Store } from '../database.ts';
import type { ApiKeyRow } from '../schema.ts';
import { bumpChangeVersion, inTransaction, lockAccount } from '../transaction.ts';

export type ApiKeyView = Omit<ApiKeyRow, 'token_hash'>;

/** Columns that leave the store for the API: never the hash. */
const PUBLIC_COLUMNS = [
  'key_id',
  'account_auth_id',
  'name',
  'prefix',
  'created_at',
  'last_used_at',
  'expires_at',
  'revoked_at',
] as const;

export type CreateApiKeyOutcome =
  | { kind: 'ok'; key: ApiKeyView; token: string }
  | { kind: 'quota_exceeded'; limit: number }
  | { kind: 'account_gone' };

/** How often last_used_at is written for a key in steady use: once a minute is enough to read it. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiKeyRepository {
  constructor(private readonly store: Store) {}

  /** Creates a key; `quota` caps the keys that are not revoked (revoked ones stay listed for audit). */
  async create(
    accountAuthId: string,
    input: { name: string; expiresAt: string | null },
    quota: number,
  ): Promise<CreateApiKeyOutcome> {
    const token = generateApiKeyToken();
    const row: ApiKeyRow = {
      key_id: randomUUID(),
      account_auth_id: accountAuthId,
      name: input.name,
      prefix: apiKeyPrefix(token),
      token_hash: hashToken(token),
      created_at: new Date().toISOString(),
      last_used_at: null,
      expires_at: input.expiresAt,
      revoked_at: null,
    };
    return inTransaction(this.store, async (trx) => {
      if (!(await lockAccount(trx, this.store.dialect, accountAuthId)))
        return { kind: 'account_gone' as const };
      const { n } = await trx
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('account_auth_id', '=', accountAuthId)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(n) >= quota) return { kind: 'quota_exceeded' as const, limit: quota };
      await trx.insertInto('api_keys').values(row).execute();
      const { token_hash: _h, ...key } = row;
      return { kind: 'ok' as const, key, token };
    });
  }

  async find(accountAuthId: string, keyId: string): Promise<ApiKeyView | undefined> {
    return this.store.db
      .selectFrom('api_keys')
      .select(PUBLIC_COLUMNS)
      .where('account_auth_id', '=', accountAuthId)
      .where('key_id', '=', keyId)
      .executeTakeFirst();
  }

  async list(
    accountAuthId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: ApiKeyView[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.store.db
        .selectFrom('api_keys')
        .select(PUBLIC_COLUMNS)
        .where('account_auth_id', '=', accountAuthId)
        .orderBy('created_at', 'desc')
        .orderBy('key_id')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.store.db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('account_auth_id', '=', accountAuthId)
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /** Revokes a key (idempotent). False when the account has no such key. */
  async revoke(accountAuthId: string, keyId: string): Promise<boolean> {
    return inTransaction(this.store, async (trx) => {
      const found = await trx
        .selectFrom('api_keys')
        .select('revoked_at')
        .where('account_auth_id', '=', accountAuthId)
        .where('key_id', '=', keyId)
        .executeTakeFirst();
      if (found === undefined) return false;
      if (found.revoked_at === null) {
        await trx
          .updateTable('api_keys')
          .set({ revoked_at: new Date().toISOString() })
          .where('key_id', '=', keyId)
          .execute();
        // Nodes caching verified credentials drop them when the change version moves.
        await bumpChangeVersion(trx);
      }
      return true;
    });
  }

  /**
   * The key a presented token belongs to, looked up by its hash. The stored hash is compared again
   * in constant time, so nothing but the index lookup depends on the token's value.
   */
  async findByToken(token: string): Promise<ApiKeyView | undefined> {
    const presented = hashToken(token);
    const row = await this.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('token_hash', '=', presented)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const a = Buffer.from(row.token_hash, 'hex');
    const b = Buffer.from(presented, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    const { token_hash: _h, ...view } = row;
    return view;
  }

  /** Records use, at most once per minute per key (a write per request would cost more than it tells). */
  async touch(key: ApiKeyView, now: Date): Promise<void> {
    if (key.last_used_at !== null && now.getTime() - Date.parse(key.last_used_at) < LAST_USED_RESOLUTION_MS)
      return;
    await this.store.db
      .updateTable('api_keys')
      .set({ last_used_at: now.toISOString() })
      .where('key_id', '=', key.key_id)
      .execute();
  }
}
