// Environment → one typed, validated, frozen config object.
// A bad value stops the process with a message naming the variable (DESIGN.md "Operating it").

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
  trustedProxies: string[];
  /** Newest first: the first key encrypts, all decrypt. */
  secretKeys: SecretKey[];
  allowPrivateApiCidrs: boolean;
  rootAuthId: string | undefined;
  rootAuthToken: string | undefined;
  logLevel: string;
  quotas: { credentials: number; ipAcls: number; aclEntries: number; apiAllowlist: number };
  apiRateLimit: { perSecond: number; burst: number };
  authFailure: { maxFailures: number; windowSeconds: number; banSeconds: number };
  /** HMAC secret shared by every edge node for stateless nonces and Record-Route. */
  clusterSecret: string | undefined;
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
  const isIpish = /^[0-9a-fA-F:.]+$/.test(v);
  if (!isIpish && !HOSTNAME_RE.test(v))
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
  const raw = str(env, 'TRUNKGATE_DIGEST_ALGORITHMS', 'SHA-512-256,SHA-256,MD5');
  const list = raw.split(',').map((s) => s.trim().toUpperCase());
  const out: DigestAlgorithmName[] = [];
  for (const a of list) {
    const found = DIGEST_ALGORITHM_NAMES.find((n) => n === a);
    if (!found)
      throw new ConfigError(
        'TRUNKGATE_DIGEST_ALGORITHMS',
        `unknown algorithm "${a}"; use a comma-separated list of ${DIGEST_ALGORITHM_NAMES.join(', ')}`,
      );
    if (out.includes(found)) throw new ConfigError('TRUNKGATE_DIGEST_ALGORITHMS', `"${a}" is listed twice`);
    out.push(found);
  }
  if (out.length === 0)
    throw new ConfigError('TRUNKGATE_DIGEST_ALGORITHMS', 'must name at least one algorithm');
  return out;
}

function cidrList(env: Env, name: string): string[] {
  const raw = optional(env, name);
  if (raw === undefined) return [];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(item))
      throw new ConfigError(name, `"${item}" is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1/128)`);
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
  };
  return Object.freeze(config);
}
