// Digest hash functions (RFC 7616 §3.2, RFC 8760 §2) and HA1 precomputation (RFC 7616 §3.4.2).
//
// The API calls computeAllHa1() when a credential is created so the password itself is never
// stored: the SIP edge only ever needs HA1 = H(username ":" realm ":" password) per algorithm.
import { createHash } from 'node:crypto';

/** Algorithms we implement, strongest first (RFC 8760 §2.4: servers list the preferred one first). */
export const DIGEST_ALGORITHMS = ['SHA-512-256', 'SHA-256', 'MD5'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

export function isDigestAlgorithm(value: unknown): value is DigestAlgorithm {
  return value === 'MD5' || value === 'SHA-256' || value === 'SHA-512-256';
}

/**
 * Parse the `algorithm` parameter of a challenge or credentials. The IANA registry spells the names in
 * upper case, but RFC 3261 §25.1 `token` matching is customarily case-insensitive and real UAs send
 * `md5`, so accept any case. The `-sess` variants (RFC 7616 §3.4.2) are NOT supported and yield undefined.
 */
export function parseDigestAlgorithm(value: string): DigestAlgorithm | undefined {
  switch (value.length) {
    case 3:
      return value.toUpperCase() === 'MD5' ? 'MD5' : undefined;
    case 7:
      return value.toUpperCase() === 'SHA-256' ? 'SHA-256' : undefined;
    case 11:
      return value.toUpperCase() === 'SHA-512-256' ? 'SHA-512-256' : undefined;
    default:
      return undefined;
  }
}

/**
 * node:crypto name of each algorithm. 'sha512-256' is FIPS 180-4 SHA-512/256 (its own initial hash
 * values), which is what RFC 7616 §3.2 / RFC 8760 §2 mean — NOT the first 256 bits of SHA-512.
 */
export function nodeHashName(algorithm: DigestAlgorithm): 'md5' | 'sha256' | 'sha512-256' {
  switch (algorithm) {
    case 'MD5':
      return 'md5';
    case 'SHA-256':
      return 'sha256';
    case 'SHA-512-256':
      return 'sha512-256';
  }
}

/** Length of H(x) in lower-case hex: 32 for MD5, 64 for the SHA-2 family. */
export function digestHexLength(algorithm: DigestAlgorithm): 32 | 64 {
  return algorithm === 'MD5' ? 32 : 64;
}

/** H(data) as lower-case hex; strings are hashed as UTF-8 (RFC 7616 §4 / RFC 3261 is UTF-8 throughout). */
export function digestHex(algorithm: DigestAlgorithm, data: string): string {
  return createHash(nodeHashName(algorithm)).update(data, 'utf8').digest('hex');
}

/** HA1 = H(unq(username) ":" unq(realm) ":" passwd) — RFC 7616 §3.4.2, RFC 2617 §3.2.2.2. */
export function computeHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return digestHex(algorithm, `${username}:${realm}:${password}`);
}

/** HA1 for every algorithm, shaped like the credential row (ha1_md5, ha1_sha256, ha1_sha512_256). */
export interface Ha1Set {
  readonly md5: string;
  readonly sha256: string;
  readonly sha512_256: string;
}

export function computeAllHa1(username: string, realm: string, password: string): Ha1Set {
  return {
    md5: computeHa1('MD5', username, realm, password),
    sha256: computeHa1('SHA-256', username, realm, password),
    sha512_256: computeHa1('SHA-512-256', username, realm, password),
  };
}

/** Pick the HA1 for one algorithm out of a (possibly partial) set. */
export function ha1For(set: Partial<Ha1Set>, algorithm: DigestAlgorithm): string | undefined {
  switch (algorithm) {
    case 'MD5':
      return set.md5;
    case 'SHA-256':
      return set.sha256;
    case 'SHA-512-256':
      return set.sha512_256;
  }
}
