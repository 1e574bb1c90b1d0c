// Drivers for the SIP clients Debian ships (sipsak, baresip, linphone-daemon), run as child processes
// against the real edge, each with its own configuration directory under a temporary folder and its
// own free ports. Every driver kills what it started (stop()); nothing here imports src/.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

/** What a test needs to reach the edge: its port, the trunk domain, the credential. */
export interface ClientTarget {
  edgePort: number;
  domain: string;
  username: string;
  password: string;
  transport: 'udp' | 'tcp';
}

const presence = new Map<string, boolean>();

function commandExists(cmd: string): boolean {
  let found = presence.get(cmd);
  if (found === undefined) {
    found = spawnSync('sh', ['-c', `command -v ${cmd}`], { timeout: 10_000 }).status === 0;
    presence.set(cmd, found);
  }
  return found;
}

/**
 * `describe` option: skip (outside CI only) when a client is not installed. Under CI (`.ci/run`
 * installs the packages) a missing client throws, so the suite fails instead of skipping.
 */
export function clientSkip(cmd: string, debianPackage: string): { skip?: string } {
  if (commandExists(cmd)) return {};
  if (process.env['CI'])
    throw new Error(`${cmd} is required under CI (Debian package ${debianPackage}; .ci/run installs it)`);
  return { skip: `${cmd} is not installed (apt-get install ${debianPackage})` };
}

/**
 * `test` option for sipsak: it must resolve the trunk domain, which needs a private mount namespace
 * (`unshare -m`, root) to bind a file over /etc/hosts. Skips outside CI only, like clientSkip.
 */
export function privateHostsSkip(): { skip?: string } {
  if (commandExists('unshare') && spawnSync('unshare', ['-m', 'true'], { timeout: 10_000 }).status === 0)
    return {};
  const why = 'sipsak must resolve the trunk domain: needs `unshare -m` (root) for a private /etc/hosts';
  if (process.env['CI']) throw new Error(`${why}; CI runs as root`);
  return { skip: why };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Spawns a client; keeps the tail of its output; resolves `done` when it exits. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const done = new Promise<Finished>((resolve) => {
    child.once('error', (err) => {
      output += `\nspawn error: ${err.message}`;
    });
    child.once('close', (code, signal) => resolve({ code, signal, output }));
  });
  return { child, done, output: () => output };
}

/** SIGTERM, then SIGKILL if the process lingers; resolves when it has exited. */
async function kill(child: ChildProcess, done: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await done;
  clearTimeout(t);
}

/** Waits (bounded) for `probe` to return a value; throws `what` on timeout. Never asserts on time. */
async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- sipsak ----------------------------------------------------------------------------------------

/**
 * `sipsak -U` (usrloc mode: REGISTER, answer the 401, expect 200) to sip:user@trunk-domain.
 * sipsak insists on resolving the Request-URI's host and offers no outbound-proxy escape, so it runs
 * in a private mount namespace whose /etc/hosts (a file in `dir`) maps the trunk domain to 127.0.0.1;
 * the machine's /etc/hosts is never touched.
 */
export async function sipsakRegister(dir: string, t: ClientTarget, localPort: number): Promise<Finished> {
  mkdirSync(dir, { recursive: true });
  const hosts = join(dir, 'hosts');
  writeFileSync(hosts, `127.0.0.1 localhost\n127.0.0.1 ${t.domain}\n`);
  const args = [
    '-m',
    'sh',
    '-c',
    'mount --bind "$0" /etc/hosts && exec sipsak "$@"',
    hosts,
    '-U',
    '-s',
    `sip:${t.username}@${t.domain}`,
    '-r',
    String(t.edgePort),
    '-l',
    String(localPort),
    '-u',
    t.username,
    '-a',
    t.password,
    '-x',
    '60',
    // Our own address in Via/Contact (sipsak would resolve the machine's host name otherwise).
    '-H',
    '127.0.0.1',
    '-i',
    '-E',
    t.transport,
    // -vvv prints every message sent and received (the test reads the challenges from it).
    '-vvv',
  ];
  const p = run('unshare', args, { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, dir);
  const guard = setTimeout(() => p.child.kill('SIGKILL'), 60_000);
  const r = await p.done;
  clearTimeout(guard);
  return r;
}

// ---- baresip -----------------------------------------------------------------------------------------

export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  [k: string]: unknown;
}

