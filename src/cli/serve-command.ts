import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { installSignalHandlers, startServer } from '../server.ts';

const USAGE = `usage: trunkgate serve [--api-only | --sip-only]

  Runs the API (HTTP, TRUNKGATE_HTTP_HOST:TRUNKGATE_HTTP_PORT, default 0.0.0.0:8080) and the SIP edge
  (UDP and TCP, TRUNKGATE_SIP_HOST:TRUNKGATE_SIP_PORT, default 0.0.0.0:5060) until SIGTERM or SIGINT.
  Applies pending database migrations first. Configuration is environment variables (README.md
  "Configuration"); a bad value stops it with exit status 78.

  --api-only   the API alone (no SIP edge)
  --sip-only   the SIP edge alone (no API); any number of edge nodes can share one database
`;

export async function serveCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const apiOnly = args.includes('--api-only');
  const sipOnly = args.includes('--sip-only');
  const unknown = args.filter((a) => a !== '--api-only' && a !== '--sip-only');
  if (unknown.length > 0 || (apiOnly && sipOnly)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const server = await startServer(config, { api: !sipOnly, sip: !apiOnly }, log);
  installSignalHandlers(server, log);
  // Keep running until a signal closes the server.
  await new Promise<void>(() => {});
  return 0;
}
