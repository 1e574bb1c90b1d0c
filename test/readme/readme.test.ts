// README.md, verbatim: every ```sh block runs with bash, in order, in one session (variables a block
// sets are seen by the blocks after it, as in a reader's terminal), on a fresh copy of the
// repository's files with a fresh SQLite database, against the real service the README itself
// starts (`npm start`). Exit codes and the output each block shows (```text after it) are checked.
// The conventions are in test/readme/readme-blocks.ts.
//
// The only things the test chooses are the ports, through the variables the README itself uses
// (TRUNKGATE_HTTP_PORT, TRUNKGATE_SIP_PORT, UAS_PORT), so that parallel runs do not collide, and
// one SIP worker (TRUNKGATE_SIP_WORKERS) to spare the machine.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, REPO_ROOT } from '../helpers/server-process.ts';
import { sippAvailable } from '../helpers/sip.ts';
import { firstMissingLine, parseReadmeBlocks, type ReadmeBlock } from './readme-blocks.ts';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
// Generous: the first `npx trunkgate` of a fresh copy links it into npm's npx cache (a minute on a busy machine).
const BLOCK_TIMEOUT_MS = 300_000;

/** The repository's files as a fresh clone has them (tracked and new, not ignored), node_modules linked. */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trunkgate-readme-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(REPO_ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(REPO_ROOT, f), join(dir, f));
  }
  // What `npm ci` would install (the README's `npm ci` block is the one step not repeated here).
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

interface BlockRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * The session's variables live in a file: each block starts by reading it (`set -a`, so every
 * assignment is exported) and writes it back before every command (DEBUG trap) and at exit, so a
 * service block that never exits still hands on what it exported before `npm start`.
 */
function script(block: ReadmeBlock, stateFile: string): string {
  return [
    'set -a',
    `source ${JSON.stringify(stateFile)}`,
    // Not at the exit of a service block: it is stopped later, when other blocks have moved on.
    `trap 'export -p > ${JSON.stringify(stateFile)}' ${block.mode === 'service' ? 'DEBUG' : 'DEBUG EXIT'}`,
    'set -e',
    block.code,
    '',
  ].join('\n');
}

function spawnBlock(block: ReadmeBlock, cwd: string, stateFile: string): ChildProcess {
  // Own process group, so everything the block started can be stopped with it.
  return spawn('bash', ['-c', script(block, stateFile)], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp' },
  });
}

function collect(child: ChildProcess): () => string {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-500_000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-500_000);
  });
  return () => output;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function runBlock(block: ReadmeBlock, cwd: string, stateFile: string): Promise<BlockRun> {
  const child = spawnBlock(block, cwd, stateFile);
  const output = collect(child);
  return new Promise((resolve) => {
    // A block that hangs fails its test instead of hanging the suite (not a timing assertion).
    const guard = setTimeout(() => killGroup(child, 'SIGKILL'), BLOCK_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      // Whatever the block left behind in its group (it should have waited for it) is stopped.
      killGroup(child, 'SIGKILL');
      setImmediate(() => resolve({ code, signal, output: output() }));
    });
  });
}

interface Service {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

async function startService(
  block: ReadmeBlock,
  cwd: string,
  stateFile: string,
  httpPort: number,
): Promise<Service> {
  const child = spawnBlock(block, cwd, stateFile);
  const output = collect(child);
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const deadline = Date.now() + BLOCK_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`README.md:${block.line}: the service exited before answering:\n${output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/health`);
      if (res.status === 200) return { child, output, exited };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      throw new Error(`README.md:${block.line}: the service never answered /health:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopService(service: Service | undefined): Promise<void> {
  if (service === undefined) return;
  killGroup(service.child, 'SIGTERM');
  const guard = setTimeout(() => killGroup(service.child, 'SIGKILL'), 30_000);
  await service.exited;
  clearTimeout(guard);
  // npm's child (the node process) shares the group; make sure nothing keeps the ports.
  killGroup(service.child, 'SIGKILL');
}

describe('README.md runs verbatim', { timeout: 1_800_000 }, () => {
  const blocks = parseReadmeBlocks(README);
  let cwd: string;
  let stateFile: string;
  let httpPort: number;
  let service: Service | undefined;

  before(async () => {
    cwd = freshCopy();
    stateFile = join(cwd, '..', `${cwd.split('/').pop()}.session`);
    httpPort = await freePort();
    const variables = {
      TRUNKGATE_HTTP_PORT: String(httpPort),
      TRUNKGATE_SIP_PORT: String(await freePort()),
      UAS_PORT: String(await freePort()),
      TRUNKGATE_SIP_WORKERS: '1',
    };
    writeFileSync(
      stateFile,
      Object.entries(variables)
        .map(([k, v]) => `export ${k}=${v}\n`)
        .join(''),
    );
  });

  after(async () => {
    await stopService(service);
    rmSync(cwd, { recursive: true, force: true });
    rmSync(stateFile, { force: true });
  });

  test('the README has command blocks, and every skip says why', () => {
    assert.ok(blocks.length >= 10, `only ${blocks.length} sh blocks found`);
    for (const b of blocks)
      if (b.mode === 'skip') assert.ok((b.skipReason ?? '').length > 5, `README.md:${b.line}`);
    assert.ok(
      blocks.some((b) => b.mode === 'service'),
      'some block starts the service',
    );
  });

  for (const block of blocks) {
    const name = `README.md:${block.line} (${block.heading}): ${
      block.code
        .split('\n')
        .find((l) => l.trim() !== '' && !l.startsWith('#'))
        ?.slice(0, 60) ?? ''
    }`;
    if (block.mode === 'skip') {
      test(name, { skip: block.skipReason }, () => {});
      continue;
    }
    const needsSipp = /\bsipp\b/.test(block.code);
    test(name, needsSipp && !sippAvailable() ? { skip: 'sipp is not installed' } : {}, async () => {
      if (block.mode === 'service') {
        await stopService(service);
        service = undefined;
        service = await startService(block, cwd, stateFile, httpPort);
        if (block.expectedOutput) {
          const missing = firstMissingLine(service.output(), block.expectedOutput);
          assert.equal(missing, undefined, `service output lacks "${missing}":\n${service.output()}`);
        }
        return;
      }
      const r = await runBlock(block, cwd, stateFile);
      assert.equal(
        r.code,
        block.expectedExit,
        `exit ${r.code ?? r.signal}, expected ${block.expectedExit}:\n${r.output.slice(-6000)}${service ? `\n--- service ---\n${service.output().slice(-4000)}` : ''}`,
      );
      if (block.expectedOutput) {
        const missing = firstMissingLine(r.output, block.expectedOutput);
        assert.equal(missing, undefined, `output lacks "${missing}":\n${r.output.slice(-6000)}`);
      }
    });
  }
});
