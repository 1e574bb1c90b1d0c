// The "+ Add CIDR Address" field takes one or more CIDRs, comma-separated (the API splits the same
// way: src/domain/allowlist-rules.ts). A refusal names the CIDR it concerns in its message; this
// finds which of the typed CIDRs that is, so the message can be shown next to it.

export function splitCidrs(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A lenient canonical form for matching: lower case, IPv6 zero runs not expanded (good enough for text). */
function norm(s: string): string {
  return s.toLowerCase();
}

/**
 * The index of the typed CIDR the API's message is about, or -1. The API words CIDRs canonically
 * (`2001:db8::/32`), so a typed `2001:DB8::/32` matches too; the longest match wins (`10.0.0.0/8`
 * must not claim a message about `10.0.0.0/80`).
 */
export function cidrConcerned(typed: readonly string[], message: string): number {
  const m = norm(message);
  let best = -1;
  let bestLength = 0;
  typed.forEach((cidr, i) => {
    const c = norm(cidr);
    if (c.length > bestLength && containsToken(m, c)) {
      best = i;
      bestLength = c.length;
    }
  });
  return best;
}

function containsToken(text: string, token: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(token, from);
    if (at < 0) return false;
    const after = text[at + token.length];
    const before = at === 0 ? undefined : text[at - 1];
    const boundary = (ch: string | undefined) => ch === undefined || !/[0-9a-f:./]/.test(ch);
    if (boundary(before) && boundary(after)) return true;
    from = at + 1;
  }
}

/** The subnet mask a CIDR's prefix stands for: dotted for IPv4, the prefix length for IPv6. */
export function subnetMask(cidr: string): string {
  const [addr, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  if (addr === undefined || !Number.isInteger(prefix)) return '';
  if (addr.includes(':')) return `/${prefix} (${128 - prefix} host bits)`;
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}
