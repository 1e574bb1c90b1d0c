// Reference integrity between trunks/applications and the credentials, IP ACLs and origination
// URIs they use: "does this id name an object of this account?" before a write, and "who uses
// this object?" before a delete (DESIGN.md: deleting one in use is a 409 naming the users).
//
// Both run inside the writer's transaction. On PostgreSQL the checked rows are locked (a user
// takes FOR KEY SHARE on what it references, a delete takes FOR UPDATE on what it removes), so a
// trunk created concurrently with the delete of its ACL either sees the ACL gone (400) or makes
// the delete see it (409). SQLite runs one write transaction at a time. The composite foreign keys
// of migration 002 are the safety net under both.
import type { Transaction } from 'kysely';
import { isForeignKeyViolation, isUniqueViolation } from '../constraint-errors.ts';
import type { Store } from '../database.ts';
import type { Database } from '../schema.ts';
import { bumpChangeVersion, type Executor, inTransaction } from '../transaction.ts';

export type ReferencedKind = 'credential' | 'ip_acl' | 'origination_uri';

export interface ResourceUsers {
  trunks: { trunk_id: string; name: string | null }[];
  applications: { app_id: string; app_name: string }[];
}

export type DeleteOutcome = { kind: 'ok' } | { kind: 'not_found' } | { kind: 'in_use'; users: ResourceUsers };

export function hasUsers(users: ResourceUsers): boolean {
  return users.trunks.length > 0 || users.applications.length > 0;
}

/** The trunks and applications of the account that use the object. */
export async function findResourceUsers(
  ex: Executor,
  accountAuthId: string,
  kind: ReferencedKind,
  id: string,
): Promise<ResourceUsers> {
  let trunkQuery = ex
    .selectFrom('trunks')
    .select(['trunk_id', 'name'])
    .where('account_auth_id', '=', accountAuthId)
    .orderBy('created_at')
    .orderBy('trunk_id');
  trunkQuery =
    kind === 'credential'
      ? trunkQuery.where('credential_uuid', '=', id)
      : kind === 'ip_acl'
        ? trunkQuery.where('ip_acl_uuid', '=', id)
        : trunkQuery.where((eb) =>
            eb.or([
              eb('primary_uri_uuid', '=', id),
              eb('fallback_uri_uuid', '=', id),
              // Any place in an origination list (src/domain/trunk-rules.ts), not only 10 and 20.
              eb(
                'trunk_id',
                'in',
                eb
                  .selectFrom('trunk_origination_uris')
                  .select('trunk_origination_uris.trunk_id')
                  .where('trunk_origination_uris.account_auth_id', '=', accountAuthId)
                  .where('trunk_origination_uris.uri_uuid', '=', id),
              ),
            ]),
          );
  const trunks = await trunkQuery.execute();
  if (kind === 'origination_uri') return { trunks, applications: [] };
  const applications = await ex
    .selectFrom('applications')
    .select(['app_id', 'app_name'])
    .where('account_auth_id', '=', accountAuthId)
    .where(kind === 'credential' ? 'credential_uuid' : 'ip_acl_uuid', '=', id)
    .orderBy('created_at')
    .orderBy('app_id')
    .execute();
  return { trunks, applications };
}

/** Selects (and on PostgreSQL locks) the object's row; true when it exists in the account. */
async function lockReferenced(
  trx: Transaction<Database>,
  store: Store,
  accountAuthId: string,
  kind: ReferencedKind,
  id: string,
  mode: 'update' | 'key share',
): Promise<boolean> {
  const pg = store.dialect === 'postgres';
  const lock = <Q extends { forUpdate(): Q; forKeyShare(): Q }>(q: Q): Q =>
    pg ? (mode === 'update' ? q.forUpdate() : q.forKeyShare()) : q;
  switch (kind) {
    case 'credential':
      return (
        (await lock(
          trx
            .selectFrom('credentials')
            .select('credential_uuid')
            .where('account_auth_id', '=', accountAuthId)
            .where('credential_uuid', '=', id),
        ).executeTakeFirst()) !== undefined
      );
    case 'ip_acl':
      return (
        (await lock(
          trx
            .selectFrom('ip_acls')
            .select('ip_acl_uuid')
            .where('account_auth_id', '=', accountAuthId)
            .where('ip_acl_uuid', '=', id),
        ).executeTakeFirst()) !== undefined
      );
    case 'origination_uri':
      return (
        (await lock(
          trx
            .selectFrom('origination_uris')
            .select('uri_uuid')
            .where('account_auth_id', '=', accountAuthId)
            .where('uri_uuid', '=', id),
        ).executeTakeFirst()) !== undefined
      );
  }
}

async function deleteRow(
  trx: Transaction<Database>,
  accountAuthId: string,
  kind: ReferencedKind,
  id: string,
): Promise<void> {
  switch (kind) {
    case 'credential':
      await trx
        .deleteFrom('credentials')
        .where('account_auth_id', '=', accountAuthId)
        .where('credential_uuid', '=', id)
        .execute();
      return;
    case 'ip_acl':
      // Entries go with it (ON DELETE CASCADE).
      await trx
        .deleteFrom('ip_acls')
        .where('account_auth_id', '=', accountAuthId)
        .where('ip_acl_uuid', '=', id)
        .execute();
      return;
    case 'origination_uri':
      await trx
        .deleteFrom('origination_uris')
        .where('account_auth_id', '=', accountAuthId)
        .where('uri_uuid', '=', id)
        .execute();
      return;
  }
}

/**
 * Deletes a credential, IP ACL or origination URI of the account unless a trunk or application
 * uses it, in one transaction. A foreign-key violation means a user appeared between the check and
 * the delete (only possible if a writer skipped the locks): look again once, which reports it.
 */
export async function deleteUnlessInUse(
  store: Store,
  accountAuthId: string,
  kind: ReferencedKind,
  id: string,
): Promise<DeleteOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(store, async (trx): Promise<DeleteOutcome> => {
        if (!(await lockReferenced(trx, store, accountAuthId, kind, id, 'update')))
          return { kind: 'not_found' };
        const users = await findResourceUsers(trx, accountAuthId, kind, id);
        if (hasUsers(users)) return { kind: 'in_use', users };
        await deleteRow(trx, accountAuthId, kind, id);
        await bumpChangeVersion(trx);
        return { kind: 'ok' };
      });
    } catch (err) {
      if (attempt === 0 && isForeignKeyViolation(err)) continue;
      throw err;
    }
  }
}

export interface Reference {
  /** The API field that carries the id, for the error. */
  field: string;
  kind: ReferencedKind;
  id: string | null;
}

export type ReferenceProblem = { field: string; kind: ReferencedKind; id: string };

/**
 * The first reference that does not name an object of the account, or undefined when all do. The
 * objects found stay locked (FOR KEY SHARE on PostgreSQL) until the transaction ends, so they
 * cannot be deleted under the write that uses them.
 */
export async function findMissingReference(
  trx: Transaction<Database>,
  store: Store,
  accountAuthId: string,
  references: readonly Reference[],
): Promise<ReferenceProblem | undefined> {
  for (const ref of references) {
    if (ref.id === null) continue;
    if (!(await lockReferenced(trx, store, accountAuthId, ref.kind, ref.id, 'key share')))
      return { field: ref.field, kind: ref.kind, id: ref.id };
  }
  return undefined;
}

/**
 * Runs a write once more if it lost a race the locks do not cover: a generated id that already
 * exists, or a referenced row deleted by a writer that skipped the locks (the retry reports it).
 */
export async function retryWrite<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err) || isForeignKeyViolation(err)) return write();
    throw err;
  }
}
