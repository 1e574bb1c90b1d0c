// The baseline of bench/api/run.sh: a bare Fastify server that answers the same three credential
// requests with the same store calls (CredentialRepository over the same database), without
// trunkgate's authentication, allowlist, rate limit, schema validation, response schemas or error
// handling. What trunkgate adds on top of this is the overhead the benchmark reports.
//
//   node --import tsx bench/api/bare-server.ts PORT ACCOUNT_AUTH_ID   (TRUNKGATE_DB or DATABASE_URL)
import Fastify from 'fastify';
import { openStore } from '../../src/store/database.ts';
import { CredentialRepository } from '../../src/store/repositories/credential-repository.ts';

const [portArg, account] = process.argv.slice(2);
if (portArg === undefined || account === undefined) {
  process.stderr.write('usage: bare-server.ts PORT ACCOUNT_AUTH_ID\n');
  process.exit(2);
}
const store = openStore({
  sqlitePath: process.env['TRUNKGATE_DB'] ?? './data/trunkgate.db',
  databaseUrl: process.env['DATABASE_URL'],
});
const credentials = new CredentialRepository(store);
const app = Fastify({ logger: false });

app.get<{ Params: { id: string } }>('/bare/credential/:id', async (request, reply) => {
  const c = await credentials.find(account, request.params.id);
  if (c === undefined) return reply.code(404).send({ error: 'not found' });
  return c;
});

app.get<{ Querystring: { limit?: string; offset?: string } }>('/bare/credential', async (request) => {
  const limit = Number(request.query.limit ?? '20');
  const offset = Number(request.query.offset ?? '0');
  const { rows, total } = await credentials.list(account, limit, offset);
  return { meta: { limit, offset, total_count: total }, objects: rows };
});

app.post<{ Body: { username: string; password: string } }>('/bare/credential', async (request, reply) => {
  const outcome = await credentials.create(
    account,
    { name: null, username: request.body.username, realm: 'bench.local', password: request.body.password },
    Number.MAX_SAFE_INTEGER,
  );
  if (outcome.kind !== 'ok') return reply.code(409).send({ error: outcome.kind });
  return reply.code(201).send({ credential_uuid: outcome.credential.credential_uuid });
});

app.get('/health', async () => ({ status: 'ok' }));

await app.listen({ host: '127.0.0.1', port: Number(portArg) });
const stop = async (): Promise<void> => {
  await app.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
