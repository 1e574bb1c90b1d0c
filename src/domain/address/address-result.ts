/**
 * Stable error codes for address parsing. API handlers map these to responses and the UI keys on
 * them, so never rename one; add a new code instead.
 */
export type AddressErrorCode =
  /** The text is not a single IPv4 or IPv6 literal (hostnames, ports, zones, brackets, typos). */
  | 'invalid_ip'
  /** The prefix length is not a plain integer, or is outside 0–32 (IPv4) / 0–128 (IPv6). */
  | 'invalid_cidr_prefix'
  /** A bare address was given where `address/prefix` notation is required. */
  | 'cidr_required'
  /** The address has 1-bits beyond the prefix, so it does not name a network. */
  | 'host_bits_set';

export interface AddressError {
  readonly ok: false;
  readonly code: AddressErrorCode;
  /** A sentence a person can act on; it quotes the input and, where there is one, the fix. */
  readonly message: string;
}

export type AddressResult<T> = { readonly ok: true; readonly value: T } | AddressError;

export function addressOk<T>(value: T): AddressResult<T> {
  return { ok: true, value };
}

export function addressError(code: AddressErrorCode, message: string): AddressError {
  return { ok: false, code, message };
}
