// Builds the web console into static files: console/src/main.tsx bundled and minified by esbuild
// (Preact, the typed client in sdk/, nothing fetched at run time), with index.html and console.css
// beside it. `npm run build` and `npm ci` (prepare) run it; src/api/console-assets.ts serves the result.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const CONSOLE_OUT_DIR = join(HERE, '..', 'dist', 'console');

export async function buildConsole(outDir: string = CONSOLE_OUT_DIR): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(HERE, 'src', 'main.tsx')],
    outfile: join(outDir, 'console.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome111', 'firefox114', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  copyFileSync(join(HERE, 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(HERE, 'console.css'), join(outDir, 'console.css'));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildConsole();
  console.log(`console built into ${CONSOLE_OUT_DIR}`);
}
