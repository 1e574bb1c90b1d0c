// Parses an Authorization header; the policy lives in plugins/account-auth.ts.
export type ParsedAuthorization =
  | { scheme: 'basic'; user: string; password: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'none' }
  | { scheme: 'malformed' };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header === '') return { scheme: 'none' };
  const space = header.indexOf(' ');
  if (space <= 0) return { scheme: 'malformed' };
  const scheme = header.slice(0, space).toLowerCase();
  const rest = header.slice(space + 1).trim();
  if (scheme === 'basic') {
    if (rest.length > 1024 || !/^[A-Za-z0-9+/]+=*$/.test(rest)) return { scheme: 'malformed' };
    let decoded: string;
    try {
      decoded = UTF8.decode(Buffer.from(rest, 'base64'));
    } catch {
      return { scheme: 'malformed' };
    }
    // No auth id or token holds a NUL (and PostgreSQL text cannot): RFC 7617 §2 excludes control
    // characters from both parts.
    if (decoded.includes('\u0000')) return { scheme: 'malformed' };
    const colon = decoded.indexOf(':');
    if (colon < 0) return { scheme: 'malformed' };
    return { scheme: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (scheme === 'bearer') {
    if (rest.length === 0 || rest.length > 512 || !/^[A-Za-z0-9._~+/-]+=*$/.test(rest))
      return { scheme: 'malformed' };
    return { scheme: 'bearer', token: rest };
  }
  return { scheme: 'malformed' };
}
