// Registrar bindings (RFC 3261 §10.3) shared by every edge thread: one record per address-of-record
// holding up to `maxBindings` contacts, each with its expiry and up to CONTACT_BYTES bytes of URI.
// setBinding() with 0 seconds removes a contact (§10.2.2); a new contact beyond maxBindings is refused
// as a value and a refresh always succeeds; a contact longer than CONTACT_BYTES is refused as a value
// (`contact_too_long`). An AoR record expires with its last binding; a full bucket overwrites the AoR
// whose bindings all expire first. Contacts are listed in the order they were first bound.
import { KEY_WORDS, type SharedTable, type TableSpec } from './shared-table.ts';

export interface Binding {
  contact: string;
  /** Seconds until the binding expires (≥ 1 while live). */
  expiresSeconds: number;
}

export type SetBindingResult =
  | { kind: 'ok'; bindings: Binding[] }
  | { kind: 'too_many_bindings'; max: number; bindings: Binding[] }
  | { kind: 'contact_too_long'; max: number; bindings: Binding[] };

export const DEFAULT_MAX_BINDINGS_PER_AOR = 10;
export const CONTACT_BYTES = 256;

/** Payload per contact: expiresAt, byte length, first-bound order. */
const PER = 3;

export function bindingTableSpec(buckets: number, maxBindings = DEFAULT_MAX_BINDINGS_PER_AOR): TableSpec {
  return { buckets, ways: 4, words: 1 + PER * maxBindings, bytes: CONTACT_BYTES * maxBindings };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const scratch = new Uint8Array(CONTACT_BYTES);

export class BindingTable {
  readonly maxBindings: number;

  constructor(
    private readonly table: SharedTable,
    private readonly now: () => number = Date.now,
  ) {
    this.maxBindings = (table.spec.words - 1) / PER;
  }

  setBinding(aor: string, contact: string, expiresSeconds: number): SetBindingResult {
    if (!(Number.isInteger(expiresSeconds) && expiresSeconds >= 0 && expiresSeconds <= 2 ** 31 - 1))
      throw new RangeError(`expiresSeconds must be a whole number from 0 to 2^31-1, got ${expiresSeconds}`);
    const enc = encoder.encodeInto(contact, scratch);
    const now = this.now();
    const t = this.table;
    const b = t.bucketOf(aor);
    t.lock(b);
    try {
      let base = t.find(b, now);
      if (enc.read < contact.length) {
        return {
          kind: 'contact_too_long',
          max: CONTACT_BYTES,
          bindings: base < 0 ? [] : this.list(base, now),
        };
      }
      if (base < 0) {
        if (expiresSeconds === 0) return { kind: 'ok', bindings: [] };
        base = t.claim(b, now);
      }
      const f = t.f64;
      const p = base + KEY_WORDS;
      const bytes = t.slotOf(base) * t.bytesPerSlot;
      let at = -1;
      let free = -1;
      for (let i = 0; i < this.maxBindings; i++) {
        const c = p + 1 + PER * i;
        if (f[c]! <= now) {
          if (free < 0) free = i;
          continue;
        }
        if (f[c + 1] === enc.written && sameBytes(t.u8, bytes + i * CONTACT_BYTES, enc.written)) at = i;
      }
      if (at < 0 && expiresSeconds > 0) {
        if (free < 0)
          return { kind: 'too_many_bindings', max: this.maxBindings, bindings: this.list(base, now) };
        at = free;
        const c = p + 1 + PER * at;
        f[c + 1] = enc.written;
        f[c + 2] = ++f[p]!; // first-bound order
        t.u8.set(scratch.subarray(0, enc.written), bytes + at * CONTACT_BYTES);
      }
      if (at >= 0) f[p + 1 + PER * at] = expiresSeconds === 0 ? 0 : now + expiresSeconds * 1000;
      let last = 0;
      for (let i = 0; i < this.maxBindings; i++) last = Math.max(last, f[p + 1 + PER * i]!);
      f[base + 2] = last;
      return { kind: 'ok', bindings: this.list(base, now) };
    } finally {
      t.unlock(b);
    }
  }

  getBindings(aor: string): Binding[] {
    const now = this.now();
    const t = this.table;
    const b = t.bucketOf(aor);
    t.lock(b);
    const base = t.find(b, now);
    const r = base < 0 ? [] : this.list(base, now);
    t.unlock(b);
    return r;
  }

  removeAll(aor: string): void {
    const now = this.now();
    const t = this.table;
    const b = t.bucketOf(aor);
    t.lock(b);
    const base = t.find(b, now);
    if (base >= 0) t.f64[base + 2] = 0;
    t.unlock(b);
  }

  /** Live bindings of the record at `base` (its bucket locked), in first-bound order. */
  private list(base: number, now: number): Binding[] {
    const t = this.table;
    const f = t.f64;
    const p = base + KEY_WORDS;
    const bytes = t.slotOf(base) * t.bytesPerSlot;
    const live: Array<Binding & { order: number }> = [];
    for (let i = 0; i < this.maxBindings; i++) {
      const c = p + 1 + PER * i;
      const expiresAt = f[c]!;
      if (expiresAt <= now) continue;
      const start = bytes + i * CONTACT_BYTES;
      live.push({
        contact: decoder.decode(t.u8.slice(start, start + f[c + 1]!)),
        expiresSeconds: Math.ceil((expiresAt - now) / 1000),
        order: f[c + 2]!,
      });
    }
    live.sort((a, c) => a.order - c.order);
    return live.map(({ contact, expiresSeconds }) => ({ contact, expiresSeconds }));
  }
}

function sameBytes(u8: Uint8Array, start: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (u8[start + i] !== scratch[i]) return false;
  return true;
}
