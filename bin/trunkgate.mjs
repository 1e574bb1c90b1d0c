#!/usr/bin/env node
// The `trunkgate` command. Runs the compiled CLI (dist/, built by `npm ci` / `npm run build`) when
// it is at least as new as every source file, else the TypeScript sources through tsx — so
// `npm start` never runs a stale build and never waits for tsc.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `trunkgate: Node.js ${process.versions.node} is too old; trunkgate needs Node.js 22.12 or newer (24 LTS recommended)\n`,
  );
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// tsconfig.build.json compiles src/ and sdk/ (the CLI's API client) side by side under dist/.
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function compiledIsFresh() {
  if (process.env.TRUNKGATE_FROM_SOURCE) return false;
  try {
    const newest = Math.max(newestSourceMtime(join(root, 'src')), newestSourceMtime(join(root, 'sdk')));
    return statSync(compiled).mtimeMs >= newest;
  } catch {
    return false;
  }
}

let entry;
if (compiledIsFresh()) {
  entry = pathToFileURL(compiled).href;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href;
}
const { main } = await import(entry);
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
