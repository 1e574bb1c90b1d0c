import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');

/** Asserts that loading `env` fails with a ConfigError naming `variable`, and returns its message. */
function refuses(env: Record<string, string>, variable: string): string {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    caught = err;
  }
  assert.ok(
    caught instanceof ConfigError,
    `expected a ConfigError for ${JSON.stringify(env)}, got ${caught}`,
  );
  assert.equal(caught.variable, variable);
  assert.ok(caught.message.startsWith(`${variable}: `), caught.message);
  return caught.message;
}

describe('defaults (empty environment)', () => {
  const c = loadConfig({});

  test('match DESIGN.md and the README table', () => {
    assert.equal(c.httpHost, '0.0.0.0');
    assert.equal(c.httpPort, 8080);
    assert.equal(c.sipHost, '0.0.0.0');
    assert.equal(c.sipPort, 5060);
    assert.equal(c.sqlitePath, './data/trunkgate.db');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.redisUrl, undefined);
    assert.equal(c.sipDomain, 'sip.trunkgate.local');
    assert.equal(c.upstream, undefined);
    // MD5 first: the README's "Digest algorithms and real phones" says why.
    assert.deepEqual(c.digestAlgorithms, ['MD5', 'SHA-256', 'SHA-512-256']);
    assert.deepEqual(c.digestUaRules, [
      { match: 'baresip', algorithms: ['MD5'] },
      { match: 'linphone', algorithms: ['SHA-256', 'MD5'] },
    ]);
    assert.deepEqual(c.trustedProxies, []);
    assert.deepEqual(c.secretKeys, []);
    assert.equal(c.allowPrivateApiCidrs, false);
    assert.equal(c.rootAuthId, undefined);
    assert.equal(c.rootAuthToken, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.clusterSecret, undefined);
  });

  test('quotas default to the seed values (seed 000, seed 003)', () => {
    assert.equal(c.quotas.credentials, 200);
    assert.equal(c.quotas.ipAcls, 100);
    assert.equal(c.quotas.aclEntries, 50);
    assert.equal(c.quotas.apiAllowlist, 50);
  });

  test('rate limits and brute-force ban defaults (10 failures in 60 s → 60 s ban)', () => {
    assert.deepEqual(c.apiRateLimit, { perSecond: 100, burst: 200 });
    assert.deepEqual(c.authFailure, { maxFailures: 10, windowSeconds: 60, banSeconds: 60 });
  });

  test('an empty string means "not set"', () => {
    const e = loadConfig({ TRUNKGATE_HTTP_PORT: '', DATABASE_URL: '', TRUNKGATE_LOG_LEVEL: '' });
    assert.equal(e.httpPort, 8080);
    assert.equal(e.databaseUrl, undefined);
    assert.equal(e.logLevel, 'info');
  });

  test('the config is frozen', () => {
    assert.ok(Object.isFrozen(c));
    assert.throws(() => {
      (c as { httpPort: number }).httpPort = 1;
    }, TypeError);
  });
});

