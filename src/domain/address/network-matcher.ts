import { type IpNetwork, maxPrefix, normalizeNetwork } from './cidr.ts';
import { type IpAddress, isIpv4MappedWords } from './ip-address.ts';
import { PrefixTrie } from './prefix-trie.ts';

export interface NetworkMatch<T> {
  readonly network: IpNetwork;
  readonly value: T;
}

/**
 * Longest-prefix / any-match lookup of addresses against a set of IPv4 and IPv6 networks, each
 * carrying a value (an ACL entry id, a policy, `true`). One lookup walks a single trie path, so it
 * costs at most 33 (IPv4) or 129 (IPv6) node steps no matter how many networks are stored.
 *
 * Networks are canonicalised on the way in (host bits cleared, ::ffff:0:0/96 blocks stored as
 * IPv4) and IPv4-mapped IPv6 addresses are looked up as IPv4, matching `parseIp`. So an IPv4 peer
 * is matched only by IPv4 networks: ::/0 does not admit ::ffff:192.0.2.1.
 *
 * Memory: one 16-byte (IPv4) or 32-byte (IPv6) record per node, fewer than two nodes per network,
 * plus one array slot per node for the values, plus a jump table of up to 8 MiB per family once a
 * family holds thousands of networks. Not safe to share across worker threads.
 */
export class NetworkMatcher<T> {
  readonly #v4: PrefixTrie<T>;
  readonly #v6: PrefixTrie<T>;
  readonly #key4 = new Uint32Array(1);
  readonly #key6 = new Uint32Array(4);

  /**
   * `jumpMinNodes`: trie size from which lookups start at a jump table (see prefix-trie.ts);
   * the default suits production, tests lower it to exercise the table on small sets.
   */
  constructor(options: { readonly jumpMinNodes?: number } = {}) {
    this.#v4 = new PrefixTrie<T>(1, options.jumpMinNodes);
    this.#v6 = new PrefixTrie<T>(4, options.jumpMinNodes);
  }

  /** Number of distinct networks stored. */
  get size(): number {
    return this.#v4.size + this.#v6.size;
  }

  /** Adds or replaces the value for a network. Returns true when the network was not present. */
  insert(network: IpNetwork, value: T): boolean {
    const canonical = this.#load(network);
    return canonical.address.family === 4
      ? this.#v4.set(this.#key4, canonical.prefix, value)
      : this.#v6.set(this.#key6, canonical.prefix, value);
  }

  /** Removes a network (exact match, not the networks it contains). Returns true when it was present. */
  remove(network: IpNetwork): boolean {
    const canonical = this.#load(network);
    return canonical.address.family === 4
      ? this.#v4.delete(this.#key4, canonical.prefix)
      : this.#v6.delete(this.#key6, canonical.prefix);
  }

  /** The value stored for exactly this network. */
  get(network: IpNetwork): T | undefined {
    const canonical = this.#load(network);
    const trie = canonical.address.family === 4 ? this.#v4 : this.#v6;
    const key = canonical.address.family === 4 ? this.#key4 : this.#key6;
    const node = trie.findExact(key, canonical.prefix);
    return node === 0 ? undefined : trie.valueAt(node);
  }

  /** Whether exactly this network is stored. */
  has(network: IpNetwork): boolean {
    const canonical = this.#load(network);
    return canonical.address.family === 4
      ? this.#v4.findExact(this.#key4, canonical.prefix) !== 0
      : this.#v6.findExact(this.#key6, canonical.prefix) !== 0;
  }

  /** The value of the most specific stored network containing the address. */
  lookup(address: IpAddress): T | undefined {
    if (address.family === 4) return this.#v4.valueAt(this.#v4.longest32(address.value));
    const w = address.words;
    if (isIpv4MappedWords(w)) return this.#v4.valueAt(this.#v4.longest32(w[3]));
    return this.#v6.valueAt(this.#v6.longest128(w[0], w[1], w[2], w[3]));
  }

