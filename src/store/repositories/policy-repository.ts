// Loads the rows the SIP edge's admission snapshot is built from (src/domain/policy/), all read at
// one change_version: PostgreSQL reads in one REPEATABLE READ transaction, SQLite's read
// transaction sees one WAL snapshot.
import type { PolicyRows } from '../../domain/policy/index.ts';
import type { Store } from '../database.ts';

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
    const builder = this.store.db.transaction();
    const tx = this.store.dialect === 'postgres' ? builder.setIsolationLevel('repeatable read') : builder;
    return tx.execute(async (trx) => {
      const { version } = await trx
        .selectFrom('change_version')
        .select('version')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();

      const trunks = await trx
        .selectFrom('trunks as t')
        .innerJoin('accounts as a', 'a.auth_id', 't.account_auth_id')
        .leftJoin('accounts as p', 'p.auth_id', 'a.parent_auth_id')
        .select([
          't.trunk_id',
          't.account_auth_id',
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
        ])
        .orderBy('t.trunk_id')
        .execute();

      const applications = await trx
        .selectFrom('applications as x')
        .innerJoin('accounts as a', 'a.auth_id', 'x.account_auth_id')
        .leftJoin('accounts as p', 'p.auth_id', 'a.parent_auth_id')
        .select([
          'x.app_id',
          'x.account_auth_id',
          'x.app_name',
          'x.enabled',
          'x.sip_auth_type',
          'x.ip_acl_uuid',
          'x.credential_uuid',
          'x.digest_algorithms',
          'a.enabled as account_flag',
          'p.enabled as parent_flag',
        ])
        .orderBy('x.app_id')
        .execute();

      const aclEntries = await trx
        .selectFrom('ip_acl_entries')
        .select(['ip_acl_uuid', 'entry_id', 'ip', 'cidr_prefix'])
        .where('ip_acl_uuid', 'in', (eb) =>
          eb
            .selectFrom('trunks')
            .select('ip_acl_uuid')
            .where('ip_acl_uuid', 'is not', null)
            .union(eb.selectFrom('applications').select('ip_acl_uuid').where('ip_acl_uuid', 'is not', null)),
        )
        .orderBy('ip_acl_uuid')
        .orderBy('position')
        .execute();

      const credentials = await trx
        .selectFrom('credentials')
        .select(['credential_uuid', 'account_auth_id', 'username', 'realm'])
        .where('credential_uuid', 'in', (eb) =>
          eb
            .selectFrom('trunks')
            .select('credential_uuid')
            .where('credential_uuid', 'is not', null)
            .union(
              eb
                .selectFrom('applications')
                .select('credential_uuid')
                .where('credential_uuid', 'is not', null),
            ),
        )
        .execute();

      const originationUris = await trx
        .selectFrom('origination_uris')
        .select(['uri_uuid', 'uri', 'scheme', 'host', 'port', 'transport'])
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

      const accountEnabled = (r: { account_flag: number; parent_flag: number | null }) =>
        Number(r.account_flag) === 1 && (r.parent_flag === null || Number(r.parent_flag) === 1);

      return {
        version: Number(version),
        trunks: trunks.map(({ account_flag, parent_flag, ...t }) => ({
          ...t,
          secure: Number(t.secure),
          cps_limit: t.cps_limit === null ? null : Number(t.cps_limit),
          account_enabled: accountEnabled({ account_flag, parent_flag }),
        })),
        applications: applications.map(({ account_flag, parent_flag, ...a }) => ({
          ...a,
          enabled: Number(a.enabled),
          account_enabled: accountEnabled({ account_flag, parent_flag }),
        })),
        aclEntries: aclEntries.map((e) => ({ ...e, cidr_prefix: Number(e.cidr_prefix) })),
        credentials,
        originationUris: originationUris.map((u) => ({
          ...u,
          port: u.port === null ? null : Number(u.port),
        })),
      };
    });
  }
}
