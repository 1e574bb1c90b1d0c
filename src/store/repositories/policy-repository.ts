// Loads the rows the SIP edge's admission policy is built from (src/domain/policy/): everything,
// or only what changed since a version (the policy_changes log, src/store/transaction.ts). Either
// read happens at one change_version: PostgreSQL reads in one REPEATABLE READ transaction,
// SQLite's read transaction sees one WAL snapshot.
import type { ExpressionBuilder, Transaction } from 'kysely';
import {
  isPolicyChangeKind,
  type PolicyAclEntryRow,
  type PolicyApplicationRow,
  type PolicyCredentialRow,
  type PolicyDelta,
  type PolicyRows,
  type PolicyTrunkRow,
  type PolicyUriRow,
} from '../../domain/policy/index.ts';
import type { Store } from '../database.ts';
import type { Database } from '../schema.ts';

type Trx = Transaction<Database>;

/** More changes than this since the reader's version: a full load is cheaper than the delta. */
export const MAX_DELTA_CHANGES = 5000;
/** Ids per IN (…) list; SQLite allows 32,766 variables per statement. */
const CHUNK = 500;

export type PolicyRead =
  | { readonly kind: 'current'; readonly version: number }
  | { readonly kind: 'delta'; readonly delta: PolicyDelta }
  /** The log cannot say what changed: load everything (loadInParts). */
  | { readonly kind: 'full' };

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const accountEnabled = (r: { account_flag: number; parent_flag: number | null }) =>
  Number(r.account_flag) === 1 && (r.parent_flag === null || Number(r.parent_flag) === 1);

export class PolicyRepository {
  constructor(private readonly store: Store) {}

