// `trunkgate keys <rotate|status|generate>`: manage the keys that encrypt stored secrets
// (TRUNKGATE_SECRET_KEY / TRUNKGATE_SECRET_KEYS; docs/architecture.md "Secrets").
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../config.ts';
import type { KeyUsage } from '../domain/secrets/encrypted-column.ts';
import { checkStoredSecretKeys, describeKeyProblems } from '../domain/secrets/key-check.ts';
import { SECRET_KEY_BYTES } from '../domain/secrets/keyring.ts';
import { rotateSecrets } from '../domain/secrets/rotation.ts';
import { createServices, type Services } from '../services.ts';
import { openStore } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';

const USAGE = `usage: trunkgate keys <command>

  keys rotate [--batch-size N] [--max-batches N]
        re-encrypt every stored secret under the newest key (the first of TRUNKGATE_SECRET_KEYS),
        N secrets per committed batch (default 100). Safe to interrupt and re-run: each run
        continues with the secrets not yet under the newest key. --max-batches stops after N batches.
  keys status
        how many stored secrets each key id holds, and whether this process can open them
  keys generate
        print a new random key for TRUNKGATE_SECRET_KEY / TRUNKGATE_SECRET_KEYS
`;

const DEFAULT_BATCH_SIZE = 100;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function usageError(message: string): number {
  process.stderr.write(`trunkgate keys: ${message}\n\n${USAGE}`);
  return 2;
}

/** Parses `--name N` / `--name=N` options with whole-number values. */
function parseOptions(args: string[], allowed: readonly string[]): Record<string, number> | string {
  const opts: Record<string, number> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!name.startsWith('--') || !allowed.includes(name.slice(2))) return `unknown option "${arg}"`;
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || !/^\d{1,7}$/.test(value) || Number(value) < 1)
      return `${name} needs a whole number from 1 to 9999999`;
    opts[name.slice(2)] = Number(value);
  }
  return opts;
}

async function withServices<T>(fn: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = openStore({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
  try {
    const { applied } = await migrateToLatest(store);
    if (applied.length > 0) out(`${store.describe}: applied migrations ${applied.join(', ')}`);
    return await fn(createServices(config, store));
  } finally {
    await store.close();
  }
}

function describeUsage(
  keys: readonly KeyUsage[],
  current: string | undefined,
  configured: (id: string) => boolean,
) {
  if (keys.length === 0) return 'no stored secrets';
  return keys
    .map((k) => {
      const note = k.keyId === current ? 'newest' : configured(k.keyId) ? 'older' : 'NOT CONFIGURED';
      return `${k.count} under "${k.keyId}" (${note})`;
    })
    .join(', ');
}

async function rotate(args: string[]): Promise<number> {
  const opts = parseOptions(args, ['batch-size', 'max-batches']);
  if (typeof opts === 'string') return usageError(opts);
  const batchSize = opts['batch-size'] ?? DEFAULT_BATCH_SIZE;
  const maxBatches = opts['max-batches'];
  return withServices(async (services) => {
    const keyring = services.secretBox.keyring;
    const current = keyring.current;
    if (current === undefined)
      throw new ConfigError(
        'TRUNKGATE_SECRET_KEYS',
        'no key is configured, so there is nothing to rotate to; set TRUNKGATE_SECRET_KEYS="k2:NEW,k1:OLD" (newest first; generate one with `trunkgate keys generate`)',
      );
    out(`newest key: "${current.id}"; configured: ${keyring.ids.map((id) => `"${id}"`).join(', ')}`);
    for (const column of services.encryptedColumns) {
      out(
        `${column.label}: ${describeUsage(await column.countByKeyId(), current.id, (id) => keyring.has(id))}`,
      );
    }
    const report = await rotateSecrets(services.encryptedColumns, {
      currentKeyId: current.id,
      batchSize,
      ...(maxBatches === undefined ? {} : { maxBatches }),
      onBatch: (column, n, r) =>
        out(
          `batch ${n}: ${column}: re-encrypted ${r.reencrypted} of ${r.examined}` +
            (r.skipped > 0 ? `, ${r.skipped} changed meanwhile (left alone)` : '') +
            (r.failures.length > 0 ? `, ${r.failures.length} could not be opened` : ''),
        ),
    });
    let remaining = 0;
    for (const column of services.encryptedColumns) {
      for (const k of await column.countByKeyId()) if (k.keyId !== current.id) remaining += k.count;
    }
    for (const f of report.failures) {
      const why =
        f.reason === 'unknown_key'
          ? `its key "${f.keyId}" is not configured; add it to TRUNKGATE_SECRET_KEYS`
          : f.reason === 'authentication_failed'
            ? `key "${f.keyId}" does not open it (wrong key for that id, or the row was altered)`
            : 'the stored value is not a sealed secret (altered or corrupt)';
      process.stderr.write(`trunkgate keys: cannot re-encrypt ${f.column} row ${f.id}: ${why}\n`);
    }
    out(
      `re-encrypted ${report.reencrypted} secret(s) in ${report.batches} batch(es)` +
        (report.skipped > 0 ? `, ${report.skipped} left alone (changed during the run)` : '') +
        (report.failures.length > 0 ? `, ${report.failures.length} failed` : '') +
        `; ${remaining} still under older keys`,
    );
    if (remaining === 0) out(`done: every stored secret is under "${current.id}"`);
    else if (report.stoppedEarly)
      out(`stopped after --max-batches ${maxBatches}; run \`trunkgate keys rotate\` again to continue`);
    return report.failures.length > 0 ? 1 : 0;
  });
}

async function status(args: string[]): Promise<number> {
  if (args.length > 0) return usageError(`unexpected argument "${args[0]}"`);
  return withServices(async (services) => {
    const keyring = services.secretBox.keyring;
    out(
      keyring.current === undefined
        ? 'no key configured: provider passwords cannot be stored (set TRUNKGATE_SECRET_KEY)'
        : `newest key: "${keyring.current.id}"; configured: ${keyring.ids.map((id) => `"${id}"`).join(', ')}`,
    );
    const result = await checkStoredSecretKeys(services.encryptedColumns, keyring);
    for (const u of result.usage)
      out(`${u.column}: ${describeUsage(u.keys, keyring.current?.id, (id) => keyring.has(id))}`);
    if (result.problems.length === 0) return 0;
    process.stderr.write(`trunkgate keys: ${describeKeyProblems(result.problems, keyring)}\n`);
    return 1;
  });
}

async function generate(args: string[]): Promise<number> {
  if (args.length > 0) return usageError(`unexpected argument "${args[0]}"`);
  const key = randomBytes(SECRET_KEY_BYTES).toString('base64');
  out(key);
  process.stderr.write(
    'use it as TRUNKGATE_SECRET_KEY=<key>, or add it to the front of TRUNKGATE_SECRET_KEYS as "<id>:<key>,…" and run `trunkgate keys rotate`\n',
  );
  return 0;
}

export async function keysCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'rotate':
      return rotate(rest);
    case 'status':
      return status(rest);
    case 'generate':
      return generate(rest);
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return sub === undefined ? 2 : 0;
    default:
      return usageError(`unknown subcommand "${sub}"`);
  }
}
