// Builds the web console into static files: console/src/main.tsx bundled and minified by esbuild
// (Preact, the typed client in sdk/, nothing fetched at run time), with index.html and console.css
// beside it. `npm run build` and `npm ci` (prepare) run it; src/api/console-assets.ts serves the result.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const CONSOLE_OUT_DIR = join(HERE, '..', 'dist', 'console');

/**
 * Builds into a scratch folder beside `outDir`, then renames each file into place: a server
 * reading `outDir` meanwhile sees the old file or the new one, never half of one.
 */
export async function buildConsole(outDir: string = CONSOLE_OUT_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const scratch = mkdtempSync(`${outDir.replace(/\/+$/, '')}.build-`);
  try {
    await bundleInto(scratch);
    for (const name of readdirSync(scratch)) renameSync(join(scratch, name), join(outDir, name));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function bundleInto(outDir: string): Promise<void> {
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
