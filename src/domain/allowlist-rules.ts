// Rules of the API IP allowlist (README.md "API IP allowlist and API keys", docs/glossary.md "API IP allowlist"):
// CIDR notation only, no duplicates, no entry inside another, no entry around others, no private
// or special-purpose ranges (unless the operator allows private ones), at most `limit` entries,
// and — beyond the seed — no change that leaves the caller's own address outside a non-empty list
// unless the caller confirms it. Plain functions over plain values; outcomes are values.
import {
  type AddressErrorCode,
  findSpecialRange,
  formatCidr,
  formatIp,
  type IpAddress,
  type IpNetwork,
  networkContains,
  networkContainsAddress,
  networksEqual,
  networksOverlap,
  parseCidr,
  SPECIAL_RANGES,
  type SpecialRange,
} from './address/index.ts';

/** A stored entry; `cidr` is canonical (as produced by `formatCidr`). */
export interface AllowlistEntry {
  readonly entry_id: string;
  readonly cidr: string;
}

export interface AllowlistPolicy {
  /** Most entries one account may have (50 by default). */
  readonly limit: number;
  /** TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: admit private-use ranges, for on-premises deployments. */
  readonly allowPrivate: boolean;
}

/** Who is making the change, for the self-lockout rule. */
export interface ChangeContext {
  /** The caller's address as the API sees it; null when it could not be determined. */
  readonly clientAddress: IpAddress | null;
  /** The caller said "yes, I know this locks out my current address". */
  readonly confirm: boolean;
}

/** An existing entry, or (entry_id null) one given earlier in the same request. */
export interface EntryRef {
  readonly entry_id: string | null;
  readonly cidr: string;
}

/**
 * Why a change is refused; one `code` per rule (docs/errors.md). Format errors carry the address
 * module's codes, so they read the same as on the IP ACL endpoints.
 */
export type AllowlistRefusal =
  | { readonly ok: false; readonly code: AddressErrorCode; readonly message: string; readonly input: string }
  | {
      readonly ok: false;
      readonly code: 'allowlist_special_range';
      readonly message: string;
      readonly cidr: string;
      readonly range: SpecialRange;
    }
  | {
      readonly ok: false;
      readonly code: 'allowlist_duplicate';
      readonly message: string;
      readonly cidr: string;
      readonly existing: EntryRef;
    }
  | {
      readonly ok: false;
      readonly code: 'allowlist_subset';
      readonly message: string;
      readonly cidr: string;
      readonly coveredBy: EntryRef;
    }
  | {
      readonly ok: false;
      readonly code: 'allowlist_superset';
      readonly message: string;
      readonly cidr: string;
      readonly covers: readonly EntryRef[];
    }
  | {
      readonly ok: false;
      readonly code: 'allowlist_limit_reached';
      readonly message: string;
      readonly limit: number;
      readonly current: number;
      readonly adding: number;
    }
  | {
      readonly ok: false;
      readonly code: 'allowlist_lockout';
      readonly message: string;
      readonly clientAddress: string | null;
    };

/**
 * Ranges a client inside a private network really can have, and that an on-premises deployment
 * may therefore list when TRUNKGATE_ALLOW_PRIVATE_API_CIDRS=true. Everything else in the special-
 * purpose registries (documentation, multicast, reserved, benchmarking, 6to4, …) is never the
 * address of an API client, so it stays refused whatever the setting.
 */
export const PRIVATE_RANGE_CIDRS: ReadonlySet<string> = new Set([
  '10.0.0.0/8', // RFC 1918
  '172.16.0.0/12', // RFC 1918
  '192.168.0.0/16', // RFC 1918
  '100.64.0.0/10', // RFC 6598 carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // IPv4 link-local
  '::1/128', // IPv6 loopback
  'fc00::/7', // RFC 4193 unique-local
  'fe80::/10', // IPv6 link-local
]);

/** Public-looking examples: documentation ranges would themselves be refused. */
const EXAMPLE_CIDRS = 'e.g. 52.14.8.0/24, 52.14.8.9/32 or 2a05:d014:1f0::/48';

// ---------------------------------------------------------------------------------------------
// One CIDR

export type ParsedCidr = { readonly ok: true; readonly network: IpNetwork; readonly cidr: string };

/** Parses one allowlist CIDR strictly: `address/prefix`, network address, canonical output. */
export function parseAllowlistCidr(input: string): ParsedCidr | AllowlistRefusal {
  const text = input.trim();
  if (text === '') {
    return {
      ok: false,
      code: 'invalid_ip',
      input,
      message: `cidr is empty; give a CIDR such as ${EXAMPLE_CIDRS}`,
    };
  }
  const parsed = parseCidr(text);
  if (!parsed.ok) return { ok: false, code: parsed.code, input: text, message: parsed.message };
  return { ok: true, network: parsed.value, cidr: formatCidr(parsed.value) };
}

/**
 * Private or special-purpose space (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890;
 * multicast; reserved). A network overlapping such a range is refused: a block around 10.0.0.0/8
 * would admit it as surely as 10.0.0.0/8 itself. With `allowPrivate`, only the ranges in
 * PRIVATE_RANGE_CIDRS become acceptable.
 */
