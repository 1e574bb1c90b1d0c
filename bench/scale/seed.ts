// Fills a migrated trunkgate SQLite database for the scale benchmark (issue 8 item 3), straight into
// the tables (the API would take hours for a million rows; every row respects the API's rules and
// quotas: 200 credentials, 100 ACLs and 50 entries per ACL per account, canonical networks).
//
//   node --import tsx bench/scale/seed.ts DB_FILE CREDENTIALS ACL_ENTRIES BENCH_USER BENCH_PASS REALM
//
// Layout: CREDENTIALS / 200 accounts with 200 credentials each; ACL_ENTRIES / 50 ACLs of 50
// networks (25 IPv4, 25 IPv6) spread over those accounts; one outbound trunk per ACL, admitting by
// that ACL AND one credential of the same account (so every ACL is loaded by the edge, and as many
// credentials as there are trunks). The first trunk is the benchmark's: its credential is
// BENCH_USER / BENCH_PASS (real HA1s; the others' are random), its ACL ends with 127.0.0.1/32 and
// ::1/128, and it offers MD5 only (sipp). Prints one JSON line: counts, the bench trunk's domain
// label, and seconds taken.
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { formatIp, type IpAddress, maskAddress } from '../../src/domain/address/index.ts';
import { computeAllHa1 } from '../../src/domain/digest/digest-hash.ts';

const [file, credArg, entryArg, benchUser, benchPass, realm] = process.argv.slice(2);
if (file === undefined || benchUser === undefined || benchPass === undefined || realm === undefined) {
  process.stderr.write('usage: seed.ts DB CREDENTIALS ACL_ENTRIES BENCH_USER BENCH_PASS REALM\n');
  process.exit(2);
}
const CREDS_PER_ACCOUNT = 200;
const ENTRIES_PER_ACL = 50;
const credentials = Number(credArg);
const entries = Number(entryArg);
const accounts = Math.max(1, Math.ceil(credentials / CREDS_PER_ACCOUNT));
const acls = Math.max(1, Math.ceil(entries / ENTRIES_PER_ACL));
if (acls > accounts * 100) throw new Error('more ACLs than 100 per account');
if (acls > credentials) throw new Error('each trunk needs its own credential');

let seed = 0x6d2b79f5;
function random32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const between = (lo: number, hi: number): number => lo + (random32() % (hi - lo + 1));
const uuid = (): string => {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const now = new Date().toISOString();
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const authId = (i: number): string => {
  let s = '';
  for (let n = i, k = 0; k < 10; k++, n = Math.floor(n / 36)) s = ALNUM[n % 36] + s;
  return `MASCALE${'0'.repeat(3)}${s}`.slice(0, 20);
};

/** A random global-unicast-looking network: IPv4 /16–/32 (not 127/8), IPv6 /32–/128 in 2000::/3. */
function network(i: number): { ip: string; prefix: number; family: 4 | 6 } {
  if (i % 2 === 0) {
    const prefix = between(16, 32);
    let value = random32();
    if (value >>> 24 === 127) value ^= 0x01000000;
    const a: IpAddress = maskAddress({ family: 4, value: value >>> 0 }, prefix);
    return { ip: formatIp(a), prefix, family: 4 };
  }
  const prefix = between(32, 128);
  const a: IpAddress = maskAddress(
    {
      family: 6,
      words: [((random32() & 0x1fffffff) | 0x20000000) >>> 0, random32(), random32(), random32()],
    },
    prefix,
  );
  return { ip: formatIp(a), prefix, family: 6 };
}

const t0 = performance.now();
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = OFF');
const tokenHash = createHash('sha256').update(randomBytes(30)).digest('hex');
const insAccount = db.prepare(
  'INSERT INTO accounts (auth_id, parent_auth_id, name, enabled, token_hash, created_at, updated_at) VALUES (?, NULL, ?, 1, ?, ?, ?)',
);
const insCred = db.prepare(
  'INSERT INTO credentials (credential_uuid, account_auth_id, name, username, realm, ha1_md5, ha1_sha256, ha1_sha512_256, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)',
);
const insAcl = db.prepare(
  'INSERT INTO ip_acls (ip_acl_uuid, account_auth_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
);
const insEntry = db.prepare(
  'INSERT INTO ip_acl_entries (entry_id, ip_acl_uuid, family, ip, cidr_prefix, network, description, position, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)',
);
const insTrunk = db.prepare(
  `INSERT INTO trunks (trunk_id, account_auth_id, name, trunk_direction, trunk_status, secure, cps_limit, ip_acl_uuid, credential_uuid, primary_uri_uuid, fallback_uri_uuid, digest_algorithms, created_at, updated_at)
   VALUES (?, ?, NULL, 'outbound', 'enabled', 0, NULL, ?, ?, NULL, NULL, '["MD5"]', ?, ?)`,
);

let benchTrunk = '';
let entryCount = 0;
const trunkCredential: string[] = []; // per account: the credentials its trunks use, in order
db.transaction(() => {
  for (let a = 0; a < accounts; a++) {
    const acct = authId(a);
    insAccount.run(acct, `scale ${a}`, tokenHash, now, now);
    trunkCredential.length = 0;
    for (let c = 0; c < CREDS_PER_ACCOUNT && a * CREDS_PER_ACCOUNT + c < credentials; c++) {
      const id = uuid();
      if (a === 0 && c === 0) {
        const ha1 = computeAllHa1(benchUser, realm, benchPass);
        insCred.run(id, acct, benchUser, realm, ha1.md5, ha1.sha256, ha1.sha512_256, now, now);
      } else {
        insCred.run(id, acct, `u${a}-${c}`, realm, hex(16), hex(32), hex(32), now, now);
      }
      if (c < 100) trunkCredential.push(id);
    }
    // ACLs round-robin over accounts: ACL k belongs to account k % accounts.
    for (let k = a, n = 0; k < acls; k += accounts, n++) {
      const acl = uuid();
      insAcl.run(acl, acct, `scale acl ${k}`, now, now);
      const seen = new Set<string>();
      const count = Math.min(ENTRIES_PER_ACL, entries - k * ENTRIES_PER_ACL);
      for (let e = 0; e < count; e++) {
        let net = network(e);
        if (k === 0 && e === count - 2) net = { ip: '127.0.0.1', prefix: 32, family: 4 };
        if (k === 0 && e === count - 1) net = { ip: '::1', prefix: 128, family: 6 };
        const text = `${net.ip}/${net.prefix}`;
        if (seen.has(text)) {
          e--;
          continue;
        }
        seen.add(text);
        insEntry.run(uuid(), acl, net.family, net.ip, net.prefix, text, e, now);
        entryCount++;
      }
      const trunkId = String(100_000_000_000_000 + k * 7919 + between(0, 7000));
      insTrunk.run(trunkId, acct, acl, trunkCredential[n % trunkCredential.length], now, now);
      if (k === 0) benchTrunk = trunkId;
    }
  }
  db.prepare('UPDATE change_version SET version = version + 1 WHERE id = 1').run();
})();
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
process.stdout.write(
  `${JSON.stringify({
    accounts,
    credentials,
    acls,
    entries: entryCount,
    trunks: acls,
    bench_trunk: benchTrunk,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  })}\n`,
);
