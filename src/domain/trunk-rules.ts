// Rules for Zentrunk trunks (seed 001 "Usage with Trunks"; DESIGN.md "Trunks").
//
// outbound: the customer's PBX sends calls to us. Admitted by an IP ACL (ipacl_uuid), a digest
//           credential (credential_uuid) or both — both set means both must pass.
// inbound:  we send calls to the customer's PBX through its origination URIs.
//
// Where an inbound trunk sends calls is one list, origination_uris: [{uri_uuid, priority, weight}]
// (Twilio's model: lowest priority first, weighted random among equal priorities — see
// src/domain/origination-order.ts). Plivo's two fields are names for two places in that list:
// primary_uri_uuid is the URI at priority 10, fallback_uri_uuid the URI at priority 20. Each of
// those two priorities therefore holds at most one URI; weighted groups use other priorities
// (e.g. two URIs at priority 5 are both tried before the primary, one at 30 after the fallback).
// Writing either form updates the other; reading shows both.

export const TRUNK_DIRECTIONS = ['outbound', 'inbound'] as const;
export type TrunkDirection = (typeof TRUNK_DIRECTIONS)[number];
export const TRUNK_STATUSES = ['enabled', 'disabled'] as const;
export type TrunkStatus = (typeof TRUNK_STATUSES)[number];

export function isTrunkDirection(value: unknown): value is TrunkDirection {
  return value === 'outbound' || value === 'inbound';
}

export function isTrunkStatus(value: unknown): value is TrunkStatus {
  return value === 'enabled' || value === 'disabled';
}

/** Calls per second a trunk admits: above 0, at most this; null means no limit. */
export const CPS_LIMIT_MAX = 10_000;

/** The priority primary_uri_uuid stands for in origination_uris. */
export const PRIMARY_PRIORITY = 10;
/** The priority fallback_uri_uuid stands for in origination_uris. */
export const FALLBACK_PRIORITY = 20;
/** Weight of a URI set through primary_uri_uuid/fallback_uri_uuid, and when a request omits it. */
export const DEFAULT_WEIGHT = 10;
export const PRIORITY_MAX = 65_535;
export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 65_535;
/** Origination URIs one trunk may list (Twilio allows 10 origination URLs per trunk). */
export const ORIGINATION_URIS_MAX = 10;

/** One place in an inbound trunk's origination list. */
export interface OriginationRoute {
  readonly uri_uuid: string;
  readonly priority: number;
  readonly weight: number;
}

/** What decides who a trunk admits or where it sends calls, in the API's field names. */
export interface TrunkShape {
  readonly trunk_direction: TrunkDirection;
  readonly ipacl_uuid: string | null;
  readonly credential_uuid: string | null;
  /** The URI of origination_uris at PRIMARY_PRIORITY. */
  readonly primary_uri_uuid: string | null;
  /** The URI of origination_uris at FALLBACK_PRIORITY. */
  readonly fallback_uri_uuid: string | null;
  readonly origination_uris: readonly OriginationRoute[];
}

/** What a request may change; origination_uris replaces the whole list. */
export type TrunkPatch = Partial<TrunkShape>;

export type ShapeViolationCode =
  | 'field_required'
  | 'field_not_allowed'
  | 'conflicting_fields'
  | 'validation_failed';

export type ShapeResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: ShapeViolationCode;
      readonly message: string;
      readonly field: string;
    };

const OUTBOUND_FIELDS = ['ipacl_uuid', 'credential_uuid'] as const;
const INBOUND_FIELDS = ['primary_uri_uuid', 'fallback_uri_uuid'] as const;
const SLOTS = [
  { field: 'primary_uri_uuid', priority: PRIMARY_PRIORITY },
  { field: 'fallback_uri_uuid', priority: FALLBACK_PRIORITY },
] as const;

