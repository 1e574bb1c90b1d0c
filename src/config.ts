// Environment → one typed, validated, frozen config object.
// A bad value stops the process with a message naming the variable (DESIGN.md "Operating it").
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { parseCidr, parseIp } from './domain/address/index.ts';
import { DEFAULT_CPS_QUEUE_MS } from './domain/cps-pacer.ts';

export type DigestAlgorithmName = 'SHA-512-256' | 'SHA-256' | 'MD5';
const DIGEST_ALGORITHM_NAMES: readonly DigestAlgorithmName[] = ['SHA-512-256', 'SHA-256', 'MD5'];

export interface SecretKey {
  id: string;
  key: Buffer;
}

export interface Config {
  httpHost: string;
  httpPort: number;
  sipHost: string;
  sipPort: number;
  sqlitePath: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  sipDomain: string;
  upstream: string | undefined;
  digestAlgorithms: DigestAlgorithmName[];
  /** User-Agent text → algorithms to challenge with first (src/sip/auth/challenge-order.ts). */
  digestUaRules: { match: string; algorithms: DigestAlgorithmName[] }[];
  trustedProxies: string[];
  /** Newest first: the first key encrypts, all decrypt. */
  secretKeys: SecretKey[];
  allowPrivateApiCidrs: boolean;
  rootAuthId: string | undefined;
  rootAuthToken: string | undefined;
  logLevel: string;
  quotas: { credentials: number; ipAcls: number; aclEntries: number; apiAllowlist: number; apiKeys: number };
  apiRateLimit: { perSecond: number; burst: number };
  authFailure: { maxFailures: number; windowSeconds: number; banSeconds: number };
  /** Prefix of every Redis key this deployment writes (several deployments can share a Redis). */
  redisKeyPrefix: string;
  /** How often a node checks the store for allowlist changes made by other nodes or the CLI (ms). */
  allowlistRefreshMs: number;
  /** HMAC secret shared by every edge node for stateless nonces and Record-Route. */
  clusterSecret: string | undefined;
  sip: {
    /** Host (and port) written into our Via and Record-Route; default the SIP host, or the SIP domain when that is a wildcard. */
    advertiseHost: string;
    advertisePort: number;
    /** Worker processes sharing the SIP port (node:cluster); 1 runs the edge inside the main process. */
    workers: number;
    maxMessageSize: number;
    tcpIdleSeconds: number;
    tcpMaxConnectionsPerAddress: number;
    nonceTtlSeconds: number;
    /** Policy reload check interval: changes through the API apply within about twice this. */
    policyPollMs: number;
  };
  /** Per-source SIP packets per second for the whole node (0 disables the cap). */
  sipPacketRate: number;
  /** How long a call over its provider credential's cpsLimit may wait before a 503 (src/domain/cps-pacer.ts). */
  cpsQueueMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max)
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got ${n}`);
  return n;
}

function num(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n) || n < min)
    throw new ConfigError(name, `must be a number ≥ ${min}, got "${raw}"`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

const HOSTNAME_RE =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function host(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  // Digits-and-dots, or anything with a colon, is meant as an IP literal and must be a valid one
  // (999.1.1.1 or 1.2.3 are not host names either).
  const meantAsIp = v.includes(':') || /^[0-9.]+$/.test(v);
  if (meantAsIp ? isIP(v) === 0 : !HOSTNAME_RE.test(v))
    throw new ConfigError(name, `must be an IP address or host name, got "${v}"`);
  return v;
}

function parseKey(name: string, b64: string): Buffer {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) throw new ConfigError(name, 'must be base64 (32 random bytes)');
  const key = Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64');
  if (key.length !== 32)
    throw new ConfigError(
      name,
      `must decode to exactly 32 bytes, got ${key.length}; generate one with: openssl rand -base64 32`,
    );
  return key;
}

/**
 * TRUNKGATE_SECRET_KEYS="k2:BASE64,k1:BASE64" (newest first) or TRUNKGATE_SECRET_KEY=BASE64 (id "k1").
 */
function secretKeys(env: Env): SecretKey[] {
  const many = optional(env, 'TRUNKGATE_SECRET_KEYS');
  const one = optional(env, 'TRUNKGATE_SECRET_KEY');
  const keys: SecretKey[] = [];
  if (many !== undefined) {
    for (const part of many.split(',')) {
      const item = part.trim();
      const colon = item.indexOf(':');
      if (colon <= 0)
        throw new ConfigError(
          'TRUNKGATE_SECRET_KEYS',
          'must be a comma-separated list of id:base64key, newest first',
        );
      const id = item.slice(0, colon);
      if (!/^[A-Za-z0-9._-]{1,32}$/.test(id))
        throw new ConfigError('TRUNKGATE_SECRET_KEYS', `key id "${id}" must be 1–32 of [A-Za-z0-9._-]`);
      if (keys.some((k) => k.id === id))
        throw new ConfigError('TRUNKGATE_SECRET_KEYS', `key id "${id}" is repeated`);
      keys.push({ id, key: parseKey('TRUNKGATE_SECRET_KEYS', item.slice(colon + 1)) });
    }
  }
  if (one !== undefined) {
    const key = parseKey('TRUNKGATE_SECRET_KEY', one);
    if (!keys.some((k) => k.key.equals(key))) {
      if (keys.some((k) => k.id === 'k1'))
        throw new ConfigError('TRUNKGATE_SECRET_KEY', 'conflicts with key id "k1" in TRUNKGATE_SECRET_KEYS');
      keys.push({ id: 'k1', key });
    }
  }
  return keys;
}

function digestAlgorithms(env: Env): DigestAlgorithmName[] {
  // MD5 first: most deployed SIP clients answer only the first challenge and only know MD5
  // (README "Digest algorithms and real phones"); stronger-first is opt-in per trunk or User-Agent.
  return algorithmList(
    'TRUNKGATE_DIGEST_ALGORITHMS',
    str(env, 'TRUNKGATE_DIGEST_ALGORITHMS', 'MD5,SHA-256,SHA-512-256'),
  );
}

function algorithmList(name: string, raw: string): DigestAlgorithmName[] {
  if (raw.trim() === '') throw new ConfigError(name, 'must name at least one algorithm');
  const list = raw.split(',').map((s) => s.trim().toUpperCase());
  const out: DigestAlgorithmName[] = [];
  for (const a of list) {
    const found = DIGEST_ALGORITHM_NAMES.find((n) => n === a);
    if (!found)
      throw new ConfigError(
        name,
        `unknown algorithm "${a}"; use a comma-separated list of ${DIGEST_ALGORITHM_NAMES.join(', ')}`,
      );
    if (out.includes(found)) throw new ConfigError(name, `"${a}" is listed twice`);
    out.push(found);
  }
  if (out.length === 0) throw new ConfigError(name, 'must name at least one algorithm');
  return out;
}

/**
 * Measured with the Debian clients (README "Digest algorithms and real phones"): baresip 1.0 gives up
 * when any challenge is not MD5; linphone 5.1 answers SHA-256 first but gives up on SHA-512-256 first.
 */
const DEFAULT_DIGEST_UA_RULES = 'baresip=MD5;linphone=SHA-256,MD5';

/**
 * TRUNKGATE_DIGEST_UA_RULES="text=ALG[,ALG…];text=ALG…" — a request whose User-Agent contains the
 * text (case-insensitive) of the first matching rule is challenged with exactly those algorithms;
 * "none" turns the rules off.
 */
function digestUaRules(env: Env): Config['digestUaRules'] {
  const name = 'TRUNKGATE_DIGEST_UA_RULES';
  const raw = str(env, name, DEFAULT_DIGEST_UA_RULES).trim();
  if (raw.toLowerCase() === 'none') return [];
  const rules: Config['digestUaRules'] = [];
  for (const part of raw.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const match = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (eq < 0 || match === '')
      throw new ConfigError(
        name,
        `rule "${part.trim()}" must be user-agent-text=ALGORITHM[,ALGORITHM…] (rules separated by ";", or "none")`,
      );
    if (!/^[\x20-\x7e]{1,100}$/.test(match))
      throw new ConfigError(name, `user-agent text "${match}" must be 1–100 printable ASCII characters`);
    if (rules.some((r) => r.match.toLowerCase() === match.toLowerCase()))
      throw new ConfigError(name, `user-agent text "${match}" is listed twice`);
    rules.push({ match, algorithms: algorithmList(name, part.slice(eq + 1)) });
  }
  if (rules.length === 0) throw new ConfigError(name, 'must name at least one rule, or be "none"');
  return rules;
}

function cidrList(env: Env, name: string): string[] {
  const raw = optional(env, name);
  if (raw === undefined) return [];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    const parsed = item.includes('/') ? parseCidr(item) : parseIp(item);
    if (!parsed.ok)
      throw new ConfigError(name, `${parsed.message} (list IP addresses or CIDRs such as 10.0.0.0/8, ::1)`);
  }
  return items;
}

function sipUri(env: Env, name: string): string | undefined {
  const v = optional(env, name);
  if (v === undefined) return undefined;
  if (!/^sips?:[^\s]+$/i.test(v))
    throw new ConfigError(name, `must be a SIP URI such as sip:10.0.0.5:5060;transport=udp, got "${v}"`);
  return v;
}

function redisPrefix(env: Env): string {
  const v = str(env, 'TRUNKGATE_REDIS_PREFIX', 'trunkgate:');
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(v))
    throw new ConfigError(
      'TRUNKGATE_REDIS_PREFIX',
      `must be 1–64 of letters, digits, ":", "_", "." or "-", got "${v}"`,
    );
  return v;
}

function sipSettings(env: Env): Config['sip'] {
  const sipHost = str(env, 'TRUNKGATE_SIP_HOST', '0.0.0.0');
  const sipPort = int(env, 'TRUNKGATE_SIP_PORT', 5060, 0, 65535);
  const adv = optional(env, 'TRUNKGATE_SIP_ADVERTISE');
  let advertiseHost =
    sipHost === '0.0.0.0' || sipHost === '::'
      ? str(env, 'TRUNKGATE_SIP_DOMAIN', 'sip.trunkgate.local')
      : sipHost;
  let advertisePort = sipPort;
  if (adv !== undefined) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(adv);
    if (m === null || (m[2] !== undefined && Number(m[2]) > 65535))
      throw new ConfigError(
        'TRUNKGATE_SIP_ADVERTISE',
        `must be host or host:port (IPv6 in brackets), got "${adv}"`,
      );
    advertiseHost = m[1]!.replace(/^\[|\]$/g, '');
    if (m[2] !== undefined) advertisePort = Number(m[2]);
  }
  return {
    advertiseHost,
    advertisePort,
    workers: int(env, 'TRUNKGATE_SIP_WORKERS', Math.max(1, availableParallelism()), 1, 256),
    maxMessageSize: int(env, 'TRUNKGATE_SIP_MAX_MESSAGE_SIZE', 65535, 1024, 1_048_576),
    tcpIdleSeconds: int(env, 'TRUNKGATE_SIP_TCP_IDLE_SECONDS', 120, 1, 86_400),
    tcpMaxConnectionsPerAddress: int(env, 'TRUNKGATE_SIP_TCP_MAX_PER_ADDRESS', 64, 1, 100_000),
    nonceTtlSeconds: int(env, 'TRUNKGATE_SIP_NONCE_TTL', 60, 5, 86_400),
    policyPollMs: int(env, 'TRUNKGATE_SIP_POLICY_POLL_MS', 500, 50, 60_000),
  };
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  const redisUrl = optional(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  const rootAuthId = optional(env, 'TRUNKGATE_ROOT_AUTH_ID');
  const rootAuthToken = optional(env, 'TRUNKGATE_ROOT_AUTH_TOKEN');
  if (rootAuthId !== undefined && !/^MA[A-Z0-9]{18}$/.test(rootAuthId))
    throw new ConfigError(
      'TRUNKGATE_ROOT_AUTH_ID',
      'must be "MA" followed by 18 upper-case letters or digits',
    );
  if (rootAuthToken !== undefined && !/^[A-Za-z0-9]{40}$/.test(rootAuthToken))
    throw new ConfigError('TRUNKGATE_ROOT_AUTH_TOKEN', 'must be 40 letters or digits');
  if ((rootAuthId === undefined) !== (rootAuthToken === undefined))
    throw new ConfigError(
      rootAuthId === undefined ? 'TRUNKGATE_ROOT_AUTH_ID' : 'TRUNKGATE_ROOT_AUTH_TOKEN',
      'TRUNKGATE_ROOT_AUTH_ID and TRUNKGATE_ROOT_AUTH_TOKEN must be set together',
    );
  const logLevel = str(env, 'TRUNKGATE_LOG_LEVEL', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel))
    throw new ConfigError(
      'TRUNKGATE_LOG_LEVEL',
      'must be one of fatal, error, warn, info, debug, trace, silent',
    );
  const clusterSecret = optional(env, 'TRUNKGATE_CLUSTER_SECRET');
  if (clusterSecret !== undefined && clusterSecret.length < 32)
    throw new ConfigError('TRUNKGATE_CLUSTER_SECRET', 'must be at least 32 characters');

  const config: Config = {
    httpHost: host(env, 'TRUNKGATE_HTTP_HOST', '0.0.0.0'),
    httpPort: int(env, 'TRUNKGATE_HTTP_PORT', 8080, 0, 65535),
    sipHost: host(env, 'TRUNKGATE_SIP_HOST', '0.0.0.0'),
    sipPort: int(env, 'TRUNKGATE_SIP_PORT', 5060, 0, 65535),
    sqlitePath: str(env, 'TRUNKGATE_DB', './data/trunkgate.db'),
    databaseUrl,
    redisUrl,
    sipDomain: host(env, 'TRUNKGATE_SIP_DOMAIN', 'sip.trunkgate.local'),
    upstream: sipUri(env, 'TRUNKGATE_UPSTREAM'),
    digestAlgorithms: digestAlgorithms(env),
    digestUaRules: digestUaRules(env),
    trustedProxies: cidrList(env, 'TRUNKGATE_TRUSTED_PROXIES'),
    secretKeys: secretKeys(env),
    allowPrivateApiCidrs: bool(env, 'TRUNKGATE_ALLOW_PRIVATE_API_CIDRS', false),
    rootAuthId,
    rootAuthToken,
    logLevel,
    quotas: {
      credentials: int(env, 'TRUNKGATE_QUOTA_CREDENTIALS', 200, 1, 1_000_000),
      ipAcls: int(env, 'TRUNKGATE_QUOTA_IP_ACLS', 100, 1, 1_000_000),
      aclEntries: int(env, 'TRUNKGATE_QUOTA_ACL_ENTRIES', 50, 1, 1_000_000),
      apiAllowlist: int(env, 'TRUNKGATE_QUOTA_API_ALLOWLIST', 50, 1, 10_000),
      apiKeys: int(env, 'TRUNKGATE_QUOTA_API_KEYS', 100, 1, 100_000),
    },
    apiRateLimit: {
      perSecond: num(env, 'TRUNKGATE_API_RATE_LIMIT', 100, 0.001),
      burst: int(env, 'TRUNKGATE_API_RATE_BURST', 200, 1, 1_000_000),
    },
    authFailure: {
      maxFailures: int(env, 'TRUNKGATE_AUTH_MAX_FAILURES', 10, 1, 1_000_000),
      windowSeconds: int(env, 'TRUNKGATE_AUTH_FAILURE_WINDOW', 60, 1, 86_400),
      banSeconds: int(env, 'TRUNKGATE_AUTH_BAN_SECONDS', 60, 1, 86_400),
    },
    clusterSecret,
    redisKeyPrefix: redisPrefix(env),
    allowlistRefreshMs: int(env, 'TRUNKGATE_ALLOWLIST_REFRESH_MS', 1000, 0, 60_000),
    sip: sipSettings(env),
    sipPacketRate: int(env, 'TRUNKGATE_SIP_PACKET_RATE', 200, 0, 10_000_000),
    cpsQueueMs: int(env, 'TRUNKGATE_CPS_QUEUE_MS', DEFAULT_CPS_QUEUE_MS, 0, 60_000),
  };
  return Object.freeze(config);
}
