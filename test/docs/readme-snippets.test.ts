import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startBuiltTestServer } from '../helpers/built-server.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** The token and address the README's snippets are written for. */
const README_TOKEN = 'srk_local_dev_token_000000000000';
const README_URL = 'http://127.0.0.1:3000';

/** The first ```sh block after a heading of the README. */
function shellBlockAfter(heading: string): string {
  const at = README.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `README.md has no "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  assert.ok(block?.[1], `no sh block after "${heading}"`);
  return block[1];
}

const REAL_PROVIDERS = process.env.TEST_POSTGRES_ADMIN_URL && process.env.TEST_REDIS_ADMIN_URL
  ? { STOCKROOM_POSTGRES_ADMIN_URL: process.env.TEST_POSTGRES_ADMIN_URL, STOCKROOM_REDIS_ADMIN_URL: process.env.TEST_REDIS_ADMIN_URL }
  : undefined;

/**
 * "Your first store" is what a new user pastes first. It runs here as written (bash and curl
 * against the bundle `npm start` runs, only its address moved to the test server's port), on the
 * embedded default and with the real PostgreSQL and Redis providers on, where the bootstrap team
 * has three installations and picking the first one would pick the wrong integration.
 */
describe('the README\'s "Your first store" snippet', () => {
  const cases = [
    { name: 'on the embedded default', env: {} as Record<string, string>, skip: false as string | false },
    { name: 'with the real PostgreSQL and Redis providers on', env: (REAL_PROVIDERS ?? {}) as Record<string, string>, skip: REAL_PROVIDERS ? false : 'TEST_POSTGRES_ADMIN_URL and TEST_REDIS_ADMIN_URL are not set' },
  ];
  for (const { name, env, skip } of cases) {
    it(`creates an available store ${name}`, { skip }, async (t) => {
      const server = await startBuiltTestServer(t, 'sqlite', { env: { ...env, STOCKROOM_TOKEN: README_TOKEN } });
      const configurations = await server.request('GET', '/v1/integrations/configurations', { token: README_TOKEN });
      assert.equal(configurations.status, 200);
      if (skip === false && env.STOCKROOM_POSTGRES_ADMIN_URL) assert.ok(configurations.body.length >= 3, 'the real providers are installed too');

      const script = shellBlockAfter('## Your first store').replaceAll(README_URL, server.url);
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { timeout: 30_000 });
      const answer = JSON.parse(stdout) as { store: { id: string; status: string; product: { slug: string }; billingPlan: { id: string } } };
      assert.equal(answer.store.status, 'available');
      assert.equal(answer.store.product.slug, 'acme-db');
      assert.equal(answer.store.billingPlan.id, 'free');

      const row = await server.stockroom.ctx.db.selectFrom('stores').select(['id', 'name', 'lifecycle', 'status']).where('id', '=', answer.store.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { id: answer.store.id, name: 'my-dev-database', lifecycle: 'live', status: 'available' });
    });
  }
});
