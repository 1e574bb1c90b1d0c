// Debian's Chromium driven by playwright-core: headless, no sandbox (containers), nothing that
// talks to the network on its own, a fresh profile per run.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/server-process.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const OUTPUT_DIR = join(REPO_ROOT, 'test-output', 'console');

/**
 * `describe` option: skip (outside CI only) when Chromium is missing. Under CI (`CI` set, as
 * `.ci/run` does after installing chromium) a missing browser fails instead.
 */
export function chromiumSkip(): { skip?: string } {
  if (existsSync(CHROMIUM)) return {};
  if (process.env['CI'])
    throw new Error(
      `Chromium is required under CI (Debian package chromium; .ci/run installs it) but ${CHROMIUM} is missing`,
    );
  return { skip: `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)` };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openBrowser(origin: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'trunkgate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 860 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page PNG; anything shown once (tokens) is masked, so no secret lands in test output. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({
    path: join(OUTPUT_DIR, `${name}.png`),
    fullPage: true,
    mask: [page.locator('[data-testid="secret-once"]')],
  });
}
