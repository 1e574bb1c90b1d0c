// Loads the edge's policy table (src/domain/policy/policy-table.ts) from the store, whole at start,
// then by deltas: the policy repository reads what the change log names since the table's
// version, and the table replaces only those pieces.
import { PolicyTable } from '../../domain/policy/policy-table.ts';
import type { Store } from '../../store/database.ts';
import { PolicyRepository } from '../../store/repositories/policy-repository.ts';

export async function readChangeVersion(store: Store): Promise<number> {
  return new PolicyRepository(store).version();
}

/** A full load, applied in parts so that the rows of a million ACL entries never sit in memory at once. */
export async function loadPolicy(store: Store, sipDomain: string): Promise<PolicyTable> {
  const table = PolicyTable.empty(sipDomain);
  await new PolicyRepository(store).loadInParts((part) => table.apply(part));
  table.compact();
  return table;
}

export type PolicyRefresh =
  | { readonly kind: 'current' }
  | { readonly kind: 'delta'; readonly changes: number }
  /** The change log could not say what changed: a new table was built. */
  | { readonly kind: 'full'; readonly table: PolicyTable };

/**
 * Brings `table` up to the store's version: in place when the change log covers the gap,
 * otherwise by building a new table (returned; the caller swaps it in).
 */
export async function refreshPolicy(store: Store, table: PolicyTable): Promise<PolicyRefresh> {
  const read = await new PolicyRepository(store).loadChanges(table.version);
  switch (read.kind) {
    case 'current':
      return { kind: 'current' };
    case 'full':
      return { kind: 'full', table: await loadPolicy(store, table.sipDomain) };
    case 'delta': {
      table.apply(read.delta);
      const c = read.delta.changed;
      const changes =
        c.trunks.length +
        c.applications.length +
        c.accounts.length +
        c.acls.length +
        c.credentials.length +
        c.uris.length;
      return { kind: 'delta', changes };
    }
  }
}