export function checkSpecialRange(network: IpNetwork, allowPrivate: boolean): AllowlistRefusal | null {
  const cidr = formatCidr(network);
  let range: SpecialRange | null;
  if (!allowPrivate) {
    range = findSpecialRange(network);
  } else {
    // Non-private ranges the network overlaps, except the registry blocks a private range itself
    // lies in (::1/128 is inside the deprecated ::/96, and is still just loopback).
    const home = SPECIAL_RANGES.find(
      (r) => PRIVATE_RANGE_CIDRS.has(r.cidr) && networkContains(r.network, network),
    );
    const offending = SPECIAL_RANGES.filter(
      (r) =>
        !PRIVATE_RANGE_CIDRS.has(r.cidr) &&
        networksOverlap(r.network, network) &&
        !(home !== undefined && networkContains(r.network, home.network)),
    );
    // The most specific of them the network lies in, else the first it contains.
    range =
      offending
        .filter((r) => networkContains(r.network, network))
        .sort((a, b) => b.network.prefix - a.network.prefix)[0] ??
      offending[0] ??
      null;
  }
  if (range === null) return null;
  const isPrivate = PRIVATE_RANGE_CIDRS.has(range.cidr);
  const where = networksEqual(range.network, network)
    ? `is ${range.name} space (${range.reference})`
    : networkContains(range.network, network)
      ? `is inside ${range.cidr}, ${range.name} space (${range.reference})`
      : `contains ${range.cidr}, ${range.name} space (${range.reference})`;
  const hint = isPrivate
    ? '; the allowlist takes the public addresses your requests come from (an operator running trunkgate on a private network can allow private ranges with TRUNKGATE_ALLOW_PRIVATE_API_CIDRS=true)'
    : '; no API client has such an address: list the public addresses your requests come from';
  return { ok: false, code: 'allowlist_special_range', cidr, range, message: `${cidr} ${where}${hint}` };
}

// ---------------------------------------------------------------------------------------------
// Against the other entries

interface Known {
  readonly ref: EntryRef;
  readonly network: IpNetwork;
}

function describeRef(ref: EntryRef): string {
  return ref.entry_id === null
    ? `${ref.cidr} (given earlier in this request)`
    : `${ref.cidr} (entry ${ref.entry_id})`;
}

/** Duplicate, subset, superset — the overlap rules, in that order. */
function checkOverlap(others: readonly Known[], network: IpNetwork): AllowlistRefusal | null {
  const cidr = formatCidr(network);
  for (const o of others) {
    if (networksEqual(o.network, network)) {
      return {
        ok: false,
        code: 'allowlist_duplicate',
        cidr,
        existing: o.ref,
        message:
          o.ref.entry_id === null
            ? `${cidr} is listed twice in this request; give it once`
            : `${cidr} is already in the allowlist (entry ${o.ref.entry_id}); it needs no second entry`,
      };
    }
  }
  // Most specific first would be arbitrary: there is at most one chain of containing blocks, and
  // the broadest tells the person which entry makes the new one pointless.
  const containing = others
    .filter((o) => networkContains(o.network, network))
    .sort((a, b) => a.network.prefix - b.network.prefix)[0];
  if (containing !== undefined) {
    return {
      ok: false,
      code: 'allowlist_subset',
      cidr,
      coveredBy: containing.ref,
      message: `${cidr} is already covered by ${describeRef(containing.ref)}; it needs no entry of its own`,
    };
  }
  const contained = others.filter((o) => networkContains(network, o.network));
  if (contained.length > 0) {
    const existing = contained.filter((o) => o.ref.entry_id !== null).map((o) => describeRef(o.ref));
    const inRequest = contained.filter((o) => o.ref.entry_id === null).map((o) => o.ref.cidr);
    const parts: string[] = [];
    if (existing.length > 0) parts.push(`remove ${existing.join(', ')} first, then add ${cidr}`);
    if (inRequest.length > 0) parts.push(`drop ${inRequest.join(', ')} from this request`);
    return {
      ok: false,
      code: 'allowlist_superset',
      cidr,
      covers: contained.map((o) => o.ref),
      message: `${cidr} contains ${contained.map((o) => o.ref.cidr).join(', ')}, which ${contained.length === 1 ? 'is' : 'are'} already listed: ${parts.join('; ')}`,
    };
  }
  return null;
}

