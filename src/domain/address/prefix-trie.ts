/**
 * Path-compressed binary (PATRICIA-style) trie over bit-string prefixes of 32 or 128 bits, stored
 * in one Int32Array instead of one JS object per node, so a million prefixes cost tens of
 * megabytes and the GC has nothing to trace.
 *
 * Every node holds a prefix (key bits + length). A child's prefix extends its parent's, and the
 * child sits on side `bit[parent.length]` of its key. Nodes without a value ("glue") exist only
 * where two prefixes diverge, so they always have two children; n prefixes need fewer than 2n
 * nodes. A lookup follows one root-to-leaf path, at most 33 (IPv4) or 129 (IPv6) nodes whatever
 * the number of entries, and stops at the first node whose prefix the address does not match.
 *
 * Layout: a node is a record of STRIDE int32 slots at offset p = index * STRIDE:
 *   [key words (1 or 4)] [meta = length | HAS_VALUE] [child for bit 0] [child for bit 1] (+ pad)
 * Children are stored as record offsets, not indexes, to save a multiply per step, and a whole
 * record sits in one cache line (16 or 32 bytes), so each step of a lookup is one memory access.
 * Offset 0 is never a node, so 0 means "no child".
 *
 * Jump table (a multibit first level): in a large trie the first ~20 steps of every lookup each
 * miss the cache. Once the trie holds JUMP_MIN_NODES nodes, a lookup starts from a table indexed by
 * the address's top `k` bits (k grows with the trie, JUMP_MIN_BITS..JUMP_MAX_BITS) holding, per
 * slot, the longest stored prefix of length < k covering the slot and the first node deeper than
 * that to continue from. One access replaces the top of the walk; what remains is a short walk in
 * a subtree that the pre-order layout keeps contiguous. The table is rebuilt lazily after a change
 * (one pass over the top of the trie plus 2^k slots).
 */

const NIL = 0;
const HAS_VALUE = 0x100;
const LENGTH_MASK = 0xff;

/** MASK[n] keeps the top n bits of a 32-bit word; int32 so that `x & MASK[n]` stays an int32. */
const MASK = new Int32Array(33);
for (let n = 1; n <= 32; n++) MASK[n] = -1 << (32 - n);

const INITIAL_CAPACITY = 16;
/** Below this many nodes the whole trie stays in cache and a table would not pay for itself. */
const JUMP_MIN_NODES = 4096;
const JUMP_MIN_BITS = 10;
const JUMP_MAX_BITS = 20;

export class PrefixTrie<T> {
  /** 32-bit words per key: 1 for IPv4, 4 for IPv6. */
  readonly #width: number;
  /** Int32 slots per node record: 4 for IPv4 (16 bytes), 8 for IPv6 (32 bytes). */
  readonly #stride: number;
  /** log2(stride), to turn an offset into an index for #values. */
  readonly #shift: number;
  #capacity = INITIAL_CAPACITY;
  #nodes: Int32Array;
  #values: (T | undefined)[] = [undefined];
  #root = NIL;
  /** First never-used node index; freed records are chained through their bit-0 child slot. */
  #next = 1;
  #free = NIL;
  #freeCount = 0;
  #size = 0;
  /** Pairs [best node, continue-from node] per slot of the top `#jumpBits` bits; null: none. */
  #jump: Int32Array | null = null;
  /** The last table, reused by the next rebuild when its size fits. */
  #jumpSpare: Int32Array | null = null;
  /** Slots start after the root's prefix: its length, mask and first key word. */
  #jumpBase = 0;
  #jumpMask = 0;
  #jumpKey = 0;
  #jumpShift = 32;
  #jumpDirty = true;

  readonly #jumpMinNodes: number;

  /** `jumpMinNodes`: node count from which lookups use the jump table (tests lower it). */
  constructor(width: 1 | 4, jumpMinNodes = JUMP_MIN_NODES) {
    this.#jumpMinNodes = jumpMinNodes;
    this.#width = width;
    this.#stride = width === 1 ? 4 : 8;
    this.#shift = width === 1 ? 2 : 3;
    this.#nodes = new Int32Array(INITIAL_CAPACITY * this.#stride);
  }

  /** Number of stored prefixes (glue nodes excluded). */
  get size(): number {
    return this.#size;
  }

