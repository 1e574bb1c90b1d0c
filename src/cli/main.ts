// `npx trunkgate <command>`: one file per command under src/cli/.
import { ConfigError, loadConfig } from '../config.ts';
import { accountsCommand } from './accounts-command.ts';
import { aclsCommand } from './acls-command.ts';
import { allowlistCommand } from './allowlist-command.ts';
import { appsCommand } from './apps-command.ts';
import { credentialsCommand } from './credentials-command.ts';
import { keysCommand } from './keys-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { serveCommand } from './serve-command.ts';
import { statusCommand } from './status-command.ts';
import { trunksCommand } from './trunks-command.ts';
import { urisCommand } from './uris-command.ts';
import { versionCommand } from './version-command.ts';

const USAGE = `usage: trunkgate <command>   (trunkgate <command> --help for its options)

commands:
  serve [--api-only | --sip-only]   run the API (HTTP) and the SIP edge
  migrate                           apply database migrations and exit
  status [--url URL]                a running node's health: database, Redis, SIP edge workers
  --version                         print the version

  through a running node's API (credentials from TRUNKGATE_API_KEY or TRUNKGATE_AUTH_ID/_TOKEN):
  accounts <list|create|delete>     subaccounts
  credentials <list|create|delete>  SIP digest credentials
  acls <list|create|delete>         IP access control lists
  uris <list|create|delete>         origination URIs
  trunks <list|create|delete>       Zentrunk trunks
  apps <list|create|delete>         applications

  on the database directly:
  keys <rotate|status|generate>     manage the keys that encrypt stored secrets (see: keys --help)
  allowlist <list|clear> <auth_id>  show or clear an account's API IP allowlist (break-glass)
`;

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  keys: keysCommand,
  allowlist: allowlistCommand,
  status: statusCommand,
  version: versionCommand,
  '--version': versionCommand,
  '-v': versionCommand,
  accounts: accountsCommand,
  credentials: credentialsCommand,
  acls: aclsCommand,
  uris: urisCommand,
  trunks: trunksCommand,
  apps: appsCommand,
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
    // Fail fast on configuration before doing anything else — but help and the version need none.
    const helpOnly =
      args.includes('--help') || args.includes('-h') || name === '--version' || name === 'version';
    if (!helpOnly) loadConfig();
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
