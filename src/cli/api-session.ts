// What the resource commands share (accounts, credentials, acls, trunks, uris, apps): who they
// are (TRUNKGATE_API_KEY as a Bearer token, else TRUNKGATE_AUTH_ID/TRUNKGATE_AUTH_TOKEN, else the
// root account's TRUNKGATE_ROOT_AUTH_ID/TRUNKGATE_ROOT_AUTH_TOKEN), which node (src/cli/node-url.ts),
// the typed client (sdk/client.ts), option parsing, and how results and API errors are printed.
// Secrets are read from the environment only — never from the command line, where `ps` shows them.
import { createTrunkgateClient, isApiErrorBody, type TrunkgateClient } from '../../sdk/client.ts';
import { loadConfig } from '../config.ts';
import { nodeUrl, UsageError } from './node-url.ts';

export { UsageError };

export interface Session {
  api: TrunkgateClient;
  /** The account the paths name: --account, else the one signed in. */
  authId: string;
  json: boolean;
}

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
}

/** `--name value` / `--name=value`, repeatable; bare `--flag` (in `flags`) is "true". */
export function parseArgs(
  args: readonly string[],
  valued: readonly string[],
  flags: readonly string[],
): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  const add = (k: string, v: string) => options.set(k, [...(options.get(k) ?? []), v]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      add(name, 'true');
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      add(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, options };
}

export function one(p: ParsedArgs, name: string): string | undefined {
  const v = p.options.get(name);
  if (v !== undefined && v.length > 1) throw new UsageError(`--${name} is given more than once`);
  return v?.[0];
}

export function required(p: ParsedArgs, name: string): string {
  const v = one(p, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function session(p: ParsedArgs, env: NodeJS.ProcessEnv): Session {
  const { url } = nodeUrl(
    one(p, 'url') === undefined ? [] : ['--url', one(p, 'url') ?? ''],
    env,
    loadConfig(),
  );
  const apiKey = env['TRUNKGATE_API_KEY'];
  const authId = env['TRUNKGATE_AUTH_ID'] ?? env['TRUNKGATE_ROOT_AUTH_ID'];
  const authToken = env['TRUNKGATE_AUTH_TOKEN'] ?? env['TRUNKGATE_ROOT_AUTH_TOKEN'];
  const account = one(p, 'account');
  let api: TrunkgateClient;
  if (apiKey !== undefined && apiKey !== '') {
    api = createTrunkgateClient({ baseUrl: url, apiKey, ...(authId ? { authId } : {}) });
  } else if (authId && authToken) {
    api = createTrunkgateClient({ baseUrl: url, authId, authToken });
  } else {
    throw new UsageError(
      'no credentials: set TRUNKGATE_API_KEY, or TRUNKGATE_AUTH_ID and TRUNKGATE_AUTH_TOKEN (or the root account’s TRUNKGATE_ROOT_AUTH_ID and TRUNKGATE_ROOT_AUTH_TOKEN)',
    );
  }
  const pathAccount = account ?? authId;
  if (pathAccount === undefined) throw new UsageError('with TRUNKGATE_API_KEY, give --account AUTH_ID');
  return { api, authId: pathAccount, json: p.options.has('json') };
}

/** An API answer that is not a success: what the API said, as it said it. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(
      isApiErrorBody(body)
        ? `${body.error} (${status} ${body.code}${body.field ? `, field ${body.field}` : ''})`
        : `the API answered ${status}`,
    );
  }
}

/** The data of a successful openapi-fetch result, or an ApiFailure. */
export function unwrap<T>(res: { data?: T; error?: unknown; response: Response }): T {
  if (res.response.ok && res.error === undefined) return res.data as T;
  throw new ApiFailure(res.response.status, res.error);
}

/** Plivo-style pages: fetches `limit` 20 at a time until `meta.next` is null. */
export async function allPages<T>(
  page: (offset: number) => Promise<{ meta: { next: string | null }; objects: T[] }>,
): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += 20) {
    const body = await page(offset);
    out.push(...body.objects);
    if (body.meta.next === null || body.objects.length === 0) return out;
  }
}

/** A table of the chosen columns (tab-separated, with a header), or the objects as JSON lines. */
export function printRows(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  json: boolean,
): void {
  if (json) {
    for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const cell = (v: unknown) =>
    v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : String(v);
  process.stdout.write(`${columns.join('\t')}\n`);
  for (const r of rows) process.stdout.write(`${columns.map((c) => cell(r[c])).join('\t')}\n`);
}

export interface ResourceSpec {
  /** The command's name, e.g. "trunks". */
  name: string;
  usage: string;
  /** Options that take a value, beyond --url, --account. */
  valued: readonly string[];
  list(s: Session): Promise<Record<string, unknown>[]>;
  columns: readonly string[];
  /** Creates and returns the new object's id. */
  create(s: Session, p: ParsedArgs): Promise<string>;
  delete(s: Session, id: string): Promise<void>;
}

/** `trunkgate <resource> <list|create|delete> …` for one resource. */
export async function runResource(spec: ResourceSpec, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help' || rest.includes('--help')) {
    process.stdout.write(spec.usage);
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub !== 'list' && sub !== 'create' && sub !== 'delete')
      throw new UsageError(`unknown command "${sub}"`);
    const p = parseArgs(rest, ['url', 'account', ...spec.valued], ['json']);
    const s = session(p, process.env);
    if (sub === 'list') {
      if (p.positional.length > 0) throw new UsageError(`unexpected argument "${p.positional[0]}"`);
      printRows(await spec.list(s), spec.columns, s.json);
    } else if (sub === 'create') {
      if (p.positional.length > 0) throw new UsageError(`unexpected argument "${p.positional[0]}"`);
      process.stdout.write(`${await spec.create(s, p)}\n`);
    } else {
      const [id, ...extra] = p.positional;
      if (id === undefined) throw new UsageError('missing the id to delete');
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      await spec.delete(s, id);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`trunkgate ${spec.name}: ${err.message}\n\n${spec.usage}`);
      return 2;
    }
    if (err instanceof ApiFailure) {
      process.stderr.write(`trunkgate ${spec.name}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof TypeError && err.cause instanceof Error) {
      // fetch could not reach the node
      process.stderr.write(`trunkgate ${spec.name}: cannot reach the API: ${err.cause.message}\n`);
      return 1;
    }
    throw err;
  }
}

export const COMMON_USAGE = `
  Common options:
    --url URL           the node's API (else TRUNKGATE_URL, else the configured HTTP address)
    --account AUTH_ID   act on this account (yours or a subaccount's; default: the signed-in one)
    --json              list: one JSON object per line instead of a table
  Credentials come from the environment only: TRUNKGATE_API_KEY (Bearer), or TRUNKGATE_AUTH_ID and
  TRUNKGATE_AUTH_TOKEN, or the root account's TRUNKGATE_ROOT_AUTH_ID and TRUNKGATE_ROOT_AUTH_TOKEN.
  Exit status: 0 done, 1 the API refused (its message and code are printed), 2 usage.
`;
