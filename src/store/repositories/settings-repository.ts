import type { Store } from '../database.ts';

export class SettingsRepository {
  constructor(private readonly store: Store) {}

  /** Returns the stored value, creating it with `create()` first if absent (first writer wins across nodes). */
  async getOrCreate(key: string, create: () => string): Promise<string> {
    const existing = await this.store.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    if (existing !== undefined) return existing.value;
    await this.store.db
      .insertInto('settings')
      .values({ key, value: create(), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.store.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    return row.value;
  }
}
