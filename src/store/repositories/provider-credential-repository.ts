// Outbound SIP provider credentials (seed 002). The password is sealed with the SecretBox before
// it reaches the database and only ever leaves this repository decrypted through findForUse()
// (for the SIP side); views carry `hasAuthPassword` instead.
import { randomUUID } from 'node:crypto';
import { type CpsSettings, effectiveCpsLimit } from '../../domain/cps.ts';
import {
  type CredentialSource,
  DEFAULT_REGISTER,
  type ProviderCredentialFields,
  REGISTER_EXPIRES,
  type Transport,
} from '../../domain/provider-credential-rules.ts';
import {
  type RegistrationAttempt,
  type RegistrationStatus,
  registrationErrorText,
  registrationStatus,
} from '../../domain/provider-registration.ts';
import type {
  EncryptedSecretColumn,
  KeyUsage,
  OpenFailureKind,
  ReencryptBatchResult,
} from '../../domain/secrets/encrypted-column.ts';
import {
  type OpenOutcome,
  type SecretBox,
  type SecretContext,
  sealedKeyId,
} from '../../domain/secrets/secret-box.ts';
import { isForeignKeyViolation } from '../constraint-errors.ts';
import type { Store } from '../database.ts';
import type { ProviderCredentialRegistrationRow, ProviderCredentialRow } from '../schema.ts';
import { bumpChangeVersion, type Executor, inTransaction } from '../transaction.ts';

export const AUTH_PASSWORD_PURPOSE = 'provider_credentials.auth_password';

export interface ProviderCredential {
  id: string;
  orgId: string;
  server: string;
  domain: string | null;
  authUser: string | null;
  hasAuthPassword: boolean;
  transport: Transport;
  description: string | null;
  cpsLimit: number | null;
  cpsKey: string | null;
  source: CredentialSource;
  providerId: string | null;
  createdTime: string;
  lastUpdateTime: string;
  register: boolean;
  registerExpires: number;
  registration: RegistrationStatus;
}

/** What the registration keeper reports after a REGISTER transaction at the carrier. */
export type RegistrationReport = { ok: true; expiresAt: Date } | { ok: false; error: string };

export type CredentialOrigin = { source: 'manual' } | { source: 'provider'; providerId: string };

/** Something that uses a provider credential (and so blocks its deletion without force). */
export interface ProviderCredentialReference {
  resource: string;
  id: string;
}

/**
 * A kind of resource that can refer to provider credentials. Features that add such references
 * (e.g. outbound trunks or phone numbers using a provider credential) register one; it runs
 * inside the delete transaction.
 */
export interface ProviderCredentialReferenceSource {
  resource: string;
  find(trx: Executor, orgId: string, credentialId: string): Promise<string[]>;
}

export type SaveOutcome =
  | { kind: 'ok'; credential: ProviderCredential }
  | { kind: 'not_found' }
  | { kind: 'account_gone' }
  /** An authPassword was given but no encryption key is configured. */
  | { kind: 'no_encryption_key' };

export type DeleteOutcome =
  | { kind: 'deleted' }
  | { kind: 'not_found' }
  | { kind: 'in_use'; references: ProviderCredentialReference[] };

export type UseOutcome =
  | { kind: 'ok'; credential: ProviderCredential; authPassword: string | null }
  | { kind: 'not_found' }
  | { kind: 'undecryptable'; reason: OpenFailureKind; keyId: string | undefined };

/** Columns that leave the store for views: never the ciphertext. */
const VIEW_COLUMNS = [
  'id',
  'org_id',
  'server',
  'domain',
  'auth_user',
  'auth_password_key_id',
  'transport',
  'description',
  'cps_limit',
  'cps_key',
  'source',
  'provider_id',
  'created_at',
  'updated_at',
  'register',
  'register_expires',
] as const;

type ViewRow = Pick<ProviderCredentialRow, (typeof VIEW_COLUMNS)[number]>;

const REGISTRATION_COLUMNS = ['credential_id', 'ok', 'expires_at', 'last_error', 'attempted_at'] as const;
type RegistrationRow = Pick<ProviderCredentialRegistrationRow, (typeof REGISTRATION_COLUMNS)[number]>;

function toAttempt(row: RegistrationRow | undefined): RegistrationAttempt | undefined {
  if (row === undefined) return undefined;
  // The table's check constraint guarantees expires_at with ok = 1 and last_error with ok = 0.
  return Number(row.ok) === 1
    ? { ok: true, expiresAt: row.expires_at!, attemptedAt: row.attempted_at }
    : { ok: false, error: row.last_error!, attemptedAt: row.attempted_at };
}