export interface Baresip {
  /** A command of baresip's menu over ctrl_tcp (e.g. `reginfo`, `dial`, `hangup`); resolves with its data. */
  command(name: string, params?: string): Promise<string>;
  /** The first event (since start) of this type, waiting for it (bounded); CALL_CLOSED first is an error. */
  event(type: string, ms?: number): Promise<BaresipEvent>;
  /** Waits (bounded) until `reginfo` shows the registration succeeded or failed. */
  registration(ms?: number): Promise<'ok' | 'failed'>;
  /** Waits (bounded) until `reginfo` shows the account registered; throws with the output if it failed. */
  registered(ms?: number): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** A 16-bit 8 kHz mono WAV of silence: the call's audio source (no sound card here). */
function silenceWav(seconds: number): Buffer {
  const samples = 8000 * seconds;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2)]);
}

/**
 * baresip with a config directory of its own: one account for the trunk, sent through the edge as
 * outbound proxy, and the ctrl_tcp module (JSON in netstrings) to drive it.
 */
export async function startBaresip(
  dir: string,
  t: ClientTarget,
  ports: { sip: number; ctrl: number },
): Promise<Baresip> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'silence.wav'), silenceWav(60));
  writeFileSync(
    join(dir, 'config'),
    [
      `sip_listen 127.0.0.1:${ports.sip}`,
      'net_interface 127.0.0.1',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module_app account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${ports.ctrl}`,
      `audio_source aufile,${join(dir, 'silence.wav')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'accounts'),
    `<sip:${t.username}@${t.domain};transport=${t.transport}>;auth_pass=${t.password};` +
      `outbound="sip:127.0.0.1:${t.edgePort};transport=${t.transport}";regint=600\n`,
  );
  writeFileSync(join(dir, 'contacts'), '');
  const p = run('baresip', ['-f', dir], { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir }, dir);

  const sock = await until(
    () =>
      new Promise<net.Socket | undefined>((resolve) => {
        if (p.child.exitCode !== null) throw new Error(`baresip exited:\n${p.output()}`);
        const s = net.connect({ host: '127.0.0.1', port: ports.ctrl });
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(undefined));
      }),
    15_000,
    'baresip ctrl_tcp never listened',
  );
  const events: BaresipEvent[] = [];
  const pending = new Map<string, (data: string) => void>();
  let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const colon = buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(buf.subarray(0, colon).toString());
      if (buf.length < colon + 1 + len + 1) return;
      const msg = JSON.parse(buf.subarray(colon + 1, colon + 1 + len).toString()) as Record<string, unknown>;
      buf = buf.subarray(colon + 1 + len + 1);
      if (msg['event'] === true) events.push(msg as BaresipEvent);
      else if (msg['response'] === true && typeof msg['token'] === 'string') {
        pending.get(msg['token'])?.(String(msg['data'] ?? ''));
        pending.delete(msg['token']);
      }
    }
  });
  sock.on('error', () => {});

  const api: Baresip = {
    command(name, params = '') {
      const token = randomBytes(4).toString('hex');
      const body = Buffer.from(JSON.stringify({ command: name, params, token }));
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`baresip: no answer to ${name}`)), 10_000);
        pending.set(token, (data) => {
          clearTimeout(t);
          resolve(data);
        });
        sock.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
      });
    },
    event(type, ms = 20_000) {
      return until(
        () => {
          const e = events.find((x) => x.type === type);
          if (e !== undefined) return e;
          const closed = events.find((x) => x.type === 'CALL_CLOSED');
          if (closed !== undefined && type !== 'CALL_CLOSED')
            throw new Error(
              `baresip: call closed (${closed.param}) before ${type}\n${p.output().slice(-3000)}`,
            );
          return undefined;
        },
        ms,
        `baresip: no ${type} event; events: ${events.map((e) => e.type).join(', ')}\n${p.output().slice(-3000)}`,
      );
    },
    async registration(ms = 20_000) {
      return until(
        async () => {
          // ua_print_status: "OK" registered, "ERR" failed, "zzz" not (yet) registered.
          const info = (await api.command('reginfo')).replace(/\u001b\[[0-9;]*m/g, '');
          if (/\bERR\b/.test(info)) return 'failed' as const;
          return /\bOK\b/.test(info) ? ('ok' as const) : undefined;
        },
        ms,
        `baresip: registration neither succeeded nor failed\n${p.output().slice(-3000)}`,
      );
    },
    async registered(ms = 20_000) {
      if ((await api.registration(ms)) !== 'ok')
        throw new Error(`baresip: registration failed\n${p.output().slice(-3000)}`);
    },
    output: p.output,
    async stop() {
      sock.destroy();
      await kill(p.child, p.done);
    },
  };
  return api;
}