function known(entries: readonly AllowlistEntry[]): Known[] {
  const out: Known[] = [];
  for (const e of entries) {
    const parsed = parseCidr(e.cidr);
    // Stored entries were validated on the way in; an unparseable one is a bug, not user input.
    if (!parsed.ok) throw new Error(`stored allowlist entry ${e.entry_id} is not a CIDR`);
    out.push({ ref: { entry_id: e.entry_id, cidr: e.cidr }, network: parsed.value });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Self-lockout (beyond the seed)

/** True when the list admits the address. An empty list admits everyone (the allowlist takes effect with the first entry). */
export function allowlistAdmits(cidrs: readonly string[], address: IpAddress | null): boolean {
  if (cidrs.length === 0) return true;
  if (address === null) return false;
  return known(cidrs.map((cidr) => ({ entry_id: '', cidr }))).some((k) =>
    networkContainsAddress(k.network, address),
  );
}

export function checkLockout(after: readonly string[], ctx: ChangeContext): AllowlistRefusal | null {
  if (ctx.confirm || allowlistAdmits(after, ctx.clientAddress)) return null;
  const shown = ctx.clientAddress === null ? null : formatIp(ctx.clientAddress);
  const who =
    shown === null ? 'your current address (which could not be determined)' : `your current address ${shown}`;
  return {
    ok: false,
    code: 'allowlist_lockout',
    clientAddress: shown,
    message: `After this change the allowlist would not include ${who}, so every later API request from it would be refused with 403. Add an entry for it first, or send the request again with confirm: true if that is what you want (an operator can clear the list with "trunkgate allowlist clear")`,
  };
}

// ---------------------------------------------------------------------------------------------
// Plans: what a request may do to the list, decided from the list as it is.

export type AddPlan = { readonly ok: true; readonly add: readonly string[] } | AllowlistRefusal;
export type EditPlan =
  | { readonly ok: true; readonly cidr: string; readonly changed: boolean }
  | AllowlistRefusal
  | { readonly ok: false; readonly code: 'entry_not_found' };
export type DeletePlan =
  | { readonly ok: true }
  | AllowlistRefusal
  | { readonly ok: false; readonly code: 'entry_not_found' };

/** Splits the console's comma-separated form ("192.0.2.0/24, 1.1.1.1/32"); empty items are ignored. */
export function splitCidrList(input: string): string[] {
  return input
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Adds one CIDR or a comma-separated list, all or nothing. */
export function planAdd(
  current: readonly AllowlistEntry[],
  input: string,
  policy: AllowlistPolicy,
  ctx: ChangeContext,
): AddPlan {
  const items = splitCidrList(input);
  if (items.length === 0) return parseAllowlistCidr('') as AllowlistRefusal;
  const others = known(current);
  const add: string[] = [];
  for (const item of items) {
    const parsed = parseAllowlistCidr(item);
    if (!parsed.ok) return parsed;
    const special = checkSpecialRange(parsed.network, policy.allowPrivate);
    if (special !== null) return special;
    const overlap = checkOverlap(others, parsed.network);
    if (overlap !== null) return overlap;
    others.push({ ref: { entry_id: null, cidr: parsed.cidr }, network: parsed.network });
    add.push(parsed.cidr);
  }
  if (current.length + add.length > policy.limit) {
    const room = Math.max(0, policy.limit - current.length);
    return {
      ok: false,
      code: 'allowlist_limit_reached',
      limit: policy.limit,
      current: current.length,
      adding: add.length,
      message:
        room === 0
          ? `The allowlist already has ${current.length} entries, the most it may have (${policy.limit}); remove an entry before adding another`
          : `The allowlist has ${current.length} entries and this request adds ${add.length}, over the limit of ${policy.limit}; add at most ${room} or remove entries first`,
    };
  }
  const lockout = checkLockout([...current.map((e) => e.cidr), ...add], ctx);
  return lockout ?? { ok: true, add };
}

/** Replaces one entry's CIDR, validated against the other entries exactly as an add is. */
export function planEdit(
  current: readonly AllowlistEntry[],
  entryId: string,
  input: string,
  policy: AllowlistPolicy,
  ctx: ChangeContext,
): EditPlan {
  const target = current.find((e) => e.entry_id === entryId);
  if (target === undefined) return { ok: false, code: 'entry_not_found' };
  if (splitCidrList(input).length > 1) {
    return {
      ok: false,
      code: 'invalid_ip',
      input,
      message: 'An entry holds one CIDR; to add several, POST them to the IPWhitelist list instead',
    };
  }
  const parsed = parseAllowlistCidr(input);
  if (!parsed.ok) return parsed;
  const special = checkSpecialRange(parsed.network, policy.allowPrivate);
  if (special !== null) return special;
  const rest = current.filter((e) => e.entry_id !== entryId);
  const overlap = checkOverlap(known(rest), parsed.network);
  if (overlap !== null) return overlap;
  const lockout = checkLockout([...rest.map((e) => e.cidr), parsed.cidr], ctx);
  return lockout ?? { ok: true, cidr: parsed.cidr, changed: parsed.cidr !== target.cidr };
}

/** Removes one entry. Removing the last entry turns the allowlist off, which locks nobody out. */
export function planDelete(
  current: readonly AllowlistEntry[],
  entryId: string,
  ctx: ChangeContext,
): DeletePlan {
  if (!current.some((e) => e.entry_id === entryId)) return { ok: false, code: 'entry_not_found' };
  const lockout = checkLockout(
    current.filter((e) => e.entry_id !== entryId).map((e) => e.cidr),
    ctx,
  );
  return lockout ?? { ok: true };
}
