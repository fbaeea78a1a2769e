import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), which `.ci/run` installs. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why browser tests are skipped here, or false when they can run. CI (`.ci/run`) installs
 * Chromium and sets STOCKROOM_TEST_REQUIRE_BROWSER, so there a missing browser fails the tests.
 */
export const browserSkipReason: string | false =
  existsSync(CHROMIUM) || process.env.STOCKROOM_TEST_REQUIRE_BROWSER === '1'
    ? false
    : `Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (.ci/run does) to run the browser tests`;

/** Where screenshots are kept (gitignored), one per page the tests visit. */
export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts', 'console');

/**
 * Launches headless Chromium with the flags this machine needs: no sandbox (tests run as root),
 * no GPU, and nothing that reaches for the network on its own (the machine's network is closed;
 * Playwright gives every launch a fresh temporary profile).
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * A console page signed in as `token` (the owner's by default) on the Stores page, in a fresh
 * Chromium closed after the test; `pageErrors` collects the page's uncaught errors.
 */
export async function signedInConsole(
  t: { after(fn: () => unknown): void },
  server: { readonly url: string; readonly token: string },
  timeoutMs = 15_000,
): Promise<{ page: Page; pageErrors: string[] }> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  page.setDefaultTimeout(timeoutMs);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${server.url}/`);
  await page.getByLabel('Access token').fill(server.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
  return { page, pageErrors };
}