  /** Current change_version, cheap enough to poll. */
  async version(): Promise<number> {
    const row = await this.store.db
      .selectFrom('change_version')
      .select('version')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.version);
  }

  /** Every trunk and application, with the ACL entries, credentials and URIs they reference. */
  async loadRows(): Promise<PolicyRows> {
    return this.#read((trx) => this.#loadAll(trx));
  }

  /**
   * The same rows as `loadRows`, read in one transaction but handed over in parts so that a
   * million ACL entries never exist as row objects at once: first everything but the ACL
   * entries (every referenced ACL then counts as changed, with its entries to follow), then the
   * entries in pages of about `pageSize` rows that never split an ACL. Applying the parts in
   * order to an empty policy table gives the full load. Returns the version read.
   */
  async loadInParts(consume: (part: PolicyDelta) => void, pageSize = 50_000): Promise<number> {
    return this.#read(async (trx) => {
      const base = await this.#loadAll(trx, false);
      const none = { trunks: [], applications: [], accounts: [], acls: [], credentials: [], uris: [] };
      consume({ changed: none, rows: base });
      let after: { acl: string; position: number } | undefined;
      // Rows of the last ACL seen, held back until its end is known (an ACL may span pages).
      let carry: PolicyAclEntryRow[] = [];
      const emit = (entries: PolicyAclEntryRow[]) => {
        if (entries.length === 0) return;
        consume({
          changed: { ...none, acls: [...new Set(entries.map((e) => e.ip_acl_uuid))] },
          rows: {
            ...base,
            trunks: [],
            applications: [],
            credentials: [],
            originationUris: [],
            aclEntries: entries,
          },
        });
      };
      for (;;) {
        let q = trx
          .selectFrom('ip_acl_entries')
          .select(['ip_acl_uuid', 'entry_id', 'ip', 'cidr_prefix', 'position'])
          .where('ip_acl_uuid', 'in', referencedAcls);
        if (after !== undefined) {
          const from = after;
          q = q.where((eb) =>
            eb.or([
              eb('ip_acl_uuid', '>', from.acl),
              eb.and([eb('ip_acl_uuid', '=', from.acl), eb('position', '>', from.position)]),
            ]),
          );
        }
        const page = await q.orderBy('ip_acl_uuid').orderBy('position').limit(pageSize).execute();
        const rows = carry.concat(
          page.map((e) => ({
            ip_acl_uuid: e.ip_acl_uuid,
            entry_id: e.entry_id,
            ip: e.ip,
            cidr_prefix: Number(e.cidr_prefix),
          })),
        );
        if (page.length < pageSize) {
          emit(rows);
          break;
        }
        const last = page[page.length - 1]!;
        after = { acl: last.ip_acl_uuid, position: Number(last.position) };
        let cut = rows.length;
        while (cut > 0 && rows[cut - 1]!.ip_acl_uuid === last.ip_acl_uuid) cut--;
        emit(rows.slice(0, cut));
        carry = rows.slice(cut);
      }
      return base.version;
    });
  }

  /**
   * What changed since `since`: nothing, a delta with the current rows of what the change log
   * names, or a full load when the log no longer reaches back that far or holds too much.
   */
  async loadChanges(since: number): Promise<PolicyRead> {
    return this.#read(async (trx): Promise<PolicyRead> => {
      const version = await readVersion(trx);
      if (version === since) return { kind: 'current', version };
      if (since < 0 || version < since || version - since > MAX_DELTA_CHANGES) return { kind: 'full' };
      const log = await trx
        .selectFrom('policy_changes')
        .select(['version', 'kind', 'id'])
        .where('version', '>', since)
        .where('version', '<=', version)
        .execute();
      // Each version has exactly one row; a missing one was pruned (or written by an older
      // release): the log cannot say what changed, so read everything.
      if (log.length !== version - since) return { kind: 'full' };
      const ids = {
        trunk: new Set<string>(),
        application: new Set<string>(),
        account: new Set<string>(),
        ip_acl: new Set<string>(),
        credential: new Set<string>(),
        origination_uri: new Set<string>(),
      };
      for (const c of log) {
        if (!isPolicyChangeKind(c.kind)) return { kind: 'full' };
        if (c.kind === 'allowlist' || c.kind === 'provider_credential') continue;
        ids[c.kind].add(c.id);
      }
      const accounts = [...ids.account];
      const trunks: PolicyTrunkRow[] = [];
      for (const part of chunks([...ids.trunk]))
        trunks.push(...(await trunkRows(trx, (q) => q.where('t.trunk_id', 'in', part))));
      const apps: PolicyApplicationRow[] = [];
      for (const part of chunks([...ids.application]))
        apps.push(...(await applicationRows(trx, (q) => q.where('x.app_id', 'in', part))));
      for (const part of chunks(accounts)) {
        trunks.push(
          ...(await trunkRows(trx, (q) =>
            q.where((eb) => eb.or([eb('a.auth_id', 'in', part), eb('a.parent_auth_id', 'in', part)])),
          )),
        );
        apps.push(
          ...(await applicationRows(trx, (q) =>
            q.where((eb) => eb.or([eb('a.auth_id', 'in', part), eb('a.parent_auth_id', 'in', part)])),
          )),
        );
      }
      const acls = new Set(ids.ip_acl);
      const credentials = new Set(ids.credential);
      const uris = new Set(ids.origination_uri);
      for (const t of trunks) {
        if (t.ip_acl_uuid !== null) acls.add(t.ip_acl_uuid);
        if (t.credential_uuid !== null) credentials.add(t.credential_uuid);
        if (t.primary_uri_uuid !== null) uris.add(t.primary_uri_uuid);
        if (t.fallback_uri_uuid !== null) uris.add(t.fallback_uri_uuid);
      }
      for (const a of apps) {
        if (a.ip_acl_uuid !== null) acls.add(a.ip_acl_uuid);
        if (a.credential_uuid !== null) credentials.add(a.credential_uuid);
      }
      const aclEntries: PolicyAclEntryRow[] = [];
      for (const part of chunks([...acls])) aclEntries.push(...(await aclEntryRows(trx, part)));
      const credentialList: PolicyCredentialRow[] = [];
      for (const part of chunks([...credentials])) credentialList.push(...(await credentialRows(trx, part)));
      const uriList: PolicyUriRow[] = [];
      for (const part of chunks([...uris])) uriList.push(...(await uriRows(trx, part)));
      return {
        kind: 'delta',
        delta: {
          changed: {
            trunks: [...ids.trunk],
            applications: [...ids.application],
            accounts,
            acls: [...ids.ip_acl],
            credentials: [...ids.credential],
            uris: [...ids.origination_uri],
          },
          rows: {
            version,
            trunks,
            applications: apps,
            aclEntries,
            credentials: credentialList,
            originationUris: uriList,
          },
        },
      };
    });
  }

  #read<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    const builder = this.store.db.transaction();
    const tx = this.store.dialect === 'postgres' ? builder.setIsolationLevel('repeatable read') : builder;
    return tx.execute(fn);
  }

  async #loadAll(trx: Trx, withAclEntries = true): Promise<PolicyRows> {
    const version = await readVersion(trx);
    const trunks = await trunkRows(trx, (q) => q);
    const applications = await applicationRows(trx, (q) => q);
    const aclEntries = withAclEntries
      ? await trx
          .selectFrom('ip_acl_entries')
          .select(['ip_acl_uuid', 'entry_id', 'ip', 'cidr_prefix'])
          .where('ip_acl_uuid', 'in', referencedAcls)
          .orderBy('ip_acl_uuid')
          .orderBy('position')
          .execute()
      : [];
    const credentials = await trx
      .selectFrom('credentials')
      .select(CREDENTIAL_COLUMNS)
      .where('credential_uuid', 'in', (eb) =>
        eb
          .selectFrom('trunks')
          .select('credential_uuid')
          .where('credential_uuid', 'is not', null)
          .union(
            eb.selectFrom('applications').select('credential_uuid').where('credential_uuid', 'is not', null),
          ),
      )
      .execute();
    const originationUris = await trx
      .selectFrom('origination_uris')
      .select(URI_COLUMNS)
      .where('uri_uuid', 'in', (eb) =>
        eb
          .selectFrom('trunks')
          .select('primary_uri_uuid as id')
          .where('primary_uri_uuid', 'is not', null)
          .union(
            eb
              .selectFrom('trunks')
              .select('fallback_uri_uuid as id')
              .where('fallback_uri_uuid', 'is not', null),
          ),
      )
      .execute();
    return {
      version,
      trunks,
      applications,
      aclEntries: aclEntries.map((e) => ({ ...e, cidr_prefix: Number(e.cidr_prefix) })),
      credentials,
      originationUris: originationUris.map(toUriRow),
    };
  }
}

