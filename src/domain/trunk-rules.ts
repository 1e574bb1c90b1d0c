// Rules for Zentrunk trunks (docs/glossary.md "Trunk").
//
// outbound: the customer's PBX sends calls to us. Admitted by an IP ACL (ipacl_uuid), a digest
//           credential (credential_uuid) or both — both set means both must pass.
// inbound:  we send calls to the customer's PBX through primary_uri_uuid, then fallback_uri_uuid.

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

/** What decides who a trunk admits or where it sends calls, in the API's field names. */
export interface TrunkShape {
  readonly trunk_direction: TrunkDirection;
  readonly ipacl_uuid: string | null;
  readonly credential_uuid: string | null;
  readonly primary_uri_uuid: string | null;
  readonly fallback_uri_uuid: string | null;
}

export type ShapeViolationCode = 'field_required' | 'field_not_allowed' | 'conflicting_fields';

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

export function checkTrunkShape(t: TrunkShape): ShapeResult {
  if (t.trunk_direction === 'outbound') {
    for (const field of INBOUND_FIELDS) {
      if (t[field] !== null)
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
  if (t.primary_uri_uuid === null)
    return {
      ok: false,
      code: 'field_required',
      message: 'An inbound trunk needs primary_uri_uuid: the origination URI calls are sent to',
      field: 'primary_uri_uuid',
    };
  if (t.fallback_uri_uuid !== null && t.fallback_uri_uuid === t.primary_uri_uuid)
    return {
      ok: false,
      code: 'conflicting_fields',
      message: 'fallback_uri_uuid must differ from primary_uri_uuid; it is tried when the primary fails',
      field: 'fallback_uri_uuid',
    };
  return { ok: true };
}

/**
 * Applies an update. When the direction changes, the other direction's fields that the request does
 * not mention are cleared (they cannot apply any more); fields it does mention are kept as sent, so
 * a contradiction is reported by checkTrunkShape rather than silently dropped.
 */
export function mergeTrunkPatch(current: TrunkShape, patch: Partial<TrunkShape>): TrunkShape {
  const merged: { -readonly [K in keyof TrunkShape]: TrunkShape[K] } = { ...current };
  const direction = patch.trunk_direction ?? current.trunk_direction;
  if (direction !== current.trunk_direction) {
    for (const field of direction === 'outbound' ? INBOUND_FIELDS : OUTBOUND_FIELDS) merged[field] = null;
  }
  merged.trunk_direction = direction;
  for (const field of [...OUTBOUND_FIELDS, ...INBOUND_FIELDS]) {
    const value = patch[field];
    if (value !== undefined) merged[field] = value;
  }
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
