// One IP ACL compiled into a NetworkMatcher (typed-array trie, src/domain/address/prefix-trie.ts).
// Its contents are replaced in place when the ACL changes, so every trunk and application that
// holds it sees the change without being rebuilt.
import { formatCidr, type IpAddress, type IpNetwork, NetworkMatcher } from '../address/index.ts';
import type { AclPolicy } from './admission-target.ts';

export interface ParsedAclEntry {
  readonly entryId: string;
  readonly network: IpNetwork;
}

export class CompiledAcl implements AclPolicy {
  #matcher = new NetworkMatcher<string>();

  constructor(readonly ipAclUuid: string) {}

  get size(): number {
    return this.#matcher.size;
  }

  contains(address: IpAddress): boolean {
    return this.#matcher.contains(address);
  }

  lookup(address: IpAddress): string | undefined {
    return this.#matcher.lookup(address);
  }

  networks(): string[] {
    return this.#matcher.entries().map((e) => formatCidr(e.network));
  }

  /** Entries with their ids, in `networks()` order. */
  entries(): ParsedAclEntry[] {
    return this.#matcher.entries().map((e) => ({ entryId: e.value, network: e.network }));
  }

  /**
   * Swaps in new contents; returns the networks it held before. The new matcher is built aside
   * and swapped in one assignment, so a lookup never sees a half-built trie.
   */
  replace(entries: readonly ParsedAclEntry[]): IpNetwork[] {
    const before = this.#matcher.entries().map((e) => e.network);
    const next = new NetworkMatcher<string>();
    // First entry wins for a repeated network (the store's unique key makes that impossible).
    for (const e of entries) if (!next.has(e.network)) next.insert(e.network, e.entryId);
    this.#matcher = next;
    return before;
  }
}

/** What a required ACL that does not exist compiles to: admits no address. */
export const MISSING_ACL: AclPolicy = Object.freeze({
  ipAclUuid: '',
  size: 0,
  contains: () => false,
  lookup: () => undefined,
  networks: () => [],
});