const CREDENTIAL_COLUMNS = [
  'credential_uuid',
  'account_auth_id',
  'username',
  'realm',
  'ha1_md5',
  'ha1_sha256',
  'ha1_sha512_256',
] as const;
const URI_COLUMNS = ['uri_uuid', 'uri', 'scheme', 'host', 'port', 'transport'] as const;

/** ACLs some trunk or application references (only those are loaded). */
function referencedAcls(eb: ExpressionBuilder<Database, 'ip_acl_entries'>) {
  return eb
    .selectFrom('trunks')
    .select('ip_acl_uuid')
    .where('ip_acl_uuid', 'is not', null)
    .union(eb.selectFrom('applications').select('ip_acl_uuid').where('ip_acl_uuid', 'is not', null));
}

async function readVersion(trx: Trx): Promise<number> {
  const { version } = await trx
    .selectFrom('change_version')
    .select('version')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(version);
}

function trunkQuery(trx: Trx) {
  return trx
    .selectFrom('trunks as t')
    .innerJoin('accounts as a', 'a.auth_id', 't.account_auth_id')
    .leftJoin('accounts as p', 'p.auth_id', 'a.parent_auth_id')
    .select([
      't.trunk_id',
      't.account_auth_id',
      'a.parent_auth_id',
      't.name',
      't.trunk_direction',
      't.trunk_status',
      't.secure',
      't.cps_limit',
      't.ip_acl_uuid',
      't.credential_uuid',
      't.primary_uri_uuid',
      't.fallback_uri_uuid',
      't.digest_algorithms',
      'a.enabled as account_flag',
      'p.enabled as parent_flag',
    ]);
}

async function trunkRows(
  trx: Trx,
  filter: (q: ReturnType<typeof trunkQuery>) => ReturnType<typeof trunkQuery>,
): Promise<PolicyTrunkRow[]> {
  const rows = await filter(trunkQuery(trx)).orderBy('t.trunk_id').execute();
  return rows.map(({ account_flag, parent_flag, ...t }) => ({
    ...t,
    secure: Number(t.secure),
    cps_limit: t.cps_limit === null ? null : Number(t.cps_limit),
    account_enabled: accountEnabled({ account_flag, parent_flag }),
  }));
}

function applicationQuery(trx: Trx) {
  return trx
    .selectFrom('applications as x')
    .innerJoin('accounts as a', 'a.auth_id', 'x.account_auth_id')
    .leftJoin('accounts as p', 'p.auth_id', 'a.parent_auth_id')
    .select([
      'x.app_id',
      'x.account_auth_id',
      'a.parent_auth_id',
      'x.app_name',
      'x.enabled',
      'x.sip_auth_type',
      'x.ip_acl_uuid',
      'x.credential_uuid',
      'x.digest_algorithms',
      'a.enabled as account_flag',
      'p.enabled as parent_flag',
    ]);
}

async function applicationRows(
  trx: Trx,
  filter: (q: ReturnType<typeof applicationQuery>) => ReturnType<typeof applicationQuery>,
): Promise<PolicyApplicationRow[]> {
  const rows = await filter(applicationQuery(trx)).orderBy('x.app_id').execute();
  return rows.map(({ account_flag, parent_flag, ...a }) => ({
    ...a,
    enabled: Number(a.enabled),
    account_enabled: accountEnabled({ account_flag, parent_flag }),
  }));
}

async function aclEntryRows(trx: Trx, ids: readonly string[]): Promise<PolicyAclEntryRow[]> {
  const rows = await trx
    .selectFrom('ip_acl_entries')
    .select(['ip_acl_uuid', 'entry_id', 'ip', 'cidr_prefix'])
    .where('ip_acl_uuid', 'in', ids)
    .orderBy('ip_acl_uuid')
    .orderBy('position')
    .execute();
  return rows.map((e) => ({ ...e, cidr_prefix: Number(e.cidr_prefix) }));
}

async function credentialRows(trx: Trx, ids: readonly string[]): Promise<PolicyCredentialRow[]> {
  return trx
    .selectFrom('credentials')
    .select(CREDENTIAL_COLUMNS)
    .where('credential_uuid', 'in', ids)
    .execute();
}

function toUriRow(u: {
  uri_uuid: string;
  uri: string;
  scheme: string;
  host: string;
  port: number | null;
  transport: string | null;
}): PolicyUriRow {
  return { ...u, port: u.port === null ? null : Number(u.port) };
}

async function uriRows(trx: Trx, ids: readonly string[]): Promise<PolicyUriRow[]> {
  const rows = await trx
    .selectFrom('origination_uris')
    .select(URI_COLUMNS)
    .where('uri_uuid', 'in', ids)
    .execute();
  return rows.map(toUriRow);
}
