// Creates one IP ACL through the API from the CIDRs on stdin (one a line) and prints its uuid.
//   node --import tsx bench/lib/create-acl.ts ORIGIN AUTH_ID AUTH_TOKEN NAME < cidrs
// The first 3,000 networks go in the create request (Zentrunk shape); the rest are added one by one
// (SipAuth Entry), 16 at a time: a create request with more entries fails on SQLite ("too many SQL
// variables", see bench/RESULTS.md), and the server's TRUNKGATE_QUOTA_ACL_ENTRIES must allow them.
const [origin, authId, token, name = 'bench'] = process.argv.slice(2);
if (origin === undefined || authId === undefined || token === undefined) {
  process.stderr.write('usage: create-acl.ts ORIGIN AUTH_ID AUTH_TOKEN [NAME] < cidrs\n');
  process.exit(2);
}
const FIRST = 3000;
const CONCURRENCY = 16;
const auth = `Basic ${Buffer.from(`${authId}:${token}`).toString('base64')}`;
const base = `${origin}/v1/Account/${authId}`;

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

let input = '';
for await (const chunk of process.stdin) input += String(chunk);
const cidrs = input
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '');
const created = await post('/Zentrunk/IPAccessControlList/', { name, ip_addresses: cidrs.slice(0, FIRST) });
const uuid = String(created['ipacl_uuid']);
const rest = cidrs.slice(FIRST);
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < rest.length) {
      const cidr = rest[next++]!;
      const [ip, prefix] = cidr.split('/');
      await post(`/SipAuth/IPAccessControlList/${uuid}/Entry/`, {
        ip,
        ...(prefix === undefined ? {} : { cidr_prefix: Number(prefix) }),
      });
    }
  }),
);
process.stdout.write(`${uuid}\n`);
