// A real SIP carrier for tests: Kamailio from Debian (kamailio, kamailio-sqlite-modules) running
// test/fixtures/kamailio/carrier.cfg on a free 127.0.0.1 port (UDP and TCP), in a temp directory
// of its own (runtime dir, pid file, SQLite subscriber table, log), in the foreground (-DD -E) as a
// child of the test, killed by stop(). Users and passwords come from the test; the table holds
// only their HA1 (RFC 2617 §3.2.2.2: MD5(username ":" realm ":" password)), the realm being the
// carrier's domain. Under CI (`CI` set) a missing Kamailio throws instead of skipping.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT } from './server-process.ts';
import { freeSipPort, waitForUdpBound } from './sip.ts';

const CFG_TEMPLATE = join(REPO_ROOT, 'test', 'fixtures', 'kamailio', 'carrier.cfg');
const KAMAILIO_SQL = '/usr/share/kamailio/db_sqlite';

export const CARRIER_DOMAIN = 'carrier.test';

export interface CarrierUser {
  username: string;
  password: string;
}

export interface StartCarrierOptions {
  users: readonly CarrierUser[];
  /** host:port where authenticated INVITEs are relayed (a sipp UAS). */
  upstream: string;
}

export interface KamailioCarrier {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The digest realm and the host part of the carrier's users. */
  readonly domain: string;
  readonly pid: number;
  /** What Kamailio wrote to stderr so far (for assertion messages). */
  log(): string;
  /** Kills Kamailio (all its processes) and removes its directory. */
  stop(): Promise<void>;
}

let available: boolean | undefined;

/** Whether Kamailio and its SQLite module are installed; under CI a missing one throws. */
export function kamailioAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync('kamailio', ['-v'], { encoding: 'utf8', timeout: 10_000 });
    available =
      r.error === undefined &&
      /kamailio 5\./.test(`${r.stdout}${r.stderr}`) &&
      existsSync(join(KAMAILIO_SQL, 'auth_db-create.sql'));
  }
  if (!available && process.env['CI'])
    throw new Error(
      'Kamailio is required under CI (Debian packages kamailio and kamailio-sqlite-modules; .ci/run installs them)',
    );
  return available;
}

/** `describe`/`test` option: skip (outside CI only) when Kamailio is missing. */
export function kamailioSkip(): { skip?: string } {
  return kamailioAvailable()
    ? {}
    : { skip: 'Kamailio is not installed (apt-get install kamailio kamailio-sqlite-modules)' };
}

function ha1(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}

function writeSubscribers(path: string, users: readonly CarrierUser[]): void {
  const db = new Database(path);
  try {
    db.exec(readFileSync(join(KAMAILIO_SQL, 'standard-create.sql'), 'utf8'));
    db.exec(readFileSync(join(KAMAILIO_SQL, 'auth_db-create.sql'), 'utf8'));
    const insert = db.prepare('INSERT INTO subscriber (username, domain, ha1) VALUES (?, ?, ?)');
    for (const u of users)
      insert.run(u.username, CARRIER_DOMAIN, ha1(u.username, CARRIER_DOMAIN, u.password));
  } finally {
    db.close();
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('close', () => resolve());
  });
}

export async function startKamailioCarrier(o: StartCarrierOptions): Promise<KamailioCarrier> {
  const dir = mkdtempSync(join(tmpdir(), 'trunkgate-kamailio-'));
  const port = await freeSipPort();
  const db = join(dir, 'carrier.db');
  writeSubscribers(db, o.users);
  const cfg = readFileSync(CFG_TEMPLATE, 'utf8')
    .replaceAll('KAMDB', db)
    .replaceAll('LISTEN_PORT', String(port))
    .replaceAll('UPSTREAM', o.upstream)
    .replaceAll('SECRET', randomBytes(16).toString('hex'));
  const cfgPath = join(dir, 'carrier.cfg');
  writeFileSync(cfgPath, cfg);
  const child = spawn(
    'kamailio',
    ['-f', cfgPath, '-P', join(dir, 'kamailio.pid'), '-Y', dir, '-w', dir, '-m', '64', '-DD', '-E'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const gone = exited(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForUdpBound(port),
      gone.then(() => {
        throw new Error(`kamailio exited at start (code ${child.exitCode}):\n${output.slice(-3000)}`);
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    domain: CARRIER_DOMAIN,
    pid: child.pid ?? -1,
    log: () => output,
    stop,
  };
}
