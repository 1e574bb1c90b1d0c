// The encryption keys this process holds (config.secretKeys, from TRUNKGATE_SECRET_KEY(S)).
// The newest key (listed first) encrypts; every configured key decrypts, so older ciphertexts
// stay readable until `trunkgate keys rotate` has moved them to the newest key.
import type { SecretKey } from '../../config.ts';

export const SECRET_KEY_BYTES = 32;

export class Keyring {
  private readonly byId: ReadonlyMap<string, Buffer>;
  /** Key ids, newest first. */
  readonly ids: readonly string[];

  constructor(keys: readonly SecretKey[]) {
    const byId = new Map<string, Buffer>();
    for (const k of keys) {
      if (k.key.length !== SECRET_KEY_BYTES)
        throw new Error(`secret key "${k.id}" must be ${SECRET_KEY_BYTES} bytes, got ${k.key.length}`);
      if (byId.has(k.id)) throw new Error(`secret key id "${k.id}" is repeated`);
      byId.set(k.id, k.key);
    }
    this.byId = byId;
    this.ids = Object.freeze(keys.map((k) => k.id));
  }

  /** The key new ciphertexts are made with; undefined when no key is configured. */
  get current(): { id: string; key: Buffer } | undefined {
    const id = this.ids[0];
    if (id === undefined) return undefined;
    return { id, key: this.byId.get(id)! };
  }

  get isEmpty(): boolean {
    return this.ids.length === 0;
  }

  find(id: string): Buffer | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }
}
