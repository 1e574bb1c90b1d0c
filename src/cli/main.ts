// `npx trunkgate <command>`: one file per command under src/cli/.
import { ConfigError, loadConfig } from '../config.ts';
import { allowlistCommand } from './allowlist-command.ts';
import { keysCommand } from './keys-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { serveCommand } from './serve-command.ts';

const USAGE = `usage: trunkgate <command>

commands:
  serve [--api-only | --sip-only]   run the API (HTTP) and the SIP edge
  migrate                           apply database migrations and exit
  keys <rotate|status|generate>     manage the keys that encrypt stored secrets (see: keys --help)
  allowlist <list|clear> <auth_id>  show or clear an account's API IP allowlist (break-glass)
`;

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  keys: keysCommand,
  allowlist: allowlistCommand,
  root: (args) => import('./root-command.ts').then((m) => m.rootCommand(args)),
};

export function registerCommand(name: string, command: Command): void {
  COMMANDS[name] = command;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`trunkgate: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    // Fail fast on configuration before doing anything else.
    loadConfig();
    return await command(args);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`trunkgate: invalid configuration: ${err.message}\n`);
      return 78; // EX_CONFIG
    }
    process.stderr.write(`trunkgate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