  /** Whether any stored network contains the address; cheaper than `lookup`. */
  contains(address: IpAddress): boolean {
    if (address.family === 4) return this.#v4.longest32(address.value, true) !== 0;
    const w = address.words;
    if (isIpv4MappedWords(w)) return this.#v4.longest32(w[3], true) !== 0;
    return this.#v6.longest128(w[0], w[1], w[2], w[3], true) !== 0;
  }

  /** Hot path for IPv4: `lookup` for an address given as an unsigned 32-bit integer. */
  lookupIpv4(value: number): T | undefined {
    return this.#v4.valueAt(this.#v4.longest32(value));
  }

  /** Hot path for IPv4: `contains` for an address given as an unsigned 32-bit integer. */
  containsIpv4(value: number): boolean {
    return this.#v4.longest32(value, true) !== 0;
  }

  /** Like `lookup`, also naming the network that matched (allocates; for logs and APIs). */
  match(address: IpAddress): NetworkMatch<T> | undefined {
    let node: number;
    if (address.family === 4 || isIpv4MappedWords(address.words)) {
      node = this.#v4.longest32(address.family === 4 ? address.value : address.words[3]);
      return node === 0 ? undefined : this.#entry4(node);
    }
    const w = address.words;
    node = this.#v6.longest128(w[0], w[1], w[2], w[3]);
    return node === 0 ? undefined : this.#entry6(node);
  }

  /**
   * Every stored network with its value: IPv4 first, each family in address order. A snapshot,
   * so changing the matcher while iterating is safe.
   */
  entries(): NetworkMatch<T>[] {
    const v4 = this.#v4.valueNodes().map((node) => this.#entry4(node));
    const v6 = this.#v6.valueNodes().map((node) => this.#entry6(node));
    return [...v4, ...v6];
  }

  /**
   * Re-lays the tries in depth-first order and drops records freed by `remove`, which makes deep
   * lookups in large tables markedly faster (see prefix-trie.ts). Growth does this as it goes;
   * call it after bulk-loading or bulk-removing entries.
   */
  compact(): void {
    this.#v4.compact();
    this.#v6.compact();
  }

  /**
   * Rebuilds lookup tables a change left stale (prefix-trie.ts builds them lazily on the next
   * lookup); call after a batch of changes to keep that cost off the next lookup.
   */
  prepare(): void {
    this.#v4.prepare();
    this.#v6.prepare();
  }

  clear(): void {
    this.#v4.clear();
    this.#v6.clear();
  }

  /** Typed-array bytes and node counts, for capacity planning and the memory benchmark. */
  stats(): { ipv4Nodes: number; ipv6Nodes: number; typedArrayBytes: number } {
    return {
      ipv4Nodes: this.#v4.nodeCount,
      ipv6Nodes: this.#v6.nodeCount,
      typedArrayBytes: this.#v4.typedArrayBytes + this.#v6.typedArrayBytes,
    };
  }

  // -------------------------------------------------------------------------------------------

  /** Validates and canonicalises a network and writes its key into the scratch words. */
  #load(network: IpNetwork): IpNetwork {
    const { address, prefix } = network;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix(address.family)) {
      // An IpNetwork comes from the parsers, so a bad prefix here is a programming error.
      throw new RangeError(`invalid prefix length ${prefix} for IPv${address.family}`);
    }
    const canonical = normalizeNetwork(network);
    if (canonical.address.family === 4) {
      this.#key4[0] = canonical.address.value;
    } else {
      this.#key6.set(canonical.address.words);
    }
    return canonical;
  }

  #entry4(node: number): NetworkMatch<T> {
    const key = new Uint32Array(1);
    const prefix = this.#v4.prefixAt(node, key);
    return {
      network: { address: { family: 4, value: key[0]! }, prefix },
      value: this.#v4.valueAt(node) as T,
    };
  }

  #entry6(node: number): NetworkMatch<T> {
    const key = new Uint32Array(4);
    const prefix = this.#v6.prefixAt(node, key);
    return {
      network: { address: { family: 6, words: [key[0]!, key[1]!, key[2]!, key[3]!] }, prefix },
      value: this.#v6.valueAt(node) as T,
    };
  }
}
