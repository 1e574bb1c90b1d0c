import { isToken } from './char-classes.ts';
import { canonicalHeaderName, headerKey } from './header-names.ts';

/** One header field line as received (after unfolding, RFC 3261 §7.3.1). */
export interface SipHeader {
  /** Canonical long form, e.g. `Via` for `v` or `VIA`. */
  readonly name: string;
  /** The name exactly as it appeared on the wire. */
  readonly rawName: string;
  /** The raw value after unfolding, leading/trailing SP/HTAB removed. */
  readonly value: string;
}

/**
 * Ordered header list with fast case-insensitive, compact-form-aware lookup, plus a per-header
 * memo for lazily parsed values. Mutations drop the memo of the header they touch.
 */
export class SipHeaders implements Iterable<SipHeader> {
  readonly #list: SipHeader[];
  readonly #index = new Map<string, SipHeader[]>();
  readonly #memo = new Map<string, Map<string, unknown>>();

  constructor(headers: Iterable<SipHeader> = []) {
    this.#list = [];
    for (const h of headers) this.#push(h);
  }

  /** Builds a header from a name (any case or compact form) and a value. Throws on CR/LF or a non-token name. */
  static field(name: string, value: string): SipHeader {
    if (!isToken(name)) throw new RangeError(`invalid header name: ${JSON.stringify(name)}`);
    if (value.includes('\r') || value.includes('\n')) {
      throw new RangeError(`header value contains CR or LF: ${JSON.stringify(name)}`);
    }
    return { name: canonicalHeaderName(name), rawName: name, value };
  }

  get size(): number {
    return this.#list.length;
  }

  [Symbol.iterator](): Iterator<SipHeader> {
    return this.#list[Symbol.iterator]();
  }

  /** All header fields in arrival order. */
  list(): readonly SipHeader[] {
    return this.#list;
  }

  /** First value of a header (name case-insensitive; compact forms accepted). */
  get(name: string): string | undefined {
    return this.#index.get(headerKey(name))?.[0]?.value;
  }

  /** Every value of a header, one per header field line, in order. */
  getAll(name: string): string[] {
    const found = this.#index.get(headerKey(name));
    if (found === undefined) return [];
    const out = new Array<string>(found.length);
    for (let i = 0; i < found.length; i++) out[i] = found[i]!.value;
    return out;
  }

  has(name: string): boolean {
    return this.#index.has(headerKey(name));
  }

  /** Number of header field lines with this name. */
  count(name: string): number {
    return this.#index.get(headerKey(name))?.length ?? 0;
  }

  append(name: string, value: string): void {
    this.#push(SipHeaders.field(name, value));
  }

  /** Inserts before the first field of the same name (e.g. a proxy's Via, RFC 3261 §16.6 step 8), else at the end. */
  prepend(name: string, value: string): void {
    const h = SipHeaders.field(name, value);
    const key = headerKey(name);
    const existing = this.#index.get(key);
    if (existing === undefined || existing.length === 0) {
      this.#push(h);
      return;
    }
    this.#list.splice(this.#list.indexOf(existing[0]!), 0, h);
    existing.unshift(h);
    this.#memo.delete(key);
  }

  /** Replaces every field of this name by one field (placed where the first one was). */
  set(name: string, value: string): void {
    const h = SipHeaders.field(name, value);
    const key = headerKey(name);
    const existing = this.#index.get(key);
    if (existing === undefined || existing.length === 0) {
      this.#push(h);
      return;
    }
    const at = this.#list.indexOf(existing[0]!);
    this.#list[at] = h;
    for (let i = 1; i < existing.length; i++) {
      const j = this.#list.indexOf(existing[i]!);
      if (j >= 0) this.#list.splice(j, 1);
    }
    this.#index.set(key, [h]);
    this.#memo.delete(key);
  }

  /** Removes the first field of this name (e.g. the topmost Via of a response, RFC 3261 §16.7 step 3). */
  removeFirst(name: string): boolean {
    const key = headerKey(name);
    const existing = this.#index.get(key);
    if (existing === undefined || existing.length === 0) return false;
    const first = existing.shift()!;
    if (existing.length === 0) this.#index.delete(key);
    this.#list.splice(this.#list.indexOf(first), 1);
    this.#memo.delete(key);
    return true;
  }

  /** Removes every field of this name; returns how many were removed. */
  delete(name: string): number {
    const key = headerKey(name);
    const existing = this.#index.get(key);
    if (existing === undefined) return 0;
    this.#index.delete(key);
    this.#memo.delete(key);
    const drop = new Set<SipHeader>(existing);
    let w = 0;
    for (let r = 0; r < this.#list.length; r++) {
      const h = this.#list[r]!;
      if (!drop.has(h)) this.#list[w++] = h;
    }
    this.#list.length = w;
    return existing.length;
  }

  /**
   * Memoized parse of a header: `compute` runs once per (`name`, `slot`) until a field of `name`
   * is mutated. Used by the lazy accessors (getVias, getCSeq, ...).
   */
  memo<T>(name: string, slot: string, compute: () => T): T {
    const key = headerKey(name);
    let slots = this.#memo.get(key);
    if (slots === undefined) {
      slots = new Map();
      this.#memo.set(key, slots);
    } else if (slots.has(slot)) {
      return slots.get(slot) as T;
    }
    const value = compute();
    slots.set(slot, value);
    return value;
  }

  #push(h: SipHeader): void {
    const key = headerKey(h.name);
    this.#list.push(h);
    const existing = this.#index.get(key);
    if (existing === undefined) this.#index.set(key, [h]);
    else existing.push(h);
    this.#memo.delete(key);
  }
}