describe('every variable is validated and a bad value names it', () => {
  for (const name of ['TRUNKGATE_HTTP_PORT', 'TRUNKGATE_SIP_PORT'] as const) {
    test(name, () => {
      const key = name === 'TRUNKGATE_HTTP_PORT' ? 'httpPort' : 'sipPort';
      assert.equal(loadConfig({ [name]: '0' })[key], 0);
      assert.equal(loadConfig({ [name]: '65535' })[key], 65535);
      assert.equal(loadConfig({ [name]: '9000' })[key], 9000);
      for (const bad of ['abc', '-1', '65536', '80.5', '1e3', ' 80', '0x50']) {
        assert.match(refuses({ [name]: bad }, name), /whole number from 0 to 65535/);
      }
    });
  }

  for (const name of ['TRUNKGATE_HTTP_HOST', 'TRUNKGATE_SIP_HOST'] as const) {
    test(name, () => {
      const key = name === 'TRUNKGATE_HTTP_HOST' ? 'httpHost' : 'sipHost';
      for (const ok of ['127.0.0.1', '::', '::1', 'localhost', 'api.example.com', '0.0.0.0']) {
        assert.equal(loadConfig({ [name]: ok })[key], ok);
      }
      for (const bad of [
        '999.1.1.1',
        '1.2.3',
        '::::',
        'has space',
        'under_score.com',
        '-bad.example',
        'a..b',
      ]) {
        assert.match(refuses({ [name]: bad }, name), /IP address or host name/, bad);
      }
    });
  }

  test('TRUNKGATE_DB is the SQLite path', () => {
    assert.equal(
      loadConfig({ TRUNKGATE_DB: '/var/lib/trunkgate/x.db' }).sqlitePath,
      '/var/lib/trunkgate/x.db',
    );
  });

  test('DATABASE_URL', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).databaseUrl, 'postgres://u@h/db');
    assert.equal(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl, 'postgresql://u@h/db');
    for (const bad of ['mysql://u@h/db', 'h:5432/db', 'sqlite:./x.db']) {
      assert.match(refuses({ DATABASE_URL: bad }, 'DATABASE_URL'), /postgres/);
    }
  });

  test('REDIS_URL', () => {
    assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(loadConfig({ REDIS_URL: 'rediss://h:6380/0' }).redisUrl, 'rediss://h:6380/0');
    for (const bad of ['127.0.0.1:6379', 'http://redis']) refuses({ REDIS_URL: bad }, 'REDIS_URL');
  });

  test('TRUNKGATE_SIP_DOMAIN', () => {
    assert.equal(loadConfig({ TRUNKGATE_SIP_DOMAIN: 'sip.example.com' }).sipDomain, 'sip.example.com');
    for (const bad of ['sip example', 'sip.example.com/x', 'user@sip.example.com']) {
      refuses({ TRUNKGATE_SIP_DOMAIN: bad }, 'TRUNKGATE_SIP_DOMAIN');
    }
  });

  test('TRUNKGATE_UPSTREAM is a SIP URI', () => {
    const uri = 'sip:10.0.0.5:5060;transport=udp';
    assert.equal(loadConfig({ TRUNKGATE_UPSTREAM: uri }).upstream, uri);
    assert.equal(loadConfig({ TRUNKGATE_UPSTREAM: 'sips:pbx.example.com' }).upstream, 'sips:pbx.example.com');
    for (const bad of ['10.0.0.5:5060', 'http://10.0.0.5', 'sip:', 'sip:a b']) {
      assert.match(refuses({ TRUNKGATE_UPSTREAM: bad }, 'TRUNKGATE_UPSTREAM'), /SIP URI/);
    }
  });

  test('TRUNKGATE_DIGEST_ALGORITHMS', () => {
    assert.deepEqual(loadConfig({ TRUNKGATE_DIGEST_ALGORITHMS: 'md5, sha-256' }).digestAlgorithms, [
      'MD5',
      'SHA-256',
    ]);
    assert.match(
      refuses({ TRUNKGATE_DIGEST_ALGORITHMS: 'SHA-1' }, 'TRUNKGATE_DIGEST_ALGORITHMS'),
      /unknown algorithm "SHA-1"/,
    );
    assert.match(
      refuses({ TRUNKGATE_DIGEST_ALGORITHMS: 'MD5,md5' }, 'TRUNKGATE_DIGEST_ALGORITHMS'),
      /listed twice/,
    );
    refuses({ TRUNKGATE_DIGEST_ALGORITHMS: 'MD5-sess' }, 'TRUNKGATE_DIGEST_ALGORITHMS');
    refuses({ TRUNKGATE_DIGEST_ALGORITHMS: ',' }, 'TRUNKGATE_DIGEST_ALGORITHMS');
  });

  test('TRUNKGATE_DIGEST_UA_RULES', () => {
    const V = 'TRUNKGATE_DIGEST_UA_RULES';
    assert.deepEqual(
      loadConfig({ [V]: ' Linphone = sha-256 ; Acme Phone/2=SHA-512-256,SHA-256; ' }).digestUaRules,
      [
        { match: 'Linphone', algorithms: ['SHA-256'] },
        { match: 'Acme Phone/2', algorithms: ['SHA-512-256', 'SHA-256'] },
      ],
    );
    assert.deepEqual(loadConfig({ [V]: 'none' }).digestUaRules, []);
    assert.deepEqual(loadConfig({ [V]: 'NONE' }).digestUaRules, []);
    assert.match(refuses({ [V]: 'linphone' }, V), /user-agent-text=ALGORITHM/);
    assert.match(refuses({ [V]: '=SHA-256' }, V), /user-agent-text=ALGORITHM/);
    assert.match(refuses({ [V]: 'linphone=' }, V), /at least one algorithm/);
    assert.match(refuses({ [V]: 'linphone=SHA-1' }, V), /unknown algorithm "SHA-1"/);
    assert.match(refuses({ [V]: 'linphone=MD5,md5' }, V), /listed twice/);
    assert.match(refuses({ [V]: 'linphone=MD5;LINPHONE=SHA-256' }, V), /"LINPHONE" is listed twice/);
    assert.match(refuses({ [V]: 'tél=MD5' }, V), /printable ASCII/);
    assert.match(refuses({ [V]: ';' }, V), /at least one rule/);
  });

  test('TRUNKGATE_TRUSTED_PROXIES', () => {
    assert.deepEqual(
      loadConfig({ TRUNKGATE_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1, fd00::/8' }).trustedProxies,
      ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8'],
    );
    for (const bad of ['proxy.local', '10.0.0.0/33', '999.0.0.0/8', '10.0.0.1/24', '1.2.3']) {
      refuses({ TRUNKGATE_TRUSTED_PROXIES: bad }, 'TRUNKGATE_TRUSTED_PROXIES');
    }
    assert.match(
      refuses({ TRUNKGATE_TRUSTED_PROXIES: '10.0.0.1/24' }, 'TRUNKGATE_TRUSTED_PROXIES'),
      /use 10\.0\.0\.0\/24/,
    );
  });

  test('TRUNKGATE_SECRET_KEY', () => {
    const c = loadConfig({ TRUNKGATE_SECRET_KEY: KEY_A });
    assert.equal(c.secretKeys.length, 1);
    assert.equal(c.secretKeys[0]?.id, 'k1');
    assert.ok(c.secretKeys[0]?.key.equals(Buffer.from(KEY_A, 'base64')));
    const url = loadConfig({ TRUNKGATE_SECRET_KEY: Buffer.from(KEY_A, 'base64').toString('base64url') });
    assert.ok(url.secretKeys[0]?.key.equals(Buffer.from(KEY_A, 'base64')));
    assert.match(
      refuses({ TRUNKGATE_SECRET_KEY: randomBytes(16).toString('base64') }, 'TRUNKGATE_SECRET_KEY'),
      /exactly 32 bytes, got 16/,
    );
    refuses({ TRUNKGATE_SECRET_KEY: 'not base64!' }, 'TRUNKGATE_SECRET_KEY');
  });

  test('TRUNKGATE_SECRET_KEYS (rotation, newest first)', () => {
    const c = loadConfig({ TRUNKGATE_SECRET_KEYS: `k2:${KEY_B}, k1:${KEY_A}` });
    assert.deepEqual(
      c.secretKeys.map((k) => k.id),
      ['k2', 'k1'],
    );
    // The same key given in both variables is not added twice.
    const both = loadConfig({
      TRUNKGATE_SECRET_KEYS: `k2:${KEY_B},k1:${KEY_A}`,
      TRUNKGATE_SECRET_KEY: KEY_A,
    });
    assert.equal(both.secretKeys.length, 2);
    refuses({ TRUNKGATE_SECRET_KEYS: KEY_A }, 'TRUNKGATE_SECRET_KEYS');
    assert.match(
      refuses({ TRUNKGATE_SECRET_KEYS: `k1:${KEY_A},k1:${KEY_B}` }, 'TRUNKGATE_SECRET_KEYS'),
      /repeated/,
    );
    refuses({ TRUNKGATE_SECRET_KEYS: `bad id:${KEY_A}` }, 'TRUNKGATE_SECRET_KEYS');
    refuses({ TRUNKGATE_SECRET_KEYS: `k1:${randomBytes(31).toString('base64')}` }, 'TRUNKGATE_SECRET_KEYS');
    refuses({ TRUNKGATE_SECRET_KEYS: `k1:${KEY_A}`, TRUNKGATE_SECRET_KEY: KEY_B }, 'TRUNKGATE_SECRET_KEY');
  });

  test('TRUNKGATE_ALLOW_PRIVATE_API_CIDRS', () => {
    assert.equal(loadConfig({ TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: 'true' }).allowPrivateApiCidrs, true);
    assert.equal(loadConfig({ TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: '1' }).allowPrivateApiCidrs, true);
    assert.equal(loadConfig({ TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: 'false' }).allowPrivateApiCidrs, false);
    assert.equal(loadConfig({ TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: '0' }).allowPrivateApiCidrs, false);
    assert.match(
      refuses({ TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: 'yes' }, 'TRUNKGATE_ALLOW_PRIVATE_API_CIDRS'),
      /true or false/,
    );
  });

  test('TRUNKGATE_ROOT_AUTH_ID / TRUNKGATE_ROOT_AUTH_TOKEN', () => {
    const id = 'MAEXAMPLE00000000001';
    const token = 'ExampleToken0000000000000000000000000001';
    const c = loadConfig({ TRUNKGATE_ROOT_AUTH_ID: id, TRUNKGATE_ROOT_AUTH_TOKEN: token });
    assert.equal(c.rootAuthId, id);
    assert.equal(c.rootAuthToken, token);
    for (const bad of ['SAEXAMPLE00000000001', 'MAexample00000000001', 'MA123', 'MAEXAMPLE000000000012']) {
      refuses({ TRUNKGATE_ROOT_AUTH_ID: bad, TRUNKGATE_ROOT_AUTH_TOKEN: token }, 'TRUNKGATE_ROOT_AUTH_ID');
    }
    for (const bad of ['short', `${token}x`, `${token.slice(0, 39)}!`]) {
      const msg = refuses(
        { TRUNKGATE_ROOT_AUTH_ID: id, TRUNKGATE_ROOT_AUTH_TOKEN: bad },
        'TRUNKGATE_ROOT_AUTH_TOKEN',
      );
      assert.ok(!msg.includes(bad), 'the token is not echoed');
    }
    assert.match(refuses({ TRUNKGATE_ROOT_AUTH_ID: id }, 'TRUNKGATE_ROOT_AUTH_TOKEN'), /set together/);
    assert.match(refuses({ TRUNKGATE_ROOT_AUTH_TOKEN: token }, 'TRUNKGATE_ROOT_AUTH_ID'), /set together/);
  });

  test('TRUNKGATE_CPS_QUEUE_MS: milliseconds a paced call may wait, 0–60000, default 2000', () => {
    assert.equal(loadConfig({}).cpsQueueMs, 2000);
    assert.equal(loadConfig({ TRUNKGATE_CPS_QUEUE_MS: '500' }).cpsQueueMs, 500);
    assert.equal(loadConfig({ TRUNKGATE_CPS_QUEUE_MS: '0' }).cpsQueueMs, 0);
    for (const bad of ['-1', '60001', '1.5', 'soon', '2s']) {
      assert.match(refuses({ TRUNKGATE_CPS_QUEUE_MS: bad }, 'TRUNKGATE_CPS_QUEUE_MS'), /0 to 60000/, bad);
    }
  });

  test('TRUNKGATE_LOG_LEVEL', () => {
    for (const lvl of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      assert.equal(loadConfig({ TRUNKGATE_LOG_LEVEL: lvl }).logLevel, lvl);
    }
    assert.match(refuses({ TRUNKGATE_LOG_LEVEL: 'verbose' }, 'TRUNKGATE_LOG_LEVEL'), /one of fatal/);
  });

  test('TRUNKGATE_CLUSTER_SECRET', () => {
    const s = 'x'.repeat(32);
    assert.equal(loadConfig({ TRUNKGATE_CLUSTER_SECRET: s }).clusterSecret, s);
    const msg = refuses({ TRUNKGATE_CLUSTER_SECRET: 'tooshort' }, 'TRUNKGATE_CLUSTER_SECRET');
    assert.match(msg, /at least 32/);
    assert.ok(!msg.includes('tooshort'), 'the secret is not echoed');
  });

  const quotas = [
    ['TRUNKGATE_QUOTA_CREDENTIALS', 'credentials', 1_000_000],
    ['TRUNKGATE_QUOTA_IP_ACLS', 'ipAcls', 1_000_000],
    ['TRUNKGATE_QUOTA_ACL_ENTRIES', 'aclEntries', 1_000_000],
    ['TRUNKGATE_QUOTA_API_ALLOWLIST', 'apiAllowlist', 10_000],
  ] as const;
  for (const [name, key, max] of quotas) {
    test(name, () => {
      assert.equal(loadConfig({ [name]: '5' }).quotas[key], 5);
      assert.equal(loadConfig({ [name]: String(max) }).quotas[key], max);
      for (const bad of ['0', '-5', 'many', '2.5', String(max + 1)]) {
        assert.match(refuses({ [name]: bad }, name), new RegExp(`from 1 to ${max}`));
      }
    });
  }

  test('TRUNKGATE_API_RATE_LIMIT (fractional allowed) and TRUNKGATE_API_RATE_BURST', () => {
    assert.equal(loadConfig({ TRUNKGATE_API_RATE_LIMIT: '0.5' }).apiRateLimit.perSecond, 0.5);
    for (const bad of ['0', '-1', 'fast', '1e3', '0.0001'])
      refuses({ TRUNKGATE_API_RATE_LIMIT: bad }, 'TRUNKGATE_API_RATE_LIMIT');
    assert.equal(loadConfig({ TRUNKGATE_API_RATE_BURST: '10' }).apiRateLimit.burst, 10);
    for (const bad of ['0', '1.5', 'x'])
      refuses({ TRUNKGATE_API_RATE_BURST: bad }, 'TRUNKGATE_API_RATE_BURST');
  });

  const authFailure = [
    ['TRUNKGATE_AUTH_MAX_FAILURES', 'maxFailures', 1_000_000],
    ['TRUNKGATE_AUTH_FAILURE_WINDOW', 'windowSeconds', 86_400],
    ['TRUNKGATE_AUTH_BAN_SECONDS', 'banSeconds', 86_400],
  ] as const;
  for (const [name, key, max] of authFailure) {
    test(name, () => {
      assert.equal(loadConfig({ [name]: '3' }).authFailure[key], 3);
      for (const bad of ['0', String(max + 1), 'ten']) refuses({ [name]: bad }, name);
    });
  }
});

