import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ROOT } from '../../scripts/build-inputs.mjs';
import { browserSkipReason, launchChromium, screenshot } from '../helpers/browser.js';
import { watch } from '../helpers/built-server.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The README's first command, as a person runs it: `npm start` in the checkout (its prestart
 * step builds what is stale), no configuration but a fresh data directory and a port, the
 * printed token pasted into the console in a browser, and a store created through its form.
 */
test('npm start serves a working console: sign in with the printed token, create a store', { skip: browserSkipReason, timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stockroom-npm-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), STOCKROOM_DATA_DIR: dataDir };
  // Nothing chosen for the person: the first start makes the token and prints it.
  for (const name of ['STOCKROOM_TOKEN', 'DATABASE_URL', 'STOCKROOM_CATALOG', 'STOCKROOM_PAUSE_AT', 'LOG_LEVEL']) delete env[name];
  // npm runs the server as its child: its own process group, so the test can stop both.
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const stopGroup = (signal: NodeJS.Signals) => {
    try {
      if (npm.pid) process.kill(-npm.pid, signal);
    } catch {
      // already gone
    }
  };
  t.after(() => stopGroup('SIGKILL'));
  const server = await watch(t, npm, { timeoutMs: 60_000 });
  assert.equal(server.url, `http://127.0.0.1:${port}`);
  const token = /Access token \(shown once, store it now\):\s+(srk_\S+)/.exec(server.output())?.[1];
  assert.ok(token, `npm start printed no token:\n${server.output()}`);

  const script = await fetch(`${server.url}/console/app.js`);
  assert.equal(script.status, 200, await script.clone().text());
  assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.ok((await script.text()).length > 1000, 'the console script is not empty');

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${server.url}/`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Create store' }).click();
  await page.getByRole('heading', { level: 1, name: 'Create store' }).waitFor();
  await page.getByLabel('Product').selectOption({ label: 'Acme DB' });
  await page.getByRole('radio', { name: /Free/ }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('from-npm-start');
  await page.getByLabel('Primary region').selectOption('iad1');
  await page.getByRole('button', { name: 'Create store' }).click();
  await page.getByRole('heading', { level: 1, name: 'from-npm-start' }).waitFor();
  await page.locator('#store-status').filter({ hasText: 'available' }).waitFor();
  await screenshot(page, 'npm-start-store');
  assert.deepEqual(pageErrors, []);

  const db = new Database(join(dataDir, 'stockroom.db'), { readonly: true });
  const row = db.prepare('select lifecycle, status from stores where name = ?').get('from-npm-start');
  db.close();
  assert.deepEqual(row, { lifecycle: 'live', status: 'available' }, 'the store the form created is stored');

  stopGroup('SIGTERM');
  await server.exited;
});
