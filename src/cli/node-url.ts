// Where a running node's API is, for the commands that talk to it over HTTP (status and the
// resource commands): `--url URL`, else TRUNKGATE_URL, else the configured HTTP host and port
// (a wildcard listen address is reached on loopback).
import type { Config } from '../config.ts';

export interface UrlChoice {
  url: string;
  /** The arguments with `--url URL` / `--url=URL` removed. */
  rest: string[];
}

export class UsageError extends Error {}

export function nodeUrl(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  config: Readonly<Config>,
): UrlChoice {
  const rest: string[] = [];
  let flag: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--url') {
      flag = args[++i];
      if (flag === undefined || flag === '')
        throw new UsageError('--url needs a value, e.g. --url http://10.0.0.5:8080');
    } else if (a.startsWith('--url=')) {
      flag = a.slice('--url='.length);
    } else {
      rest.push(a);
    }
  }
  const raw = flag ?? env['TRUNKGATE_URL'] ?? defaultUrl(config);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a URL; use e.g. http://127.0.0.1:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`"${raw}" is not an http(s) URL`);
  }
  return { url: parsed.origin, rest };
}

function defaultUrl(config: Readonly<Config>): string {
  const host = config.httpHost;
  const reachable =
    host === '0.0.0.0' || host === ''
      ? '127.0.0.1'
      : host === '::'
        ? '[::1]'
        : host.includes(':')
          ? `[${host}]`
          : host;
  return `http://${reachable}:${config.httpPort}`;
}
