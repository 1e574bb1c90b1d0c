// npm run sdk:generate: writes sdk/openapi.d.ts from the app's OpenAPI document.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedSdkTypes } from './openapi-document.ts';

const target = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'sdk', 'openapi.d.ts');
writeFileSync(target, await generatedSdkTypes());
console.log(`wrote ${target}`);
