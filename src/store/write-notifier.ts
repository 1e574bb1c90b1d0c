// Tells in-process caches that this process wrote to the store: a Kysely plugin that sees every
// insert, update and delete once it has executed (for a write outside a transaction: once it is
// committed), and src/store/transaction.ts calls notify() again after each commit, so a cache
// that reloaded between a write and its commit drops that load too. Other processes' writes are
// seen through the change version instead.
import {
  ColumnNode,
  DeleteQueryNode,
  InsertQueryNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  UpdateQueryNode,
} from 'kysely';

export type WriteListener = () => void;

export class WriteNotifier implements KyselyPlugin {
  readonly #listeners: WriteListener[] = [];
  readonly #writes = new WeakMap<QueryId, true>();

  subscribe(listener: WriteListener): void {
    this.#listeners.push(listener);
  }

  notify(): void {
    for (const l of this.#listeners) l();
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const n = args.node;
    if (InsertQueryNode.is(n) || DeleteQueryNode.is(n) || (UpdateQueryNode.is(n) && !isBookkeeping(n)))
      this.#writes.set(args.queryId, true);
    return n;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.#writes.has(args.queryId)) this.notify();
    return args.result;
  }
}

/**
 * Recording when an API key was last used (src/store/repositories/api-key-repository.ts, touch)
 * changes nothing any cache holds; it happens on requests, and must not empty the caches each time.
 */
function isBookkeeping(node: UpdateQueryNode): boolean {
  const columns = (node.updates ?? []).map((u) => (ColumnNode.is(u.column) ? u.column.column.name : ''));
  return columns.length === 1 && columns[0] === 'last_used_at';
}