describe('the whole list', () => {
  /** One bad value for every variable src/config.ts reads (detailed cases are above). */
  const BAD: Record<string, string> = {
    DATABASE_URL: 'mysql://x',
    REDIS_URL: 'localhost:6379',
    TRUNKGATE_ALLOWLIST_REFRESH_MS: 'soon',
    TRUNKGATE_ALLOW_PRIVATE_API_CIDRS: 'maybe',
    TRUNKGATE_API_RATE_BURST: '0',
    TRUNKGATE_API_RATE_LIMIT: 'fast',
    TRUNKGATE_AUTH_BAN_SECONDS: '0',
    TRUNKGATE_AUTH_FAILURE_WINDOW: '0',
    TRUNKGATE_AUTH_MAX_FAILURES: '0',
    TRUNKGATE_CLUSTER_SECRET: 'short',
    TRUNKGATE_CPS_QUEUE_MS: '-5',
    TRUNKGATE_DIGEST_ALGORITHMS: 'SHA-1',
    TRUNKGATE_DIGEST_UA_RULES: 'linphone',
    TRUNKGATE_HTTP_HOST: '300.1.1.1',
    TRUNKGATE_HTTP_PORT: 'abc',
    TRUNKGATE_LOG_LEVEL: 'loud',
    TRUNKGATE_QUOTA_ACL_ENTRIES: '0',
    TRUNKGATE_QUOTA_API_ALLOWLIST: '0',
    TRUNKGATE_QUOTA_API_KEYS: '0',
    TRUNKGATE_QUOTA_CREDENTIALS: '0',
    TRUNKGATE_QUOTA_IP_ACLS: '0',
    TRUNKGATE_REDIS_PREFIX: 'has space',
    TRUNKGATE_ROOT_AUTH_ID: 'root',
    TRUNKGATE_ROOT_AUTH_TOKEN: 'short',
    TRUNKGATE_SECRET_KEY: 'c2hvcnQ=',
    TRUNKGATE_SECRET_KEYS: 'no-colon',
    TRUNKGATE_SIP_ADVERTISE: 'a b',
    TRUNKGATE_SIP_DOMAIN: 'not a domain',
    TRUNKGATE_SIP_HOST: '1.2.3',
    TRUNKGATE_SIP_MAX_MESSAGE_SIZE: '100',
    TRUNKGATE_SIP_NONCE_TTL: '1',
    TRUNKGATE_SIP_PACKET_RATE: '-1',
    TRUNKGATE_SIP_POLICY_POLL_MS: '10',
    TRUNKGATE_SIP_PORT: '70000',
    TRUNKGATE_SIP_TCP_IDLE_SECONDS: '0',
    TRUNKGATE_SIP_TCP_MAX_PER_ADDRESS: '0',
    TRUNKGATE_SIP_WORKERS: '0',
    TRUNKGATE_TRUSTED_PROXIES: 'proxy.local',
    TRUNKGATE_UPSTREAM: '10.0.0.5:5060',
  };
  /** Read as given, without a format to check. */
  const FREE_FORM = ['TRUNKGATE_DB'];

  test('every variable src/config.ts reads has a bad-value case here (add one with a new variable)', () => {
    const source = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
    const read = new Set(
      source.match(/'(TRUNKGATE_[A-Z0-9_]+|DATABASE_URL|REDIS_URL)'/g)?.map((q) => q.slice(1, -1)),
    );
    assert.ok(read.size > 20, 'found the variable names');
    const missing = [...read].filter((v) => !(v in BAD) && !FREE_FORM.includes(v));
    assert.deepEqual(missing, []);
  });

  for (const [variable, value] of Object.entries(BAD)) {
    test(`${variable}=${JSON.stringify(value)} is refused, naming ${variable}`, () => {
      // The root id and token must be set together; give the other one a good value.
      const env: Record<string, string> = { [variable]: value };
      if (variable === 'TRUNKGATE_ROOT_AUTH_ID') env['TRUNKGATE_ROOT_AUTH_TOKEN'] = 'x'.repeat(40);
      if (variable === 'TRUNKGATE_ROOT_AUTH_TOKEN') env['TRUNKGATE_ROOT_AUTH_ID'] = 'MAEXAMPLE00000000001';
      refuses(env, variable);
    });
  }
});
