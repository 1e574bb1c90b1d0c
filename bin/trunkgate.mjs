#!/usr/bin/env node
// Runs the compiled CLI when it exists (npm ci builds it), else the TypeScript sources via tsx.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');
let entry;
if (existsSync(compiled) && !process.env.TRUNKGATE_FROM_SOURCE) {
  entry = pathToFileURL(compiled).href;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href;
}
const { main } = await import(entry);
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
