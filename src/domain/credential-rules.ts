// Rules for inbound SIP digest credentials (docs/glossary.md "Credential shapes").
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

/**
 * The two password rules over one credential store (docs/glossary.md "Credential shapes"). Each
 * shape keeps the rule its API documents, and every refusal names the rule it applied:
 * - `sipauth`: 12–128 characters with an upper-case letter, a lower-case letter and a digit;
 * - `zentrunk`: 12–128 characters with at least three of upper-case, lower-case, digit, symbol
 *   (the Zentrunk API documents no rule and its examples, such as `securepassword123!`, have no
 *   upper-case letter, so they must be accepted as written).
 */
export type PasswordRule = 'sipauth' | 'zentrunk';

export const PASSWORD_RULE_TEXT: Readonly<Record<PasswordRule, string>> = {
  sipauth: `SIP Auth rule: ${PASSWORD_MIN}–${PASSWORD_MAX} characters with an upper-case letter, a lower-case letter and a digit`,
  zentrunk: `Zentrunk rule: ${PASSWORD_MIN}–${PASSWORD_MAX} characters with at least three of upper-case letter, lower-case letter, digit, symbol`,
};

const CLASSES = [
  { short: 'upper-case letter', re: /\p{Lu}/u },
  { short: 'lower-case letter', re: /\p{Ll}/u },
  { short: 'digit', re: /[0-9]/ },
  // Anything that is not a letter or a digit counts as a symbol (space and punctuation included).
  { short: 'symbol', re: /[^\p{L}\p{N}]/u },
] as const;

function refuse(rule: PasswordRule, detail: string): RuleResult {
  return { ok: false, code: 'weak_password', message: `${detail} (${PASSWORD_RULE_TEXT[rule]})` };
}

/** The SIP Auth rule (the default): upper, lower and digit. */
export function validatePassword(password: string, rule: PasswordRule = 'sipauth'): RuleResult {
  if (rule === 'zentrunk') return validateZentrunkPassword(password);
  const missing: string[] = [];
  if (!/[A-Z]/.test(password)) missing.push('an upper-case letter');
  if (!/[a-z]/.test(password)) missing.push('a lower-case letter');
  if (!/[0-9]/.test(password)) missing.push('a digit');
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    return refuse(
      rule,
      `password must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters (got ${length})${missing.length ? ` and must include ${missing.join(', ')}` : ''}`,
    );
  }
  if (missing.length > 0) return refuse(rule, `password must include ${missing.join(', ')}`);
  return checkControlCharacters(password, rule);
}

/** The Zentrunk rule: at least three of the four character classes. */
export function validateZentrunkPassword(password: string): RuleResult {
  const present = CLASSES.filter((c) => c.re.test(password));
  const length = [...password].length;
  const lacking =
    present.length >= 3
      ? ''
      : ` and must include at least three of upper-case letter, lower-case letter, digit, symbol (has ${present.length === 0 ? 'none' : present.map((c) => c.short).join(', ')})`;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    return refuse(
      'zentrunk',
      `password must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters (got ${length})${lacking}`,
    );
  }
  if (lacking !== '') return refuse('zentrunk', `password${lacking.slice(' and'.length)}`);
  return checkControlCharacters(password, 'zentrunk');
}

function checkControlCharacters(password: string, rule: PasswordRule): RuleResult {
  // Control characters cannot be typed into a SIP phone and break digest quoting.
  if (/[\u0000-\u001f\u007f]/.test(password)) {
    return refuse(rule, 'password must not contain control characters');
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
