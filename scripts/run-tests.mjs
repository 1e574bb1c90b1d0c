#!/usr/bin/env node
// Runs the whole suite with node's test runner: unit tests, then integration tests (which run
// once per configured database), then SIP tests against the real edge with sipp.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : find('test');
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    ...files,
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, TRUNKGATE_LOG_LEVEL: process.env.TRUNKGATE_LOG_LEVEL ?? 'silent' },
  },
);
process.exit(res.status ?? 1);
