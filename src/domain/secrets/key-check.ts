// Start-up check: every stored secret must be openable with a configured key. Finding out at
// start ("key k1 is not configured") beats failing at first use, mid-call, on one credential.
import { ConfigError } from '../../config.ts';
import type { EncryptedSecretColumn, KeyUsage } from './encrypted-column.ts';
import type { Keyring } from './keyring.ts';

export type KeyProblem =
  | { kind: 'missing_key'; column: string; keyId: string; count: number }
  | { kind: 'key_does_not_open'; column: string; keyId: string; id: string; count: number };

export interface KeyCheckResult {
  usage: Array<{ column: string; keys: KeyUsage[] }>;
  problems: KeyProblem[];
}

export async function checkStoredSecretKeys(
  columns: readonly EncryptedSecretColumn[],
  keyring: Keyring,
): Promise<KeyCheckResult> {
  const usage: KeyCheckResult['usage'] = [];
  const problems: KeyProblem[] = [];
  for (const column of columns) {
    const keys = await column.countByKeyId();
    usage.push({ column: column.label, keys });
    for (const { keyId, count } of keys) {
      if (!keyring.has(keyId)) {
        problems.push({ kind: 'missing_key', column: column.label, keyId, count });
        continue;
      }
      // One sample per key id proves the configured bytes are the right key for that id.
      const probe = await column.probe(keyId);
      if (probe !== undefined && probe.outcome !== 'ok')
        problems.push({ kind: 'key_does_not_open', column: column.label, keyId, id: probe.id, count });
    }
  }
  return { usage, problems };
}

export function describeKeyProblems(problems: readonly KeyProblem[], keyring: Keyring): string {
  const lines = problems.map((p) =>
    p.kind === 'missing_key'
      ? `${p.count} secret(s) in ${p.column} are encrypted under key id "${p.keyId}", which is not configured`
      : `key id "${p.keyId}" is configured but does not open ${p.column} row ${p.id} (a different key under the same id, or the row was altered)`,
  );
  const configured = keyring.ids.length === 0 ? 'no keys' : `key ids ${keyring.ids.join(', ')}`;
  return `${lines.join('; ')}. This process has ${configured}. Add the missing key(s) to TRUNKGATE_SECRET_KEYS as id:base64 (newest first, e.g. TRUNKGATE_SECRET_KEYS="k2:NEW,k1:OLD"), then run \`trunkgate keys rotate\` to move everything to the newest key.`;
}

/** Throws a ConfigError (exit code 78 from the CLI) when a stored secret has no key that opens it. */
export async function assertStoredSecretsOpen(
  columns: readonly EncryptedSecretColumn[],
  keyring: Keyring,
): Promise<KeyCheckResult> {
  const result = await checkStoredSecretKeys(columns, keyring);
  if (result.problems.length > 0)
    throw new ConfigError('TRUNKGATE_SECRET_KEYS', describeKeyProblems(result.problems, keyring));
  return result;
}
