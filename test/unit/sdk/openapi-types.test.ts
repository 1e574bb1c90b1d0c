// sdk/openapi.d.ts must be what `npm run sdk:generate` makes from the app's OpenAPI document today:
// a route or schema change without regenerating fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generatedSdkTypes } from '../../../scripts/openapi-document.ts';
import { REPO_ROOT } from '../../helpers/server-process.ts';

test('sdk/openapi.d.ts is up to date with the app (run `npm run sdk:generate`)', async () => {
  const committed = readFileSync(join(REPO_ROOT, 'sdk', 'openapi.d.ts'), 'utf8');
  const fresh = await generatedSdkTypes();
  if (committed !== fresh) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(
      `sdk/openapi.d.ts is out of date (first difference at line ${line + 1}: ` +
        `${JSON.stringify(a[line])} vs ${JSON.stringify(b[line])}); run \`npm run sdk:generate\``,
    );
  }
});

test('the generated types cover every documented path of the app', async () => {
  const text = readFileSync(join(REPO_ROOT, 'sdk', 'openapi.d.ts'), 'utf8');
  for (const p of [
    '/v1/Account/{auth_id}/Zentrunk/Trunk/',
    '/v1/Account/{auth_id}/IPWhitelist/{entry_id}/',
    '/api/v1/sip-credentials/{id}',
    '/health',
  ]) {
    assert.ok(text.includes(`"${p}": {`), `${p} is in sdk/openapi.d.ts`);
  }
});