/** The URI at a priority, or null; undefined when several share it (checkTrunkShape refuses that). */
export function uriAtPriority(
  list: readonly OriginationRoute[],
  priority: number,
): string | null | undefined {
  const at = list.filter((r) => r.priority === priority);
  if (at.length > 1) return undefined;
  return at[0]?.uri_uuid ?? null;
}

/** The list in the order it is shown: by priority, then heavier first, then by id. */
export function sortRoutes(list: readonly OriginationRoute[]): OriginationRoute[] {
  return [...list].sort(
    (a, b) =>
      a.priority - b.priority ||
      b.weight - a.weight ||
      (a.uri_uuid < b.uri_uuid ? -1 : a.uri_uuid > b.uri_uuid ? 1 : 0),
  );
}

function checkOriginationList(t: TrunkShape): ShapeResult {
  const list = t.origination_uris;
  if (list.length > ORIGINATION_URIS_MAX)
    return {
      ok: false,
      code: 'validation_failed',
      message: `origination_uris may list at most ${ORIGINATION_URIS_MAX} URIs (got ${list.length})`,
      field: 'origination_uris',
    };
  for (const r of list) {
    if (!Number.isInteger(r.priority) || r.priority < 0 || r.priority > PRIORITY_MAX)
      return {
        ok: false,
        code: 'validation_failed',
        message: `priority must be a whole number from 0 to ${PRIORITY_MAX} (got ${r.priority} for ${r.uri_uuid})`,
        field: 'origination_uris',
      };
    if (!Number.isInteger(r.weight) || r.weight < WEIGHT_MIN || r.weight > WEIGHT_MAX)
      return {
        ok: false,
        code: 'validation_failed',
        message: `weight must be a whole number from ${WEIGHT_MIN} to ${WEIGHT_MAX} (got ${r.weight} for ${r.uri_uuid})`,
        field: 'origination_uris',
      };
  }
  if (t.primary_uri_uuid !== null && t.primary_uri_uuid === t.fallback_uri_uuid)
    return {
      ok: false,
      code: 'conflicting_fields',
      message: 'fallback_uri_uuid must differ from primary_uri_uuid; it is tried when the primary fails',
      field: 'fallback_uri_uuid',
    };
  const seen = new Set<string>();
  for (const r of list) {
    if (seen.has(r.uri_uuid))
      return {
        ok: false,
        code: 'conflicting_fields',
        message: `origination URI ${r.uri_uuid} is listed twice; a trunk tries each URI once`,
        field: 'origination_uris',
      };
    seen.add(r.uri_uuid);
  }
  for (const slot of SLOTS) {
    const at = uriAtPriority(list, slot.priority);
    if (at === undefined)
      return {
        ok: false,
        code: 'conflicting_fields',
        message: `priority ${slot.priority} is ${slot.field} and holds one URI; put weighted groups at another priority`,
        field: 'origination_uris',
      };
    if (at !== t[slot.field])
      return {
        ok: false,
        code: 'conflicting_fields',
        message: `${slot.field} is the origination URI at priority ${slot.priority}; origination_uris names ${at ?? 'none'} there. Send one of the two, or both in agreement`,
        field: slot.field,
      };
  }
  return { ok: true };
}

