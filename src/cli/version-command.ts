// `trunkgate --version` / `trunkgate version`: the version in package.json, read at run time so the
// compiled CLI (dist/) and the sources report the same thing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** package.json of this installation: the nearest one above this file named "trunkgate". */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'trunkgate' && typeof pkg.version === 'string') return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find trunkgate’s package.json');
    dir = parent;
  }
}

export async function versionCommand(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write('usage: trunkgate --version\n');
    return 2;
  }
  process.stdout.write(`trunkgate ${packageVersion()}\n`);
  return 0;
}
