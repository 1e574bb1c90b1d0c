// The digest credentials the policy references, stored compactly: the three HA1s of a credential
// as 80 bytes in one shared Uint8Array (16 MD5 + 32 SHA-256 + 32 SHA-512-256), not three hex
// strings in a per-credential object. A million credentials cost 80 MB of bytes plus the id,
// username and realm strings.
import type { Ha1Set } from '../digest/digest-hash.ts';
import type { CredentialEntry } from './admission-target.ts';
import type { PolicyCredentialRow } from './policy-rows.ts';

const MD5 = 16;
const SHA = 32;
const RECORD = MD5 + SHA + SHA;

/** The HA1s of one credential, copied out of the table, hex-encoded only when asked for. */
class Ha1Bytes implements Ha1Set {
  constructor(private readonly bytes: Uint8Array) {}
  get md5(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, MD5).toString('hex');
  }
  get sha256(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + MD5, SHA).toString('hex');
  }
  get sha512_256(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + MD5 + SHA, SHA).toString('hex');
  }
}

function hexInto(out: Uint8Array, offset: number, hex: string, bytes: number): boolean {
  if (hex.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(hex)) return false;
  out.set(Buffer.from(hex, 'hex'), offset);
  return true;
}

export class CredentialTable {
  readonly #slot = new Map<string, number>();
  #account: string[] = [];
  #username: string[] = [];
  #realm: string[] = [];
  #ha1 = new Uint8Array(64 * RECORD);
  readonly #free: number[] = [];

  get size(): number {
    return this.#slot.size;
  }

  has(credentialUuid: string): boolean {
    return this.#slot.has(credentialUuid);
  }

  ids(): IterableIterator<string> {
    return this.#slot.keys();
  }

  /** Whether the row's HA1s are well-formed hex of the right lengths. */
  static valid(row: PolicyCredentialRow): boolean {
    const scratch = new Uint8Array(RECORD);
    return (
      hexInto(scratch, 0, row.ha1_md5, MD5) &&
      hexInto(scratch, MD5, row.ha1_sha256, SHA) &&
      hexInto(scratch, MD5 + SHA, row.ha1_sha512_256, SHA)
    );
  }

  /** Adds or replaces a credential; the caller has checked it with `valid`. */
  set(row: PolicyCredentialRow): void {
    let slot = this.#slot.get(row.credential_uuid);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#account.length;
      if ((slot + 1) * RECORD > this.#ha1.length) {
        const grown = new Uint8Array(this.#ha1.length * 2);
        grown.set(this.#ha1);
        this.#ha1 = grown;
      }
      this.#slot.set(row.credential_uuid, slot);
    }
    this.#account[slot] = row.account_auth_id;
    this.#username[slot] = row.username;
    this.#realm[slot] = row.realm;
    const at = slot * RECORD;
    hexInto(this.#ha1, at, row.ha1_md5, MD5);
    hexInto(this.#ha1, at + MD5, row.ha1_sha256, SHA);
    hexInto(this.#ha1, at + MD5 + SHA, row.ha1_sha512_256, SHA);
  }

  delete(credentialUuid: string): void {
    const slot = this.#slot.get(credentialUuid);
    if (slot === undefined) return;
    this.#slot.delete(credentialUuid);
    this.#account[slot] = '';
    this.#username[slot] = '';
    this.#realm[slot] = '';
    this.#ha1.fill(0, slot * RECORD, (slot + 1) * RECORD);
    this.#free.push(slot);
  }

  accountOf(credentialUuid: string): string | undefined {
    const slot = this.#slot.get(credentialUuid);
    return slot === undefined ? undefined : this.#account[slot];
  }

  /**
   * The credential as a value: its HA1 bytes are copied, so a later change to the table (a slot
   * freed and reused) can never show another credential's HA1 to a verification in flight.
   */
  get(credentialUuid: string): CredentialEntry | undefined {
    const slot = this.#slot.get(credentialUuid);
    if (slot === undefined) return undefined;
    return {
      credentialUuid,
      accountAuthId: this.#account[slot]!,
      username: this.#username[slot]!,
      realm: this.#realm[slot]!,
      ha1: new Ha1Bytes(this.#ha1.slice(slot * RECORD, (slot + 1) * RECORD)),
    };
  }

  /** Bytes held by the HA1 array, for the memory benchmark. */
  get typedArrayBytes(): number {
    return this.#ha1.byteLength;
  }
}