// ---- linphone-daemon -----------------------------------------------------------------------------

export interface LinphoneDaemon {
  /** Registers the trunk account; resolves with the daemon's account id. */
  register(): Promise<string>;
  /** Waits (bounded) until the registration succeeded or failed. */
  registration(id: string, ms?: number): Promise<'ok' | 'failed'>;
  /** Waits (bounded) for LinphoneRegistrationOk; throws on LinphoneRegistrationFailed. */
  registered(id: string, ms?: number): Promise<void>;
  /** The daemon's own log (SIP messages it sent and received). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * linphone-daemon (liblinphone 5.1) with its own linphonerc and HOME in `dir`, driven through its
 * Unix socket (`--pipe NAME` creates /tmp/NAME). Headless: no sound card is needed to register.
 */
export async function startLinphoneDaemon(
  dir: string,
  t: ClientTarget,
  sipPort: number,
  userAgent?: string,
): Promise<LinphoneDaemon> {
  mkdirSync(join(dir, '.local', 'share', 'linphone'), { recursive: true });
  const rc = join(dir, 'linphonerc');
  const logFile = join(dir, 'linphone.log');
  // [sip] user_agent: the daemon sends "Unknown" unless told, unlike linphone's apps.
  writeFileSync(
    rc,
    `[sip]\nsip_port=${sipPort}\nsip_tcp_port=${sipPort}\nsip_tls_port=-1\n` +
      (userAgent === undefined ? '' : `user_agent=${userAgent}\n`),
  );
  const pipe = `trunkgate-linphone-${randomBytes(6).toString('hex')}`;
  const p = run(
    'linphone-daemon',
    ['--config', rc, '--log', logFile, '--pipe', pipe],
    { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
    dir,
  );
  const sock = await until(
    () =>
      new Promise<net.Socket | undefined>((resolve) => {
        if (p.child.exitCode !== null) throw new Error(`linphone-daemon exited:\n${p.output()}`);
        const s = net.connect(`/tmp/${pipe}`);
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(undefined));
      }),
    20_000,
    'linphone-daemon never opened its socket',
  );
  let buf = '';
  sock.on('data', (d: Buffer) => {
    buf += d.toString();
  });
  sock.on('error', () => {});
  // One command at a time: the answer is complete when the field we asked for (or an error) is in.
  const request = async (line: string, field: RegExp): Promise<string> => {
    buf = '';
    sock.write(`${line}\n`);
    return until(
      () => {
        if (/Status: Error/.test(buf) && /Reason: .*\n/.test(buf))
          throw new Error(`linphone-daemon: ${line}: ${buf}`);
        const m = field.exec(buf);
        return m === null ? undefined : m[1]!;
      },
      10_000,
      `linphone-daemon: no answer to "${line}": ${buf}`,
    );
  };
  const proxy = `<sip:127.0.0.1:${t.edgePort};transport=${t.transport}>`;
  const daemon: LinphoneDaemon = {
    register: () => request(`register sip:${t.username}@${t.domain} ${proxy} ${t.password}`, /Id: (\d+)\n/),
    registration(id, ms = 20_000) {
      return until(
        async () => {
          const state = await request(`register-status ${id}`, /State: (\w+)\n/);
          if (state === 'LinphoneRegistrationFailed') return 'failed' as const;
          return state === 'LinphoneRegistrationOk' ? ('ok' as const) : undefined;
        },
        ms,
        `linphone-daemon: registration neither succeeded nor failed\n${readLog(logFile).slice(-4000)}`,
      );
    },
    async registered(id, ms = 20_000) {
      if ((await daemon.registration(id, ms)) !== 'ok')
        throw new Error(`linphone-daemon: registration failed\n${readLog(logFile).slice(-4000)}`);
    },
    log: () => readLog(logFile),
    async stop() {
      sock.destroy();
      await kill(p.child, p.done);
      rmSync(`/tmp/${pipe}`, { force: true });
    },
  };
  return daemon;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