export function checkTrunkShape(t: TrunkShape): ShapeResult {
  if (t.trunk_direction === 'outbound') {
    for (const field of [...INBOUND_FIELDS, 'origination_uris'] as const) {
      if (field === 'origination_uris' ? t.origination_uris.length > 0 : t[field] !== null)
        return {
          ok: false,
          code: 'field_not_allowed',
          message: `${field} applies to inbound trunks only (they send calls to your PBX); an outbound trunk admits calls by ipacl_uuid and/or credential_uuid`,
          field,
        };
    }
    if (t.ipacl_uuid === null && t.credential_uuid === null)
      return {
        ok: false,
        code: 'field_required',
        message:
          'An outbound trunk needs ipacl_uuid, credential_uuid or both (both set means a call must pass both)',
        field: 'ipacl_uuid',
      };
    return { ok: true };
  }
  for (const field of OUTBOUND_FIELDS) {
    if (t[field] !== null)
      return {
        ok: false,
        code: 'field_not_allowed',
        message: `${field} applies to outbound trunks only (they admit calls from your PBX); an inbound trunk sends calls to primary_uri_uuid`,
        field,
      };
  }
  const list = checkOriginationList(t);
  if (!list.ok) return list;
  if (t.origination_uris.length === 0)
    return {
      ok: false,
      code: 'field_required',
      message:
        'An inbound trunk needs primary_uri_uuid (or origination_uris): the origination URI calls are sent to',
      field: 'primary_uri_uuid',
    };
  if (t.fallback_uri_uuid !== null && !t.origination_uris.some((r) => r.priority < FALLBACK_PRIORITY))
    return {
      ok: false,
      code: 'field_required',
      message:
        'fallback_uri_uuid is tried when the primary fails: set primary_uri_uuid (or a URI at a priority below 20) too',
      field: 'primary_uri_uuid',
    };
  return { ok: true };
}

/**
 * Applies an update. When the direction changes, the other direction's fields that the request does
 * not mention are cleared (they cannot apply any more); fields it does mention are kept as sent, so
 * a contradiction is reported by checkTrunkShape rather than silently dropped.
 *
 * origination_uris replaces the list; primary_uri_uuid/fallback_uri_uuid sent alone replace the
 * URI at their priority (null removes it) and leave the rest of the list as it was.
 */
export function mergeTrunkPatch(current: TrunkShape, patch: TrunkPatch): TrunkShape {
  const merged: { -readonly [K in keyof TrunkShape]: TrunkShape[K] } = { ...current };
  const direction = patch.trunk_direction ?? current.trunk_direction;
  if (direction !== current.trunk_direction) {
    if (direction === 'outbound') {
      for (const field of INBOUND_FIELDS) merged[field] = null;
      merged.origination_uris = [];
    } else {
      for (const field of OUTBOUND_FIELDS) merged[field] = null;
    }
  }
  merged.trunk_direction = direction;
  for (const field of OUTBOUND_FIELDS) {
    const value = patch[field];
    if (value !== undefined) merged[field] = value;
  }
  if (patch.origination_uris !== undefined) {
    merged.origination_uris = patch.origination_uris;
    for (const slot of SLOTS) {
      const sent = patch[slot.field];
      merged[slot.field] =
        sent !== undefined ? sent : (uriAtPriority(patch.origination_uris, slot.priority) ?? null);
    }
    return merged;
  }
  let list = [...merged.origination_uris];
  for (const slot of SLOTS) {
    if (patch[slot.field] !== undefined) list = list.filter((r) => r.priority !== slot.priority);
  }
  for (const slot of SLOTS) {
    const sent = patch[slot.field];
    if (sent === undefined) continue;
    merged[slot.field] = sent;
    if (sent !== null) list.push({ uri_uuid: sent, priority: slot.priority, weight: DEFAULT_WEIGHT });
  }
  merged.origination_uris = sortRoutes(list);
  return merged;
}

/** The SIP domain a trunk is reached at: `{trunk_id}.{sip_domain}`. */
export function trunkDomain(trunkId: string, sipDomain: string): string {
  return `${trunkId}.${sipDomain.toLowerCase()}`;
}

/**
 * The trunk id named by a SIP host (Request-URI or To host), or null when the host is not a trunk
 * domain of this deployment. Host names are case-insensitive and may end with "." (RFC 1034 §3.1).
 */
export function trunkIdFromDomain(host: string, sipDomain: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  const suffix = `.${sipDomain.toLowerCase().replace(/\.$/, '')}`;
  if (!h.endsWith(suffix)) return null;
  const label = h.slice(0, -suffix.length);
  return /^[0-9]{1,32}$/.test(label) ? label : null;
}
