// Authenticated encryption of stored secrets (docs/architecture.md "Secrets"): AES-256-GCM (NIST SP 800-38D)
// with a fresh random 96-bit nonce per value and a 128-bit tag. The associated data binds the
// ciphertext to where it lives (purpose, e.g. the column, and the owning row's ids) and to its key
// id, so a ciphertext copied to another row, column or key id fails to open.
//
// Sealed form, one text value: `v1.<keyId>.<nonce>.<ciphertext‖tag>` (base64url, no padding).
// Opening is fail-closed: any malformed, unknown-key or tampered value is an outcome, never a
// plaintext, and no outcome carries key material or ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const B64URL_RE = /^[A-Za-z0-9_-]+$/;
const KEY_ID_RE = /^[A-Za-z0-9._-]{1,32}$/;

/** Where a secret is stored: the purpose (e.g. `provider_credentials.auth_password`) and the row's ids. */
export interface SecretContext {
  purpose: string;
  ids: readonly string[];
}

export type OpenOutcome =
  | { kind: 'ok'; plaintext: string; keyId: string }
  /** The value is not a v1 sealed secret (truncated, wrong version, bad encoding, bad lengths). */
  | { kind: 'malformed' }
  /** Sealed under a key id this process does not hold. */
  | { kind: 'unknown_key'; keyId: string }
  /** The tag did not verify: wrong key, altered bytes or another row's/purpose's ciphertext. */
  | { kind: 'authentication_failed'; keyId: string };

export interface ParsedSealed {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export class NoEncryptionKeyError extends Error {
  constructor() {
    super('no encryption key is configured (TRUNKGATE_SECRET_KEY or TRUNKGATE_SECRET_KEYS)');
    this.name = 'NoEncryptionKeyError';
  }
}

/** The associated data: unambiguous (JSON array) and covering the key id and format version. */
function associatedData(keyId: string, context: SecretContext): Buffer {
  return Buffer.from(JSON.stringify(['trunkgate', VERSION, keyId, context.purpose, ...context.ids]), 'utf8');
}

/** Splits a sealed value; key ids may contain dots, the base64url parts never do. */
export function parseSealed(sealed: string): ParsedSealed | undefined {
  const parts = sealed.split('.');
  if (parts.length < 4 || parts[0] !== VERSION) return undefined;
  const keyId = parts.slice(1, -2).join('.');
  const nonceText = parts[parts.length - 2]!;
  const bodyText = parts[parts.length - 1]!;
  if (!KEY_ID_RE.test(keyId) || !B64URL_RE.test(nonceText) || !B64URL_RE.test(bodyText)) return undefined;
  const nonce = Buffer.from(nonceText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  // Re-encoding must give the same text, so there is exactly one spelling of every sealed value.
  if (nonce.toString('base64url') !== nonceText || body.toString('base64url') !== bodyText) return undefined;
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) return undefined;
  return {
    keyId,
    nonce,
    ciphertext: body.subarray(0, body.length - TAG_BYTES),
    tag: body.subarray(body.length - TAG_BYTES),
  };
}

export function formatSealed(p: ParsedSealed): string {
  return `${VERSION}.${p.keyId}.${p.nonce.toString('base64url')}.${Buffer.concat([p.ciphertext, p.tag]).toString('base64url')}`;
}

/** The key id a sealed value names, or undefined when it is not one. */
export function sealedKeyId(sealed: string): string | undefined {
  return parseSealed(sealed)?.keyId;
}

export class SecretBox {
  constructor(readonly keyring: Keyring) {}

  /** False when no key is configured: callers refuse to store secrets rather than store them weakly. */
  get canSeal(): boolean {
    return !this.keyring.isEmpty;
  }

  /** The id of the key that seal() uses now. */
  get currentKeyId(): string | undefined {
    return this.keyring.current?.id;
  }

  /** Encrypts under the newest key. Throws NoEncryptionKeyError when none is configured. */
  seal(plaintext: string, context: SecretContext): string {
    const current = this.keyring.current;
    if (current === undefined) throw new NoEncryptionKeyError();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, current.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(current.id, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return formatSealed({ keyId: current.id, nonce, ciphertext, tag: cipher.getAuthTag() });
  }

  open(sealed: string, context: SecretContext): OpenOutcome {
    const parsed = parseSealed(sealed);
    if (parsed === undefined) return { kind: 'malformed' };
    const key = this.keyring.find(parsed.keyId);
    if (key === undefined) return { kind: 'unknown_key', keyId: parsed.keyId };
    try {
      // authTagLength pins the tag to 16 bytes: without it Node accepts a truncated tag.
      const decipher = createDecipheriv(ALGORITHM, key, parsed.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(parsed.keyId, context));
      decipher.setAuthTag(parsed.tag);
      const plain = Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
      // fatal: a value that is not UTF-8 cannot be one we sealed.
      const plaintext = new TextDecoder('utf-8', { fatal: true }).decode(plain);
      return { kind: 'ok', plaintext, keyId: parsed.keyId };
    } catch {
      return { kind: 'authentication_failed', keyId: parsed.keyId };
    }
  }

  /**
   * Re-encrypts under the newest key (key rotation). Returns the open failure when the value
   * cannot be opened, or `unchanged` when it is already under the newest key.
   */
  reseal(
    sealed: string,
    context: SecretContext,
  ):
    | { kind: 'resealed'; sealed: string; fromKeyId: string }
    | { kind: 'unchanged' }
    | Exclude<OpenOutcome, { kind: 'ok' }> {
    const opened = this.open(sealed, context);
    if (opened.kind !== 'ok') return opened;
    if (opened.keyId === this.currentKeyId) return { kind: 'unchanged' };
    return { kind: 'resealed', sealed: this.seal(opened.plaintext, context), fromKeyId: opened.keyId };
  }
}
