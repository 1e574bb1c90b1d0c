// The error registry (src/errors.ts), the OpenAPI document's Error.code enum and docs/errors.md stay
// in step: a code added, removed or re-statused in one place and not the others fails here (as
// fastify's test/internals/errors.test.js does for lib/errors.js and docs/Reference/Errors.md).
// The rest of the OpenAPI promises are checked on the same document: one operationId per operation,
// one $ref'd Error schema, 401/403/404/429 on every account path, /health and /metrics documented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { openApiDocument } from '../../../scripts/openapi-document.ts';
import { ERROR_CODES, ERRORS } from '../../../src/errors.ts';
import { REPO_ROOT } from '../../helpers/server-process.ts';

interface DocRow {
  code: string;
  status: number;
  meaning: string;
}

/** The table rows of docs/errors.md: | `code` | status | meaning |. */
function docRows(markdown: string): DocRow[] {
  const rows: DocRow[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([a-z0-9_]+)`\s*\|\s*(\d{3})\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (m) rows.push({ code: m[1] ?? '', status: Number(m[2]), meaning: m[3] ?? '' });
  }
  return rows;
}

/** Every disagreement between the three lists, as sentences; empty when they agree. */
function mismatches(
  registry: Readonly<Record<string, { status: number }>>,
  rows: readonly DocRow[],
  openapiEnum: readonly string[],
): string[] {
  const out: string[] = [];
  const codes = Object.keys(registry);
  const documented = new Map<string, DocRow>();
  for (const r of rows) {
    if (documented.has(r.code)) out.push(`docs/errors.md lists ${r.code} twice`);
    documented.set(r.code, r);
    if (r.meaning.trim() === '') out.push(`docs/errors.md gives ${r.code} no meaning`);
  }
  for (const code of codes) {
    const row = documented.get(code);
    if (row === undefined) out.push(`${code} is in src/errors.ts but not in docs/errors.md`);
    else if (row.status !== registry[code]?.status)
      out.push(`${code} is ${registry[code]?.status} in src/errors.ts but ${row.status} in docs/errors.md`);
    if (!openapiEnum.includes(code)) out.push(`${code} is in src/errors.ts but not in the OpenAPI enum`);
  }
  for (const code of documented.keys())
    if (!(code in registry)) out.push(`${code} is in docs/errors.md but not in src/errors.ts`);
  for (const code of openapiEnum)
    if (!(code in registry)) out.push(`${code} is in the OpenAPI enum but not in src/errors.ts`);
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is plain JSON, walked below
type Json = any;

describe('error registry ↔ OpenAPI ↔ docs/errors.md', () => {
  let doc: Json;
  const rows = docRows(readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8'));

  before(async () => {
    doc = await openApiDocument();
  });

  test('the three agree: every code, its status, nothing extra', () => {
    assert.ok(rows.length > 0, 'docs/errors.md has a table');
    const openapiEnum: string[] = doc.components.schemas.Error.properties.code.enum;
    assert.deepEqual(mismatches(ERRORS, rows, openapiEnum), []);
    assert.deepEqual(openapiEnum, [...ERROR_CODES]);
  });

  test('the comparison catches a code missing, extra or re-statused in any one place', () => {
    const registry = { a_code: { status: 400 }, b_code: { status: 404 } };
    const good: DocRow[] = [
      { code: 'a_code', status: 400, meaning: 'x' },
      { code: 'b_code', status: 404, meaning: 'y' },
    ];
    assert.deepEqual(mismatches(registry, good, ['a_code', 'b_code']), []);
    assert.match(mismatches(registry, good.slice(0, 1), ['a_code', 'b_code']).join(), /b_code .*not in docs/);
    assert.match(mismatches(registry, good, ['a_code']).join(), /b_code .*not in the OpenAPI enum/);
    assert.match(
      mismatches({ a_code: { status: 400 } }, good, ['a_code']).join(),
      /b_code is in docs.*not in src/,
    );
    assert.match(
      mismatches(registry, good, ['a_code', 'b_code', 'c_code']).join(),
      /c_code is in the OpenAPI enum but not/,
    );
    assert.match(
      mismatches(
        registry,
        [good[0] as DocRow, { code: 'b_code', status: 409, meaning: 'y' }],
        ['a_code', 'b_code'],
      ).join(),
      /b_code is 404 in src\/errors.ts but 409/,
    );
    assert.match(
      mismatches(registry, [...good, good[0] as DocRow], ['a_code', 'b_code']).join(),
      /a_code twice/,
    );
  });

  test('every error response is a $ref to the one Error schema', () => {
    const schemas = Object.keys(doc.components.schemas);
    assert.deepEqual(
      schemas.filter((s) => doc.components.schemas[s].properties?.code !== undefined),
      ['Error'],
      'exactly one error schema',
    );
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        for (const [status, res] of Object.entries<Json>(op.responses)) {
          if (Number(status) < 400) continue;
          assert.deepEqual(
            res.content['application/json'].schema,
            { $ref: '#/components/schemas/Error' },
            `${method} ${path} ${status}`,
          );
        }
      }
    }
  });

  test('one unique operationId per operation', () => {
    const ids: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        assert.equal(typeof op.operationId, 'string', `${method} ${path} has an operationId`);
        assert.match(op.operationId, /^[a-z][A-Za-z0-9]+$/);
        ids.push(op.operationId);
      }
    }
    assert.ok(ids.length >= 50, `only ${ids.length} operations`);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    assert.equal(doc.paths['/v1/Account/{auth_id}/Zentrunk/Trunk/'].get.operationId, 'listZentrunkTrunks');
    assert.equal(doc.paths['/api/v1/sip-credentials/{id}'].patch.operationId, 'updateSipCredential');
  });

  test('401, 403, 404 and 429 on every account path; Retry-After on 429', () => {
    let checked = 0;
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      if (!path.startsWith('/v1/Account/') && !path.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries<Json>(item)) {
        for (const status of ['401', '403', '404', '429'])
          assert.ok(op.responses[status], `${method} ${path} documents ${status}`);
        assert.ok(op.responses['429'].headers['Retry-After'], `${method} ${path} 429 Retry-After`);
        checked++;
      }
    }
    assert.ok(checked >= 50);
  });

  test('/health and /metrics are documented; Basic and Bearer API keys are described', () => {
    const health = doc.paths['/health'].get;
    assert.deepEqual(Object.keys(health.responses).sort(), ['200', '503']);
    assert.ok(health.responses['200'].content['application/json'].schema.properties.sip_edge);
    assert.deepEqual(health.security, []);
    const metrics = doc.paths['/metrics'].get;
    assert.ok(metrics.responses['200'].content['text/plain']);
    assert.deepEqual(metrics.security, []);
    const { basicAuth, bearerAuth } = doc.components.securitySchemes;
    assert.equal(basicAuth.scheme, 'basic');
    assert.equal(bearerAuth.scheme, 'bearer');
    assert.match(bearerAuth.description, /API key/);
    assert.match(doc.info.description, /Bearer/);
  });
});
