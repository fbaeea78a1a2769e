import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const ROOT = new URL('../..', import.meta.url).pathname;
const TOKEN = 'srk_bundleTestToken0123456789abcdef';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * `npm start` runs the esbuild bundle (scripts/build.mjs), not the sources the other suites load
 * through tsx: this checks that the bundle is a working Stockroom, files found next to their
 * sources (the catalog) included.
 */
describe('the bundle npm start runs', () => {
  it('starts, answers, creates and lists a store, and stops cleanly', async (t) => {
    // Inside the checkout (dist/ is ignored by git), so that the bundle finds node_modules for the
    // packages it leaves out (better-sqlite3).
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'dist', 'bundle-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const bundle = join(dir, 'stockroom.mjs');
    await promisify(execFile)(process.execPath, ['scripts/build.mjs', `--outfile=${bundle}`], { cwd: ROOT });

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [bundle], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), STOCKROOM_DATA_DIR: join(dir, 'data'), STOCKROOM_TOKEN: TOKEN, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    t.after(() => child.kill('SIGKILL'));

    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    let installation: string | undefined;
    for (let i = 0; i < 300 && !installation; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const configurations = await call('GET', '/v1/integrations/configurations').catch(() => undefined);
      installation = configurations?.body.find?.((c: any) => c.status === 'ready')?.id;
    }
    assert.ok(installation, `the bundle did not come up: ${stderr}`);

    assert.equal((await call('GET', '/v2/user')).status, 200);
    const created = await call('POST', '/v1/storage/stores/integration/direct', {
      name: 'from-the-bundle',
      integrationConfigurationId: installation,
      integrationProductIdOrSlug: 'acme-db',
      metadata: { region: 'iad1' },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.store.product.slug, 'acme-db');
    const listed = await call('GET', '/v1/storage/stores');
    assert.deepEqual(listed.body.stores.map((s: any) => s.id), [created.body.store.id]);
    const invalid = await call('POST', '/v1/storage/stores/integration/direct', { name: 42 });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'bad_request');
    assert.equal((await call('GET', '/openapi.json')).status, 200);

    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });
});
