// Runs the real CLI (`node bin/trunkgate.mjs …`) as a child process, from the TypeScript sources,
// with an environment built from scratch (nothing leaks in from the test runner's TRUNKGATE_*).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const BIN = join(REPO_ROOT, 'bin', 'trunkgate.mjs');

/** A port nobody listens on right now (the OS picks it; we release it for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    TRUNKGATE_FROM_SOURCE: '1',
    ...env,
  };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
}

/**
 * Runs a CLI command to completion. A command still running after 60 s is killed (and then shows
 * signal SIGKILL), so a process that hangs fails its test instead of hanging the suite.
 */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: childEnv(env) });
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', (err) => {
      clearTimeout(guard);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ServerProcess {
  origin: string;
  port: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Sends the signal and waits for the process to exit (SIGKILL after 30 s). */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * `trunkgate serve` on free HTTP and SIP ports; resolves once GET /health answers 200.
 * Rejects (with the process output) if the process exits first.
 */
export async function startServerProcess(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const sipPort = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: REPO_ROOT,
    env: childEnv({
      TRUNKGATE_HTTP_HOST: '127.0.0.1',
      TRUNKGATE_HTTP_PORT: String(port),
      TRUNKGATE_SIP_HOST: '127.0.0.1',
      TRUNKGATE_SIP_PORT: String(sipPort),
      TRUNKGATE_LOG_LEVEL: 'info',
      ...env,
    }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let hasExited = false;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    }),
  );
  const origin = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    origin,
    port,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      if (hasExited) return exited;
      child.kill(signal);
      // A process that ignores the signal is killed, so its test fails instead of hanging.
      const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const exit = await exited;
      clearTimeout(guard);
      return exit;
    },
  };

  // Wait for readiness. The deadline only guards against a hung start; nothing asserts on time.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited) {
      const e = await exited;
      throw new Error(
        `trunkgate serve exited (${e.code ?? e.signal}) before answering:\n${stdout}\n${stderr}`,
      );
    }
    try {
      const res = await fetch(`${origin}/health`);
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop('SIGKILL');
      throw new Error(`trunkgate serve did not answer /health:\n${stdout}\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
