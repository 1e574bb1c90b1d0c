// Rules for IP access control lists and their entries (docs/glossary.md "IP ACL").
// Parsing and canonical forms come from src/domain/address/; this file adds what makes a list:
// descriptions, duplicates, and how many entries a list may hold.
import {
  type AddressErrorCode,
  formatCidr,
  formatIp,
  type IpNetwork,
  parseCidr,
  parseNetwork,
} from './address/index.ts';

export const ACL_NAME_MAX = 120;
export const ENTRY_DESCRIPTION_MAX = 255;

/** An entry ready to store: the network in canonical form. */
export interface AclEntrySpec {
  readonly family: 4 | 6;
  /** Canonical network address, e.g. `10.1.2.0` or `2001:db8::`. */
  readonly ip: string;
  readonly cidrPrefix: number;
  /** Canonical `ip/cidr_prefix`: the identity of the entry within its list. */
  readonly network: string;
  readonly description: string | null;
}

export type AclRuleCode = AddressErrorCode | 'invalid_description' | 'duplicate_entry' | 'acl_entry_limit';

export type AclRuleResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: AclRuleCode; readonly message: string; readonly field?: string };

function fail(code: AclRuleCode, message: string, field?: string): AclRuleResult<never> {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}

export function specFromNetwork(network: IpNetwork, description: string | null): AclEntrySpec {
  return {
    family: network.address.family,
    ip: formatIp(network.address),
    cidrPrefix: network.prefix,
    network: formatCidr(network),
    description,
  };
}

/** The field an address error is about: a bad prefix is the prefix's fault, anything else the ip's. */
function addressField(code: AddressErrorCode): 'ip' | 'cidr_prefix' {
  return code === 'invalid_cidr_prefix' || code === 'host_bits_set' ? 'cidr_prefix' : 'ip';
}

/**
 * One entry in the SIP Auth shape: `ip` (a single IPv4 or IPv6 address, never a CIDR or host
 * name), `cidr_prefix` (0–32 / 0–128; absent or null means the single host) and an optional
 * description of at most 255 characters. `fieldPrefix` names the entry in errors (`entries.6.`).
 */
export function parseAclEntry(
  input: { ip: string; cidr_prefix?: number | string | null; description?: string | null },
  fieldPrefix = '',
): AclRuleResult<AclEntrySpec> {
  const parsed = parseNetwork(input.ip, input.cidr_prefix);
  if (!parsed.ok) return fail(parsed.code, parsed.message, fieldPrefix + addressField(parsed.code));
  const description = input.description ?? null;
  if (description !== null) {
    const length = [...description].length;
    if (length > ENTRY_DESCRIPTION_MAX || /[\u0000-\u001f\u007f]/.test(description)) {
      return fail(
        'invalid_description',
        `description must be at most ${ENTRY_DESCRIPTION_MAX} printable characters (got ${length})`,
        `${fieldPrefix}description`,
      );
    }
  }
  return { ok: true, value: specFromNetwork(parsed.value, description === '' ? null : description) };
}

/**
 * One item of the Zentrunk shape's `ip_addresses`: CIDR text, or a bare address for the single
 * host (Plivo's own examples send bare addresses). Host bits, zones, ports and host names are
 * refused exactly as for `ip`.
 */
export function parseAclCidr(text: string, field: string): AclRuleResult<AclEntrySpec> {
  const parsed = text.includes('/') ? parseCidr(text) : parseNetwork(text);
  if (!parsed.ok) return fail(parsed.code, parsed.message, field);
  return { ok: true, value: specFromNetwork(parsed.value, null) };
}

/**
 * A whole list given at once (ACL create, Zentrunk replace): every item is checked before anything
 * is stored, and the first bad one is named by its position (`entries.6` is the 7th entry).
 */
export function parseAclEntryList<T>(
  items: readonly T[],
  listField: string,
  limit: number,
  parseItem: (item: T, fieldPrefix: string) => AclRuleResult<AclEntrySpec>,
): AclRuleResult<AclEntrySpec[]> {
  if (items.length > limit) {
    return fail(
      'acl_entry_limit',
      `An IP ACL may hold at most ${limit} entries; ${listField} has ${items.length}`,
      listField,
    );
  }
  const specs: AclEntrySpec[] = [];
  const seen = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    const result = parseItem(item, `${listField}.${index}`);
    if (!result.ok) {
      return fail(result.code, `${entryLabel(listField, index)}: ${result.message}`, result.field);
    }
    const earlier = seen.get(result.value.network);
    if (earlier !== undefined) {
      return fail(
        'duplicate_entry',
        `${entryLabel(listField, index)}: ${result.value.network} is the same network as ${listField}[${earlier}]; list each network once`,
        `${listField}.${index}`,
      );
    }
    seen.set(result.value.network, index);
    specs.push(result.value);
  }
  return { ok: true, value: specs };
}

function entryLabel(listField: string, index: number): string {
  return `${listField}[${index}] (item ${index + 1})`;
}

/** Why one more entry does not fit in a list that already holds `existing` (≥ limit) entries. */
export function entryLimitMessage(existing: number, limit: number): string {
  return `This IP ACL already has ${existing} entries and may hold at most ${limit}; remove one before adding another`;
}
