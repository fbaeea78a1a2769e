import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { BUNDLE, startBuiltServer } from '../helpers/built-server.js';
import { createTestDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';

const TOKEN = 'srk_bundleTestToken0123456789abcdef';

/**
 * `npm start` runs the esbuild bundle (scripts/build.mjs) that `npm test` builds first: this checks
 * that it is a working Stockroom, files found next to their sources (the catalog) and the console
 * built beside it included.
 */
describe('the bundle npm start runs', () => {
  it('compiles nothing at run time: the build tools are not in it', () => {
    // esbuild started while serving could not find itself inside the bundle (issue 12).
    const mentions = readFileSync(BUNDLE, 'utf8').match(/.{0,60}esbuild.{0,60}/g) ?? [];
    assert.deepEqual(mentions, [], `${BUNDLE} mentions esbuild`);
  });

  it('starts, serves the console, creates and lists a store, and stops cleanly', async (t) => {
    const database = await createTestDatabase('sqlite');
    t.after(() => database.drop());
    const server = await startBuiltServer(t, { ...process.env, ...database.env, PORT: '0', STOCKROOM_TOKEN: TOKEN, LOG_LEVEL: 'info' });
    const { url } = server;

    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const installation = await eventually('the bundle has made its bootstrap installation', async () => {
      const configurations = await call('GET', '/v1/integrations/configurations');
      return (configurations.body.find?.((c: any) => c.status === 'ready')?.id as string | undefined) ?? false;
    });

    for (const [path, type] of [['/', /^text\/html/], ['/console/app.js', /^text\/javascript/], ['/console/app.css', /^text\/css/]] as const) {
      const asset = await fetch(`${url}${path}`);
      const text = await asset.text();
      assert.equal(asset.status, 200, `${path}: ${text}`);
      assert.match(asset.headers.get('content-type') ?? '', type, path);
      assert.ok(text.length > 500, `${path} has content`);
    }

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

    assert.equal(await server.stop(), 0, server.output());
  });

  it('without the console built beside it, answers the page and its script with a clear 503, not a blank page', async (t) => {
    // A copy with no console/ beside it, at the depth of dist/ in the checkout: it finds
    // node_modules and the sources' files (the catalog) as the bundle does.
    const dir = mkdtempSync(join(dirname(dirname(BUNDLE)), 'dist-no-console-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const bundle = join(dir, 'stockroom.mjs');
    copyFileSync(BUNDLE, bundle);
    mkdirSync(join(dir, 'data'));
    const server = await startBuiltServer(t, { ...process.env, PORT: '0', STOCKROOM_DATA_DIR: join(dir, 'data'), STOCKROOM_TOKEN: TOKEN, LOG_LEVEL: 'info' }, { bundle });
    for (const path of ['/', '/console/app.js']) {
      const res = await fetch(`${server.url}${path}`);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(res.status, 503, path);
      assert.equal(body.error.code, 'service_unavailable');
      assert.match(body.error.message, /^The web console is not built: .*console\/(index\.html|app\.js) is missing\. Run `npm run build`/);
    }
    // The API is not affected.
    assert.equal((await fetch(`${server.url}/v2/user`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  });
});
