// Rules for inbound SIP digest credentials (DESIGN.md "One credential store, two shapes"; seed 000).
export type RuleResult =
  | { ok: true }
  | {
      ok: false;
      code: 'invalid_username' | 'weak_password' | 'invalid_realm' | 'invalid_name';
      message: string;
    };

const USERNAME_RE = /^[A-Za-z0-9._-]{3,64}$/;

export function validateUsername(username: string): RuleResult {
  if (USERNAME_RE.test(username)) return { ok: true };
  return {
    ok: false,
    code: 'invalid_username',
    message: `username must be 3–64 characters of letters, digits, ".", "_" or "-" (got ${username.length} characters${/[^A-Za-z0-9._-]/.test(username) ? ' including a character that is not allowed' : ''})`,
  };
}

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export function validatePassword(password: string): RuleResult {
  const missing: string[] = [];
  if (!/[A-Z]/.test(password)) missing.push('an upper-case letter');
  if (!/[a-z]/.test(password)) missing.push('a lower-case letter');
  if (!/[0-9]/.test(password)) missing.push('a digit');
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    return {
      ok: false,
      code: 'weak_password',
      message: `password must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters (got ${length})${missing.length ? ` and must include ${missing.join(', ')}` : ''}`,
    };
  }
  if (missing.length > 0) {
    return { ok: false, code: 'weak_password', message: `password must include ${missing.join(', ')}` };
  }
  // Control characters cannot be typed into a SIP phone and break digest quoting.
  if (/[\u0000-\u001f\u007f]/.test(password)) {
    return { ok: false, code: 'weak_password', message: 'password must not contain control characters' };
  }
  return { ok: true };
}

const REALM_RE =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function validateRealm(realm: string): RuleResult {
  if (REALM_RE.test(realm)) return { ok: true };
  return {
    ok: false,
    code: 'invalid_realm',
    message: 'realm must be a host name of at most 253 characters, e.g. sip.example.com',
  };
}

export function validateFriendlyName(name: string, field = 'name', max = 120): RuleResult {
  const length = [...name].length;
  if (length < 1 || length > max || /[\u0000-\u001f\u007f]/.test(name) || name.trim() === '') {
    return {
      ok: false,
      code: 'invalid_name',
      message: `${field} must be 1–${max} printable characters`,
    };
  }
  return { ok: true };
}
