// The digest algorithms a trunk or an application offers in its challenges (RFC 8760 §2.4: one
// challenge per algorithm, most preferred first). null means the deployment's list
// (TRUNKGATE_DIGEST_ALGORITHMS). Stored as JSON text, e.g. ["SHA-256","MD5"].
import { DIGEST_ALGORITHMS, type DigestAlgorithm, parseDigestAlgorithm } from './digest/digest-hash.ts';

export type DigestAlgorithmListResult =
  | { readonly ok: true; readonly value: DigestAlgorithm[] }
  | { readonly ok: false; readonly message: string };

/** Names in any case; at least one; each at most once; order kept (it is the preference). */
export function checkDigestAlgorithmList(names: readonly string[]): DigestAlgorithmListResult {
  if (names.length === 0)
    return {
      ok: false,
      message: `digest_algorithms must name at least one of ${DIGEST_ALGORITHMS.join(', ')}, or be null for the deployment default`,
    };
  const out: DigestAlgorithm[] = [];
  for (const name of names) {
    const algorithm = parseDigestAlgorithm(name);
    if (algorithm === undefined)
      return {
        ok: false,
        message: `digest_algorithms: "${name}" is not supported; use ${DIGEST_ALGORITHMS.join(', ')}`,
      };
    if (out.includes(algorithm))
      return { ok: false, message: `digest_algorithms lists ${algorithm} twice; list each once` };
    out.push(algorithm);
  }
  return { ok: true, value: out };
}

export function serializeDigestAlgorithms(list: readonly DigestAlgorithm[] | null): string | null {
  return list === null ? null : JSON.stringify(list);
}

/** Reads the stored column. Anything unreadable is an error: the column is only written by us. */
export function deserializeDigestAlgorithms(text: string | null): DigestAlgorithm[] | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error('digest_algorithms column is not a JSON list');
  const checked = checkDigestAlgorithmList(value.map(String));
  if (!checked.ok) throw new Error(`digest_algorithms column: ${checked.message}`);
  return checked.value;
}
