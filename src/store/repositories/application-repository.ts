// Applications (seed 000 Application API). Like trunks, writes store the full validated state after
// checking the referenced IP ACL and credential in the same transaction.
import type { Transaction } from 'kysely';
import type { HttpMethod, SipAuthType } from '../../domain/application-rules.ts';
import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';
import { serializeDigestAlgorithms } from '../../domain/digest-algorithm-list.ts';
import { generateNumericId } from '../../domain/resource-ids.ts';
import type { Store } from '../database.ts';
import type { ApplicationRow, Database } from '../schema.ts';
import { bumpChangeVersion, inTransaction, lockAccount } from '../transaction.ts';
import { findMissingReference, type Reference, type ReferenceProblem, retryWrite } from './references.ts';

export interface ApplicationInput {
  app_name: string;
  answer_url: string;
  answer_method: HttpMethod;
  hangup_url: string | null;
  hangup_method: HttpMethod;
  fallback_answer_url: string | null;
  fallback_method: HttpMethod;
  enabled: boolean;
  sip_auth_type: SipAuthType;
  ip_acl_uuid: string | null;
  credential_uuid: string | null;
  digest_algorithms: DigestAlgorithm[] | null;
}

export type WriteApplicationOutcome =
  | { kind: 'ok'; application: ApplicationRow }
  | { kind: 'invalid_reference'; problem: ReferenceProblem }
  | { kind: 'not_found' }
  | { kind: 'account_gone' };

function references(a: ApplicationInput): Reference[] {
  return [
    { field: 'ip_acl_uuid', kind: 'ip_acl', id: a.ip_acl_uuid },
    { field: 'credential_uuid', kind: 'credential', id: a.credential_uuid },
  ];
}

function columns(a: ApplicationInput) {
  return {
    ...a,
    enabled: a.enabled ? 1 : 0,
    digest_algorithms: serializeDigestAlgorithms(a.digest_algorithms),
  };
}

export class ApplicationRepository {
  constructor(private readonly store: Store) {}

  async create(accountAuthId: string, input: ApplicationInput): Promise<WriteApplicationOutcome> {
    return retryWrite(() =>
      inTransaction(this.store, async (trx): Promise<WriteApplicationOutcome> => {
        if (!(await lockAccount(trx, this.store.dialect, accountAuthId))) return { kind: 'account_gone' };
        const problem = await findMissingReference(trx, this.store, accountAuthId, references(input));
        if (problem !== undefined) return { kind: 'invalid_reference', problem };
        const ts = new Date().toISOString();
        const row: ApplicationRow = {
          app_id: generateNumericId(),
          account_auth_id: accountAuthId,
          ...columns(input),
          created_at: ts,
          updated_at: ts,
        };
        await trx.insertInto('applications').values(row).execute();
        await bumpChangeVersion(trx, { kind: 'application', id: row.app_id });
        return { kind: 'ok', application: row };
      }),
    );
  }

  async find(accountAuthId: string, appId: string): Promise<ApplicationRow | undefined> {
    return this.store.db
      .selectFrom('applications')
      .selectAll()
      .where('account_auth_id', '=', accountAuthId)
      .where('app_id', '=', appId)
      .executeTakeFirst();
  }

  async list(
    accountAuthId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: ApplicationRow[]; total: number }> {
    const base = this.store.db.selectFrom('applications').where('account_auth_id', '=', accountAuthId);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('app_id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /** Replaces the application's state with `input` (the caller merged and validated it). */
  async update(
    accountAuthId: string,
    appId: string,
    input: ApplicationInput,
  ): Promise<WriteApplicationOutcome> {
    return retryWrite(() =>
      inTransaction(this.store, async (trx): Promise<WriteApplicationOutcome> => {
        if (!(await lockApplication(trx, this.store, accountAuthId, appId))) return { kind: 'not_found' };
        const problem = await findMissingReference(trx, this.store, accountAuthId, references(input));
        if (problem !== undefined) return { kind: 'invalid_reference', problem };
        await trx
          .updateTable('applications')
          .set({ ...columns(input), updated_at: new Date().toISOString() })
          .where('app_id', '=', appId)
          .execute();
        await bumpChangeVersion(trx, { kind: 'application', id: appId });
        const application = await trx
          .selectFrom('applications')
          .selectAll()
          .where('app_id', '=', appId)
          .executeTakeFirstOrThrow();
        return { kind: 'ok', application };
      }),
    );
  }

  async delete(accountAuthId: string, appId: string): Promise<boolean> {
    return inTransaction(this.store, async (trx) => {
      const r = await trx
        .deleteFrom('applications')
        .where('account_auth_id', '=', accountAuthId)
        .where('app_id', '=', appId)
        .executeTakeFirst();
      const deleted = Number(r.numDeletedRows) > 0;
      if (deleted) await bumpChangeVersion(trx, { kind: 'application', id: appId });
      return deleted;
    });
  }
}

async function lockApplication(
  trx: Transaction<Database>,
  store: Store,
  accountAuthId: string,
  appId: string,
) {
  let q = trx
    .selectFrom('applications')
    .select('app_id')
    .where('account_auth_id', '=', accountAuthId)
    .where('app_id', '=', appId);
  if (store.dialect === 'postgres') q = q.forUpdate();
  return (await q.executeTakeFirst()) !== undefined;
}
