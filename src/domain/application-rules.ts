// Rules for applications (Plivo's Application API: sip_auth_type, ip_acl_uuid, credential_uuid).
// A call to `sip:{app_id}@{sip_domain}` is admitted as the application's sip_auth_type says.

export const SIP_AUTH_TYPES = ['none', 'ip_acl', 'credential', 'ip_acl_and_credential'] as const;
export type SipAuthType = (typeof SIP_AUTH_TYPES)[number];

export function isSipAuthType(value: unknown): value is SipAuthType {
  return (SIP_AUTH_TYPES as readonly unknown[]).includes(value);
}

export const HTTP_METHODS = ['GET', 'POST'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const APP_NAME_MAX = 120;
export const CALLBACK_URL_MAX = 2048;

/** Which references a sip_auth_type needs. */
export function authNeeds(type: SipAuthType): { ipAcl: boolean; credential: boolean } {
  return {
    ipAcl: type === 'ip_acl' || type === 'ip_acl_and_credential',
    credential: type === 'credential' || type === 'ip_acl_and_credential',
  };
}

export interface ApplicationAuth {
  readonly sip_auth_type: SipAuthType;
  readonly ip_acl_uuid: string | null;
  readonly credential_uuid: string | null;
}

export type AuthResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: 'field_required' | 'field_not_allowed';
      readonly message: string;
      readonly field: string;
    };

/** Each reference is required exactly when the auth type uses it. */
export function checkApplicationAuth(a: ApplicationAuth): AuthResult {
  const needs = authNeeds(a.sip_auth_type);
  const checks = [
    ['ip_acl_uuid', needs.ipAcl, a.ip_acl_uuid],
    ['credential_uuid', needs.credential, a.credential_uuid],
  ] as const;
  for (const [field, needed, value] of checks) {
    if (needed && value === null)
      return {
        ok: false,
        code: 'field_required',
        message: `sip_auth_type ${a.sip_auth_type} needs ${field}`,
        field,
      };
    if (!needed && value !== null)
      return {
        ok: false,
        code: 'field_not_allowed',
        message: `${field} is only used when sip_auth_type is ${field === 'ip_acl_uuid' ? 'ip_acl or ip_acl_and_credential' : 'credential or ip_acl_and_credential'}; sip_auth_type is ${a.sip_auth_type}`,
        field,
      };
  }
  return { ok: true };
}

/**
 * Applies an update. When sip_auth_type changes, a reference the new type does not use and the
 * request does not mention is cleared; one the request does send is kept, so the contradiction is
 * reported by checkApplicationAuth rather than dropped.
 */
export function mergeApplicationAuth(
  current: ApplicationAuth,
  patch: Partial<ApplicationAuth>,
): ApplicationAuth {
  const type = patch.sip_auth_type ?? current.sip_auth_type;
  const needs = authNeeds(type);
  const changed = type !== current.sip_auth_type;
  const pick = (field: 'ip_acl_uuid' | 'credential_uuid', needed: boolean): string | null => {
    const sent = patch[field];
    if (sent !== undefined) return sent;
    return changed && !needed ? null : current[field];
  };
  return {
    sip_auth_type: type,
    ip_acl_uuid: pick('ip_acl_uuid', needs.ipAcl),
    credential_uuid: pick('credential_uuid', needs.credential),
  };
}

/** answer_url, hangup_url, fallback_answer_url: absolute http(s) URLs. */
export function checkCallbackUrl(url: string, field: string): { ok: true } | { ok: false; message: string } {
  if (url.length > CALLBACK_URL_MAX)
    return {
      ok: false,
      message: `${field} must be at most ${CALLBACK_URL_MAX} characters (got ${url.length})`,
    };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      ok: false,
      message: `${field} must be an absolute http:// or https:// URL, e.g. https://example.com/answer`,
    };
  }
  if (
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.hostname === '' ||
    /\s/.test(url)
  )
    return {
      ok: false,
      message: `${field} must be an absolute http:// or https:// URL, e.g. https://example.com/answer`,
    };
  return { ok: true };
}

/** The SIP URI that reaches an application: `sip:{app_id}@{sip_domain}`. */
export function applicationSipUri(appId: string, sipDomain: string): string {
  return `sip:${appId}@${sipDomain.toLowerCase()}`;
}