function toView(row: ViewRow, registration?: RegistrationRow): ProviderCredential {
  const register = Number(row.register) === 1;
  return {
    id: row.id,
    orgId: row.org_id,
    server: row.server,
    domain: row.domain,
    authUser: row.auth_user,
    hasAuthPassword: row.auth_password_key_id !== null,
    transport: row.transport as Transport,
    description: row.description,
    // pg returns double precision as a JS number already; Number() also normalises SQLite integers.
    cpsLimit: row.cps_limit === null ? null : Number(row.cps_limit),
    cpsKey: row.cps_key,
    source: row.source as CredentialSource,
    providerId: row.provider_id,
    createdTime: row.created_at,
    lastUpdateTime: row.updated_at,
    register,
    registerExpires: Number(row.register_expires),
    registration: registrationStatus(register, toAttempt(registration), Date.now()),
  };
}

/** Columns whose change means a recorded registration no longer describes the credential. */
const REGISTRATION_INPUTS = [
  'server',
  'domain',
  'auth_user',
  'auth_password_ciphertext',
  'transport',
  'register',
] as const;

function secretContext(orgId: string, id: string): SecretContext {
  return { purpose: AUTH_PASSWORD_PURPOSE, ids: [orgId, id] };
}

export class ProviderCredentialRepository implements EncryptedSecretColumn {
  readonly label = AUTH_PASSWORD_PURPOSE;
  private readonly referenceSources: ProviderCredentialReferenceSource[] = [];

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
  ) {}

  /** Whether an authPassword can be stored at all (a key is configured). */
  get canStorePasswords(): boolean {
    return this.box.canSeal;
  }

  registerReferenceSource(source: ProviderCredentialReferenceSource): void {
    this.referenceSources.push(source);
  }

  /** Seals the password bound to this row; null stays null. */
  private sealPassword(orgId: string, id: string, password: string | null) {
    if (password === null) return { auth_password_key_id: null, auth_password_ciphertext: null };
    const sealed = this.box.seal(password, secretContext(orgId, id));
    return { auth_password_key_id: this.box.currentKeyId!, auth_password_ciphertext: sealed };
  }

  async create(
    orgId: string,
    fields: ProviderCredentialFields,
    origin: CredentialOrigin,
  ): Promise<SaveOutcome> {
    if (fields.authPassword !== null && !this.box.canSeal) return { kind: 'no_encryption_key' };
    const id = randomUUID();
    const ts = new Date().toISOString();
    const row: ProviderCredentialRow = {
      id,
      org_id: orgId,
      server: fields.server,
      domain: fields.domain,
      auth_user: fields.authUser,
      ...this.sealPassword(orgId, id, fields.authPassword),
      transport: fields.transport,
      description: fields.description,
      cps_limit: fields.cpsLimit,
      cps_key: fields.cpsKey,
      source: origin.source,
      provider_id: origin.source === 'provider' ? origin.providerId : null,
      created_at: ts,
      updated_at: ts,
      register: (fields.register ?? DEFAULT_REGISTER) ? 1 : 0,
      register_expires: fields.registerExpires ?? REGISTER_EXPIRES.default,
    };
    try {
      await inTransaction(this.store, async (trx) => {
        await trx.insertInto('provider_credentials').values(row).execute();
        // cpsLimit/cpsKey are for the SIP side to enforce.
        await bumpChangeVersion(trx);
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) return { kind: 'account_gone' };
      throw err;
    }
    return { kind: 'ok', credential: toView(row) };
  }

  /** Views of `rows`, each with its recorded registration attempt. */
  private async views(rows: ViewRow[], executor: Executor = this.store.db): Promise<ProviderCredential[]> {
    if (rows.length === 0) return [];
    const registrations = await executor
      .selectFrom('provider_credential_registrations')
      .select(REGISTRATION_COLUMNS)
      .where(
        'credential_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    const byId = new Map(registrations.map((r) => [r.credential_id, r]));
    return rows.map((r) => toView(r, byId.get(r.id)));
  }

  async find(orgId: string, id: string): Promise<ProviderCredential | undefined> {
    const row = await this.store.db
      .selectFrom('provider_credentials')
      .select(VIEW_COLUMNS)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : (await this.views([row]))[0];
  }

  /** Newest first; ties broken by id so skip/take pages never overlap. */
  async list(
    orgId: string,
    skip: number,
    take: number,
  ): Promise<{ items: ProviderCredential[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.store.db
        .selectFrom('provider_credentials')
        .select(VIEW_COLUMNS)
        .where('org_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(take)
        .offset(skip)
        .execute(),
      this.store.db
        .selectFrom('provider_credentials')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow(),
    ]);
    return { items: await this.views(rows), total: Number(total.n) };
  }

  /**
   * Changes the given fields (PUT passes every field, PATCH only those sent). An authPassword
   * of null removes the stored password; undefined keeps it.
   */
  async update(orgId: string, id: string, patch: Partial<ProviderCredentialFields>): Promise<SaveOutcome> {
    if (patch.authPassword != null && !this.box.canSeal) return { kind: 'no_encryption_key' };
    return inTransaction(this.store, async (trx) => {
      const set: Partial<ProviderCredentialRow> = { updated_at: new Date().toISOString() };
      if (patch.server !== undefined) set.server = patch.server;
      if (patch.domain !== undefined) set.domain = patch.domain;
      if (patch.authUser !== undefined) set.auth_user = patch.authUser;
      if (patch.authPassword !== undefined)
        Object.assign(set, this.sealPassword(orgId, id, patch.authPassword));
      if (patch.transport !== undefined) set.transport = patch.transport;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.cpsLimit !== undefined) set.cps_limit = patch.cpsLimit;
      if (patch.cpsKey !== undefined) set.cps_key = patch.cpsKey;
      if (patch.register !== undefined) set.register = patch.register ? 1 : 0;
      if (patch.registerExpires !== undefined) set.register_expires = patch.registerExpires;
      const before = await trx
        .selectFrom('provider_credentials')
        .select(REGISTRATION_INPUTS)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (before === undefined) return { kind: 'not_found' as const };
      const r = await trx
        .updateTable('provider_credentials')
        .set(set)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return { kind: 'not_found' as const };
      await bumpChangeVersion(trx);
      // A registration made with another server, account or password (or one no longer wanted)
      // says nothing about this credential any more: forget it; the keeper registers afresh.
      if (REGISTRATION_INPUTS.some((c) => set[c] !== undefined && set[c] !== before[c]))
        await trx.deleteFrom('provider_credential_registrations').where('credential_id', '=', id).execute();
      const row = await trx
        .selectFrom('provider_credentials')
        .select(VIEW_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const [credential] = await this.views([row], trx);
      return { kind: 'ok' as const, credential: credential! };
    });
  }

  /** What refers to this credential. Nothing in trunkgate does yet; see registerReferenceSource. */
  async references(
    orgId: string,
    id: string,
    executor: Executor = this.store.db,
  ): Promise<ProviderCredentialReference[]> {
    const out: ProviderCredentialReference[] = [];
    for (const source of this.referenceSources) {
      for (const refId of await source.find(executor, orgId, id))
        out.push({ resource: source.resource, id: refId });
    }
    return out;
  }

  /** Refuses (in_use) while something refers to the credential, unless force. */
  async delete(orgId: string, id: string, opts: { force: boolean }): Promise<DeleteOutcome> {
    return inTransaction(this.store, async (trx) => {
      let q = trx
        .selectFrom('provider_credentials')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', id);
      if (this.store.dialect === 'postgres') q = q.forUpdate();
      if ((await q.executeTakeFirst()) === undefined) return { kind: 'not_found' as const };
      if (!opts.force) {
        const references = await this.references(orgId, id, trx);
        if (references.length > 0) return { kind: 'in_use' as const, references };
      }
      await trx.deleteFrom('provider_credentials').where('org_id', '=', orgId).where('id', '=', id).execute();
      await bumpChangeVersion(trx);
      return { kind: 'deleted' as const };
    });
  }

  /** Opens a row's sealed password; the column's key id must agree with the sealed value's. */
  private openRow(row: {
    id: string;
    org_id: string;
    auth_password_key_id: string | null;
    auth_password_ciphertext: string | null;
  }): OpenOutcome | { kind: 'none' } {
    if (row.auth_password_ciphertext === null) return { kind: 'none' };
    const keyId = sealedKeyId(row.auth_password_ciphertext);
    if (keyId === undefined || keyId !== row.auth_password_key_id) return { kind: 'malformed' };
    return this.box.open(row.auth_password_ciphertext, secretContext(row.org_id, row.id));
  }

  /** The credential with its password decrypted, for placing calls through the provider. */
  async findForUse(orgId: string, id: string): Promise<UseOutcome> {
    const row = await this.store.db
      .selectFrom('provider_credentials')
      .select([...VIEW_COLUMNS, 'auth_password_ciphertext'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return { kind: 'not_found' };
    const opened = this.openRow(row);
    const [credential] = await this.views([row]);
    if (opened.kind === 'none') return { kind: 'ok', credential: credential!, authPassword: null };
    if (opened.kind !== 'ok')
      return { kind: 'undecryptable', reason: opened.kind, keyId: row.auth_password_key_id ?? undefined };
    return { kind: 'ok', credential: credential!, authPassword: opened.plaintext };
  }

  /** The calls per second this credential may make, counting the account's credentials that share its cpsKey. */
  async effectiveCpsLimit(orgId: string, id: string): Promise<number | null | undefined> {
    const self = await this.find(orgId, id);
    if (self === undefined) return undefined;
    const siblings: CpsSettings[] =
      self.cpsKey === null
        ? []
        : (
            await this.store.db
              .selectFrom('provider_credentials')
              .select(VIEW_COLUMNS)
              .where('org_id', '=', orgId)
              .where('cps_key', '=', self.cpsKey)
              .execute()
          ).map((r) => toView(r));
    return effectiveCpsLimit(self, siblings);
  }

  /**
   * Records the outcome of a registration attempt at the carrier (the latest one replaces the
   * previous). not_found when the credential is not the account's (or is gone). The error text is
   * stored as given after registrationErrorText(): callers pass a status line or a transport
   * error, never a header value or a message body.
   */
  async recordRegistrationAttempt(
    orgId: string,
    id: string,
    report: RegistrationReport,
    at: Date = new Date(),
  ): Promise<{ kind: 'recorded'; credential: ProviderCredential } | { kind: 'not_found' }> {
    return inTransaction(this.store, async (trx) => {
      const row = await trx
        .selectFrom('provider_credentials')
        .select(VIEW_COLUMNS)
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return { kind: 'not_found' as const };
      const values = {
        ok: report.ok ? 1 : 0,
        expires_at: report.ok ? report.expiresAt.toISOString() : null,
        last_error: report.ok ? null : registrationErrorText(report.error),
        attempted_at: at.toISOString(),
      };
      await trx
        .insertInto('provider_credential_registrations')
        .values({ credential_id: id, org_id: orgId, ...values })
        .onConflict((oc) => oc.column('credential_id').doUpdateSet(values))
        .execute();
      const [credential] = await this.views([row], trx);
      return { kind: 'recorded' as const, credential: credential! };
    });
  }

  // --- EncryptedSecretColumn: start-up key check and key rotation ---

  async countByKeyId(): Promise<KeyUsage[]> {
    const rows = await this.store.db
      .selectFrom('provider_credentials')
      .select(['auth_password_key_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('auth_password_key_id', 'is not', null)
      .groupBy('auth_password_key_id')
      .orderBy('auth_password_key_id')
      .execute();
    return rows.map((r) => ({ keyId: r.auth_password_key_id!, count: Number(r.n) }));
  }

  async probe(keyId: string): Promise<{ id: string; outcome: OpenOutcome['kind'] } | undefined> {
    const row = await this.store.db
      .selectFrom('provider_credentials')
      .select(['id', 'org_id', 'auth_password_key_id', 'auth_password_ciphertext'])
      .where('auth_password_key_id', '=', keyId)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const opened = this.openRow(row);
    return { id: row.id, outcome: opened.kind === 'none' ? 'malformed' : opened.kind };
  }

  async reencryptBatch(
    currentKeyId: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<ReencryptBatchResult> {
    return inTransaction(this.store, async (trx) => {
      let q = trx
        .selectFrom('provider_credentials')
        .select(['id', 'org_id', 'auth_password_key_id', 'auth_password_ciphertext'])
        .where('auth_password_key_id', 'is not', null)
        .where('auth_password_key_id', '<>', currentKeyId);
      if (afterId !== undefined) q = q.where('id', '>', afterId);
      const rows = await q.orderBy('id').limit(limit).execute();
      const result: ReencryptBatchResult = {
        examined: rows.length,
        lastId: rows[rows.length - 1]?.id,
        reencrypted: 0,
        skipped: 0,
        failures: [],
      };
      for (const row of rows) {
        const opened = this.openRow(row);
        if (opened.kind === 'none') continue;
        if (opened.kind !== 'ok') {
          result.failures.push({
            id: row.id,
            reason: opened.kind,
            keyId: row.auth_password_key_id ?? undefined,
          });
          continue;
        }
        const sealed = this.sealPassword(row.org_id, row.id, opened.plaintext);
        // Compare-and-set: a password changed through the API since we read it is left alone.
        const r = await trx
          .updateTable('provider_credentials')
          .set(sealed)
          .where('id', '=', row.id)
          .where('auth_password_ciphertext', '=', row.auth_password_ciphertext)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) result.reencrypted++;
        else result.skipped++;
      }
      return result;
    });
  }
}
