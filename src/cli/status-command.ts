// `trunkgate status [--url URL]`: a running node's health as its GET /health reports it — the
// database, Redis, where rate limits live and the SIP edge (workers, state backend). Exit 0 when
// the node says "ok", 1 when it is degraded, unhealthy or unreachable.
import { loadConfig } from '../config.ts';
import { nodeUrl, UsageError } from './node-url.ts';

const USAGE = `usage: trunkgate status [--url URL]

  Asks a running trunkgate node for its health (GET /health) and prints it.
  URL: --url, else TRUNKGATE_URL, else http://TRUNKGATE_HTTP_HOST:TRUNKGATE_HTTP_PORT.
  Exit status: 0 ok, 1 degraded, unhealthy or unreachable, 2 usage.
`;

interface Health {
  status?: unknown;
  database?: unknown;
  redis?: unknown;
  rate_limits?: unknown;
  sip_edge?: { backend?: unknown; degraded?: unknown; workers?: unknown };
}

function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '—';
}

export async function statusCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let url: string;
  try {
    const choice = nodeUrl(args, process.env, loadConfig());
    if (choice.rest.length > 0) throw new UsageError(`unexpected argument "${choice.rest[0]}"`);
    url = choice.url;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`trunkgate status: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    process.stdout.write(`trunkgate at ${url}: unreachable (${why})\n`);
    return 1;
  }
  let body: Health;
  try {
    body = (await res.json()) as Health;
  } catch {
    process.stdout.write(`trunkgate at ${url}: GET /health answered ${res.status} without JSON\n`);
    return 1;
  }
  const status = res.status === 200 ? text(body.status) : `unhealthy (HTTP ${res.status})`;
  const lines = [
    `trunkgate at ${url}: ${status}`,
    `  database:     ${text(body.database)}`,
    `  redis:        ${text(body.redis)}`,
    `  rate limits:  ${text(body.rate_limits)}`,
  ];
  const edge = body.sip_edge;
  lines.push(
    edge === undefined
      ? '  sip edge:     not running in this node (serve --api-only)'
      : `  sip edge:     ${text(edge.workers)} worker(s), state ${text(edge.backend)}${edge.degraded === true ? ', DEGRADED' : ''}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return res.status === 200 && body.status === 'ok' ? 0 : 1;
}
