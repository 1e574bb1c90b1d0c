// The error-code registry: every client-visible error has a stable code, an HTTP status and a
// message template a person can act on. Routes throw ApiError(code, params); the error handler
// in src/api/plugins/error-handler.ts renders {api_id, error, code, field?}.

export const ERRORS = {
  // 400 — validation
  validation_failed: { status: 400, message: '{detail}' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON: {detail}' },
  unknown_field: { status: 400, message: 'Unknown field "{field}"; remove it from the request' },
  invalid_pagination: { status: 400, message: '{detail}' },
  invalid_username: {
    status: 400,
    message: 'username must be 3–64 characters of letters, digits, ".", "_" or "-"',
  },
  weak_password: { status: 400, message: '{detail}' },
  invalid_realm: {
    status: 400,
    message: 'realm must be a host name of at most 253 characters, e.g. sip.example.com',
  },
  username_immutable: {
    status: 400,
    message: 'The username of a SIP Auth credential cannot be changed; create a new credential instead',
  },
  password_required_for_username_change: {
    status: 400,
    message:
      'Changing the username requires the password in the same request: the stored digest hashes bind username, realm and password together',
  },
  quota_exceeded: {
    status: 400,
    message:
      'This account already has {limit} {resource}, the most it may have; delete one before creating another',
  },
  invalid_name: { status: 400, message: '{detail}' },
  // Input that cannot be stored as sent is refused, never altered (src/api/text-input.ts)
  invalid_character: {
    status: 400,
    message: '{field} contains a NUL character (U+0000), which no stored value may hold; remove it',
  },
  invalid_encoding: { status: 400, message: '{detail}' },
  invalid_url_encoding: {
    status: 400,
    message: 'The URL holds a malformed percent-encoding; encode each byte of UTF-8 as %XX',
  },
  malformed_request: {
    status: 400,
    message: 'The HTTP request is malformed ({reason}); check the request line and header syntax',
  },
  // IP ACLs, origination URIs, trunks, applications (the address codes are those of src/domain/address)
  invalid_ip: { status: 400, message: '{detail}' },
  invalid_cidr_prefix: { status: 400, message: '{detail}' },
  host_bits_set: { status: 400, message: '{detail}' },
  invalid_description: { status: 400, message: '{detail}' },
  acl_entry_limit: { status: 400, message: '{detail}' },
  invalid_uri: { status: 400, message: '{detail}' },
  invalid_url: { status: 400, message: '{detail}' },
  invalid_digest_algorithms: { status: 400, message: '{detail}' },
  invalid_reference: {
    status: 400,
    message: '{field} "{id}" does not name {resource} of this account (another account\'s cannot be used)',
  },
  field_required: { status: 400, message: '{detail}' },
  field_not_allowed: { status: 400, message: '{detail}' },
  conflicting_fields: { status: 400, message: '{detail}' },
  // Outbound SIP provider credentials (/api/v1/sip-credentials)
  invalid_provider_credential: { status: 400, message: '{detail}' },
  secret_key_not_configured: {
    status: 400,
    message:
      'trunkgate has no encryption key, so it will not store provider passwords. Set TRUNKGATE_SECRET_KEY to 32 random bytes in base64 (e.g. TRUNKGATE_SECRET_KEY="$(openssl rand -base64 32)") and restart, or send authPassword as null',
  },
  // API IP allowlist (seed 003); malformed CIDRs use the address codes above plus cidr_required
  cidr_required: { status: 400, message: '{detail}' },
  allowlist_special_range: { status: 400, message: '{detail}' },
  allowlist_limit_reached: { status: 400, message: '{detail}' },
  // API keys
  invalid_expires_at: { status: 400, message: '{detail}' },
  subaccount_cannot_manage_subaccounts: {
    status: 403,
    message: 'A subaccount cannot create or manage subaccounts; use the parent account',
  },
  // 401 / 403 / 404
  unauthenticated: {
    status: 401,
    message:
      'Authentication failed: send HTTP Basic auth with your auth_id and auth_token, or an API key as a Bearer token',
  },
  forbidden: { status: 403, message: '{detail}' },
  ip_not_allowlisted: {
    status: 403,
    message:
      'Requests from {address} are refused by this account’s API IP allowlist; call from an address on the list, or have it added from one',
  },
  allowlist_managed_by_parent: {
    status: 403,
    message:
      'A subaccount uses its parent account’s API IP allowlist and cannot change it; change it with the parent account at /v1/Account/{parent}/IPWhitelist/',
  },
  api_key_revoked: {
    status: 401,
    message: 'This API key has been revoked; create a new key, or use your auth_id and auth_token',
  },
  api_key_expired: { status: 401, message: 'This API key expired at {expires_at}; create a new key' },
  not_found: { status: 404, message: 'No {resource} with id {id} was found in this account' },
  route_not_found: { status: 404, message: 'No endpoint {method} {url}; see /docs for the API' },
  method_not_allowed: { status: 405, message: '{detail}' },
  // 409
  duplicate_username: {
    status: 409,
    message: 'A credential with username "{username}" already exists in this account',
  },
  conflict: { status: 409, message: '{detail}' },
  allowlist_duplicate: { status: 409, message: '{detail}' },
  allowlist_subset: { status: 409, message: '{detail}' },
  allowlist_superset: { status: 409, message: '{detail}' },
  allowlist_lockout: { status: 409, message: '{detail}' },
  duplicate_entry: { status: 409, message: '{detail}' },
  in_use: {
    status: 409,
    message:
      'The {resource} {id} is used by {users}; point them at another {resource} (or delete them) first. The lists are in "trunks" and "applications"',
  },
  provider_credential_in_use: {
    status: 409,
    message:
      'SIP credential {id} is used by {users}; remove those references first, or delete it anyway with ?force=true',
  },
  // 408 / 413 / 414 / 415 / 422 / 431
  request_timeout: {
    status: 408,
    message: 'The request was not received completely within {seconds} s; send it again without pausing',
  },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit of {limit} bytes' },
  uri_too_long: {
    status: 414,
    message: 'A path segment is longer than {limit} characters; no id of this API is that long',
  },
  unsupported_media_type: {
    status: 415,
    message: 'Send the body as application/json or application/x-www-form-urlencoded',
  },
  unsupported_charset: {
    status: 415,
    message: 'The body must be UTF-8: send charset=utf-8 or no charset parameter (got "{charset}")',
  },
  unsupported_content_encoding: {
    status: 415,
    message: 'Content-Encoding "{encoding}" is not accepted; send the body uncompressed (identity)',
  },
  request_header_too_large: {
    status: 431,
    message: 'The request headers are larger than the limit of {limit} bytes',
  },
  missing_required_parameters: { status: 422, message: '{detail}' },
  // 429 / 5xx
  rate_limited: { status: 429, message: '{detail}' },
  too_many_connections: {
    status: 429,
    message: 'Your address already holds {limit} open connections to this API; reuse or close one',
  },
  too_many_auth_failures: {
    status: 429,
    message:
      'Too many failed authentication attempts from your address; wait {seconds} s before trying again',
  },
  internal_error: {
    status: 500,
    message: 'Internal server error; the request was not completed. Try again later',
  },
  service_unavailable: { status: 503, message: '{detail}' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class ApiError extends Error {
  readonly status: number;
  readonly field: string | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly extra: Record<string, unknown> | undefined;
  constructor(
    readonly code: ErrorCode,
    params: Record<string, string | number> = {},
    opts: { field?: string; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(renderMessage(ERRORS[code].message, params));
    this.status = ERRORS[code].status;
    this.field = opts.field;
    this.headers = opts.headers;
    this.extra = opts.extra;
  }
}

export function renderMessage(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const v = params[key];
    return v === undefined ? `{${key}}` : String(v);
  });
}

/** Convenience: a 400 with a free-form message under a specific code. */
export function badRequest(code: ErrorCode, detail: string, field?: string): ApiError {
  return new ApiError(code, { detail }, field === undefined ? {} : { field });
}
