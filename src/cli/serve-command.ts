import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { installSignalHandlers, startServer } from '../server.ts';

export async function serveCommand(args: string[]): Promise<number> {
  const apiOnly = args.includes('--api-only');
  const sipOnly = args.includes('--sip-only');
  const unknown = args.filter((a) => a !== '--api-only' && a !== '--sip-only');
  if (unknown.length > 0 || (apiOnly && sipOnly)) {
    process.stderr.write('usage: trunkgate serve [--api-only | --sip-only]\n');
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