  /** Nodes in use, including glue; for memory reporting. */
  get nodeCount(): number {
    return this.#next - 1 - this.#freeCount;
  }

  /** Bytes held by the node array and the jump table (the values array is extra). */
  get typedArrayBytes(): number {
    return this.#nodes.byteLength + (this.#jumpSpare?.byteLength ?? 0);
  }

  clear(): void {
    this.#capacity = INITIAL_CAPACITY;
    this.#nodes = new Int32Array(INITIAL_CAPACITY * this.#stride);
    this.#values = [undefined];
    this.#root = NIL;
    this.#next = 1;
    this.#free = NIL;
    this.#freeCount = 0;
    this.#size = 0;
    this.#jump = null;
    this.#jumpSpare = null;
    this.#jumpDirty = true;
  }

  /**
   * Stores `value` under the prefix (`key`, `length`), replacing any value already there. `key`
   * has `width` words; bits beyond `length` are ignored. Returns true when the prefix is new.
   */
  set(key: ArrayLike<number>, length: number, value: T): boolean {
    // An insert takes at most two records. Make room first: growing re-lays the array, which
    // would invalidate the offsets held during the walk below.
    if (this.#freeCount < 2 && this.#next + 2 > this.#capacity) this.#grow();
    this.#jumpDirty = true;
    if (this.#root === NIL) {
      this.#root = this.#newNode(key, length, true, value);
      this.#size++;
      return true;
    }
    const w = this.#width;
    let parent = NIL;
    let side = 0;
    let node = this.#root;
    for (;;) {
      const meta = this.#nodes[node + w]!;
      const nodeLength = meta & LENGTH_MASK;
      const common = this.#commonLength(node, key, Math.min(length, nodeLength));
      if (common === nodeLength) {
        if (length === nodeLength) {
          const added = (meta & HAS_VALUE) === 0;
          this.#nodes[node + w] = nodeLength | HAS_VALUE;
          this.#values[node >> this.#shift] = value;
          if (added) this.#size++;
          return added;
        }
        const bit = keyBit(key, nodeLength);
        const child = this.#nodes[node + w + 1 + bit]!;
        if (child === NIL) {
          const leaf = this.#newNode(key, length, true, value);
          this.#nodes[node + w + 1 + bit] = leaf;
          this.#size++;
          return true;
        }
        parent = node;
        side = bit;
        node = child;
        continue;
      }
      // The new prefix leaves the path inside this node's prefix: either it is a proper prefix of
      // the node (it becomes the node's parent) or the two diverge (a glue node takes both).
      let replacement: number;
      if (common === length) {
        replacement = this.#newNode(key, length, true, value);
        this.#nodes[replacement + w + 1 + this.#nodeBit(node, length)] = node;
      } else {
        replacement = this.#newNode(key, common, false, undefined);
        const leaf = this.#newNode(key, length, true, value);
        this.#nodes[replacement + w + 1 + keyBit(key, common)] = leaf;
        this.#nodes[replacement + w + 1 + this.#nodeBit(node, common)] = node;
      }
      this.#link(parent, side, replacement);
      this.#size++;
      return true;
    }
  }

  /** Removes the exact prefix; returns false when it was not stored. */
  delete(key: ArrayLike<number>, length: number): boolean {
    const nodes = this.#nodes;
    const w = this.#width;
    let grandparent = NIL;
    let parentSide = 0;
    let parent = NIL;
    let side = 0;
    let node = this.#root;
    while (node !== NIL) {
      const nodeLength = nodes[node + w]! & LENGTH_MASK;
      if (nodeLength > length || this.#commonLength(node, key, nodeLength) < nodeLength) return false;
      if (nodeLength === length) break;
      grandparent = parent;
      parentSide = side;
      parent = node;
      side = keyBit(key, nodeLength);
      node = nodes[node + w + 1 + side]!;
    }
    if (node === NIL || (nodes[node + w]! & HAS_VALUE) === 0) return false;
    this.#jumpDirty = true;
    nodes[node + w] = nodes[node + w]! & LENGTH_MASK;
    this.#values[node >> this.#shift] = undefined;
    this.#size--;
    const zero = nodes[node + w + 1]!;
    const one = nodes[node + w + 2]!;
    if (zero !== NIL && one !== NIL) return true; // still needed as glue
    if (zero !== NIL || one !== NIL) {
      this.#link(parent, side, zero !== NIL ? zero : one);
      this.#release(node);
      return true;
    }
    this.#link(parent, side, NIL);
    this.#release(node);
    // A glue parent now has a single child and is no longer a branch point: splice it out.
    if (parent !== NIL && (nodes[parent + w]! & HAS_VALUE) === 0) {
      this.#link(grandparent, parentSide, nodes[parent + w + 1 + (1 - side)]!);
      this.#release(parent);
    }
    return true;
  }

  /** Node holding exactly this prefix with a value, or 0. */
  findExact(key: ArrayLike<number>, length: number): number {
    const nodes = this.#nodes;
    const w = this.#width;
    let node = this.#root;
    while (node !== NIL) {
      const meta = nodes[node + w]!;
      const nodeLength = meta & LENGTH_MASK;
      if (nodeLength > length || this.#commonLength(node, key, nodeLength) < nodeLength) return NIL;
      if (nodeLength === length) return (meta & HAS_VALUE) !== 0 ? node : NIL;
      node = nodes[node + w + 1 + keyBit(key, nodeLength)]!;
    }
    return NIL;
  }

  /**
   * Longest stored prefix of a 32-bit key (width 1 only): its node, or 0 for none. With
   * `firstOnly` it stops at the first (shortest) match, for any-match checks.
   */
  longest32(address: number, firstOnly = false): number {
    if (this.#jumpDirty) this.#buildJump();
    const nodes = this.#nodes;
    let node = this.#root;
    let best = NIL;
    const jump = this.#jump;
    if (jump !== null) {
      // Outside the root's prefix nothing can match.
      if (((address ^ this.#jumpKey) & this.#jumpMask) !== 0) return NIL;
      const slot = ((address << this.#jumpBase) >>> this.#jumpShift) << 1;
      best = jump[slot]!;
      if (firstOnly && best !== NIL) return best;
      node = jump[slot + 1]!;
    }
    while (node !== NIL) {
      const meta = nodes[node + 1]!;
      const length = meta & LENGTH_MASK;
      if (((address ^ nodes[node]!) & MASK[length]!) !== 0) break;
      if ((meta & HAS_VALUE) !== 0) {
        best = node;
        if (firstOnly) break;
      }
      if (length === 32) break;
      node = nodes[node + 2 + ((address >>> (31 - length)) & 1)]!;
    }
    return best;
  }

  /** Longest stored prefix of a 128-bit key given as four words (width 4 only), or 0. */
  longest128(w0: number, w1: number, w2: number, w3: number, firstOnly = false): number {
    if (this.#jumpDirty) this.#buildJump();
    const nodes = this.#nodes;
    let node = this.#root;
    let best = NIL;
    const jump = this.#jump;
    if (jump !== null) {
      if (((w0 ^ this.#jumpKey) & this.#jumpMask) !== 0) return NIL;
      const slot = ((w0 << this.#jumpBase) >>> this.#jumpShift) << 1;
      best = jump[slot]!;
      if (firstOnly && best !== NIL) return best;
      node = jump[slot + 1]!;
    }
    while (node !== NIL) {
      const meta = nodes[node + 4]!;
      const length = meta & LENGTH_MASK;
      // Compare the node's prefix word by word; XOR so signed and unsigned spellings compare equal.
      if (length <= 32) {
        if (((w0 ^ nodes[node]!) & MASK[length]!) !== 0) break;
      } else if ((w0 ^ nodes[node]!) !== 0) {
        break;
      } else if (length <= 64) {
        if (((w1 ^ nodes[node + 1]!) & MASK[length - 32]!) !== 0) break;
      } else if ((w1 ^ nodes[node + 1]!) !== 0) {
        break;
      } else if (length <= 96) {
        if (((w2 ^ nodes[node + 2]!) & MASK[length - 64]!) !== 0) break;
      } else if ((w2 ^ nodes[node + 2]!) !== 0 || ((w3 ^ nodes[node + 3]!) & MASK[length - 96]!) !== 0) {
        break;
      }
      if ((meta & HAS_VALUE) !== 0) {
        best = node;
        if (firstOnly) break;
      }
      if (length === 128) break;
      const word = length < 64 ? (length < 32 ? w0 : w1) : length < 96 ? w2 : w3;
      node = nodes[node + 5 + ((word >>> (31 - (length & 31))) & 1)]!;
    }
    return best;
  }

  /** Builds the jump table now if a change left it stale, so the next lookup does not pay for it. */
  prepare(): void {
    if (this.#jumpDirty) this.#buildJump();
  }

  /** The value stored at a node returned by one of the lookups (undefined for 0). */
  valueAt(node: number): T | undefined {
    return this.#values[node >> this.#shift];
  }

  /** Copies the prefix of a node into `out` (width words, unsigned) and returns its length. */
  prefixAt(node: number, out: Uint32Array): number {
    for (let i = 0; i < this.#width; i++) out[i] = this.#nodes[node + i]!;
    return this.#nodes[node + this.#width]! & LENGTH_MASK;
  }

  /**
   * Nodes holding values, in key order (shorter prefixes before the ones they contain). A
   * snapshot: inserting may move nodes, so handles must be used before the next change.
   */
  valueNodes(): number[] {
    const w = this.#width;
    const nodes = this.#nodes;
    const found: number[] = [];
    const stack: number[] = [];
    if (this.#root !== NIL) stack.push(this.#root);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if ((nodes[node + w]! & HAS_VALUE) !== 0) found.push(node);
      const one = nodes[node + w + 2]!;
      const zero = nodes[node + w + 1]!;
      if (one !== NIL) stack.push(one);
      if (zero !== NIL) stack.push(zero);
    }
    return found;
  }

  // -------------------------------------------------------------------------------------------

  /** Rebuilds the jump table for the current nodes (see the file comment), or drops it. */
  #buildJump(): void {
    this.#jumpDirty = false;
    this.#jump = null;
    const count = this.nodeCount;
    const root = this.#root;
    if (count < this.#jumpMinNodes || root === NIL) return;
    const nodes = this.#nodes;
    const w = this.#width;
    // Slots index the bits right after the root's prefix, which every match shares (e.g. 2000::/3
    // for global IPv6): indexing from bit 0 would leave most slots unused.
    const base = nodes[root + w]! & LENGTH_MASK;
    const bits = Math.min(JUMP_MAX_BITS, 32 - base, Math.max(JUMP_MIN_BITS, 31 - Math.clz32(count) + 1));
    if (bits < 1) return;
    const size = 1 << bits;
    const jump = this.#jumpSpare?.length === size * 2 ? this.#jumpSpare.fill(0) : new Int32Array(size * 2);
    const limit = base + bits;
    // Pre-order, so a node's range is filled before its children overwrite parts of it.
    const stack = [root, NIL];
    while (stack.length > 0) {
      const bestAbove = stack.pop()!;
      const node = stack.pop()!;
      const meta = nodes[node + w]!;
      const length = meta & LENGTH_MASK;
      const top = (nodes[node]! << base) >>> (32 - bits);
      if (length >= limit) {
        // Nodes this deep sharing one slot all descend from this one: continue here.
        jump[(top << 1) + 1] = node;
        continue;
      }
      const best = (meta & HAS_VALUE) !== 0 ? node : bestAbove;
      const end = top + (1 << (limit - length));
      for (let slot = top; slot < end; slot++) {
        jump[slot << 1] = best;
        jump[(slot << 1) + 1] = NIL;
      }
      const zero = nodes[node + w + 1]!;
      const one = nodes[node + w + 2]!;
      if (one !== NIL) stack.push(one, best);
      if (zero !== NIL) stack.push(zero, best);
    }
    this.#jump = jump;
    this.#jumpSpare = jump;
    this.#jumpBase = base;
    this.#jumpMask = MASK[base]!;
    this.#jumpKey = nodes[root]!;
    this.#jumpShift = 32 - bits;
  }

  /** Length of the common prefix of a node's key and `key`, capped at `max`. */
  #commonLength(node: number, key: ArrayLike<number>, max: number): number {
    const nodes = this.#nodes;
    for (let i = 0; i * 32 < max; i++) {
      const diff = nodes[node + i]! ^ key[i]!;
      if (diff !== 0) return Math.min(i * 32 + Math.clz32(diff), max);
    }
    return max;
  }

  #nodeBit(node: number, bit: number): number {
    return (this.#nodes[node + (bit >>> 5)]! >>> (31 - (bit & 31))) & 1;
  }

  #link(parent: number, side: number, child: number): void {
    if (parent === NIL) this.#root = child;
    else this.#nodes[parent + this.#width + 1 + side] = child;
  }

  #newNode(key: ArrayLike<number>, length: number, hasValue: boolean, value: T | undefined): number {
    let node: number;
    if (this.#free !== NIL) {
      node = this.#free;
      this.#free = this.#nodes[node + this.#width + 1]!;
      this.#freeCount--;
    } else {
      if (this.#next === this.#capacity) throw new Error('PrefixTrie: set() did not reserve room');
      node = this.#next++ << this.#shift;
      this.#values.push(undefined);
    }
    const nodes = this.#nodes;
    for (let i = 0; i < this.#width; i++) {
      const bitsHere = length - i * 32;
      const word = key[i]! | 0;
      nodes[node + i] = bitsHere <= 0 ? 0 : bitsHere >= 32 ? word : word & MASK[bitsHere]!;
    }
    nodes[node + this.#width] = hasValue ? length | HAS_VALUE : length;
    nodes[node + this.#width + 1] = NIL;
    nodes[node + this.#width + 2] = NIL;
    this.#values[node >> this.#shift] = value;
    return node;
  }

  #release(node: number): void {
    const w = this.#width;
    this.#nodes[node + w] = 0;
    this.#nodes[node + w + 1] = this.#free;
    this.#nodes[node + w + 2] = NIL;
    this.#values[node >> this.#shift] = undefined;
    this.#free = node;
    this.#freeCount++;
  }

  #grow(): void {
    // Offsets are int32 and the IPv6 stride is 8, so stop well before 2^31 / 8 nodes.
    if (this.#capacity >= 1 << 27) throw new RangeError('PrefixTrie is full');
    this.#relayout(this.#capacity * 2);
  }

  /**
   * Rewrites the node array in depth-first (pre-order) order with no free records. Nodes are
   * otherwise placed in insertion order, so a lookup's path jumps around a large array and every
   * deep step is a cache and TLB miss; in pre-order a small subtree is contiguous, so the last
   * steps of a lookup stay within a few cache lines and one page. Runs on every growth (the copy
   * was needed anyway) and from `compact()`.
   */
  #relayout(capacity: number): void {
    const w = this.#width;
    const stride = this.#stride;
    const shift = this.#shift;
    const old = this.#nodes;
    const oldValues = this.#values;
    const nodes = new Int32Array(capacity * stride);
    const values: (T | undefined)[] = [undefined];
    let next = 1;
    let root = NIL;
    // Triples of (old node, new parent, side); the bit-0 child is pushed last so it is placed
    // right after its parent.
    const stack: number[] = [];
    if (this.#root !== NIL) stack.push(this.#root, NIL, 0);
    while (stack.length > 0) {
      const side = stack.pop()!;
      const parent = stack.pop()!;
      const source = stack.pop()!;
      const node = next++ << shift;
      for (let i = 0; i <= w; i++) nodes[node + i] = old[source + i]!;
      values.push(oldValues[source >> shift]);
      if (parent === NIL) root = node;
      else nodes[parent + w + 1 + side] = node;
      const one = old[source + w + 2]!;
      const zero = old[source + w + 1]!;
      if (one !== NIL) stack.push(one, node, 1);
      if (zero !== NIL) stack.push(zero, node, 0);
    }
    this.#nodes = nodes;
    this.#values = values;
    this.#root = root;
    this.#next = next;
    this.#free = NIL;
    this.#freeCount = 0;
    this.#capacity = capacity;
    this.#jumpDirty = true;
  }

  /**
   * Re-lays the trie for lookup speed and drops freed records. Worth calling after a bulk load
   * or many removals; node handles from earlier lookups become invalid.
   */
  compact(): void {
    let capacity = INITIAL_CAPACITY;
    while (capacity < this.#next - this.#freeCount + 1) capacity *= 2;
    this.#relayout(capacity);
  }
}

/** Bit `bit` (0 = most significant) of a multi-word key. */
function keyBit(key: ArrayLike<number>, bit: number): number {
  return (key[bit >>> 5]! >>> (31 - (bit & 31))) & 1;
}
