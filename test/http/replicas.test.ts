import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startBuiltServer } from '../helpers/built-server.js';
import { createTestDatabase, NO_POSTGRES } from '../helpers/databases.js';
import { OWNER_TOKEN, send } from '../helpers/stockroom.js';

/**
 * Two real Stockroom processes (dist/stockroom.mjs, what `npm start` runs) on one PostgreSQL: the
 * way Stockroom scales past one machine (issue 2 §2).
 */
describe('two Stockroom processes on one PostgreSQL', () => {
  test('bootstrap once and create teams concurrently without duplicate slugs', { skip: NO_POSTGRES }, async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const env = { ...process.env, ...database.env, PORT: '0', STOCKROOM_TOKEN: OWNER_TOKEN, LOG_LEVEL: 'info' };
    const [a, b] = await Promise.all([startBuiltServer(t, env), startBuiltServer(t, env)]);

    const slugs = Array.from({ length: 10 }, (_, i) => `race-${i}`);
    // Every slug is requested on both replicas at the same moment.
    const results = await Promise.all(slugs.flatMap((slug) => [a.url, b.url].map((url) => send(url, 'POST', '/v1/teams', { body: { slug } }))));
    for (const slug of slugs) {
      const forSlug = results.filter((r) => r.body?.slug === slug || r.status === 409);
      assert.ok(forSlug.length > 0);
    }
    const statuses = results.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 200).length, slugs.length, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 409).length, slugs.length);

    const fromA = await send(a.url, 'GET', '/v2/teams?limit=100');
    const fromB = await send(b.url, 'GET', '/v2/teams?limit=100');
    assert.deepEqual(fromA.body.teams.map((x: any) => x.id).sort(), fromB.body.teams.map((x: any) => x.id).sort());
    assert.equal(fromA.body.teams.length, slugs.length + 1);
    const meA = await send(a.url, 'GET', '/v2/user');
    const meB = await send(b.url, 'GET', '/v2/user');
    assert.equal(meA.body.user.id, meB.body.user.id, 'one bootstrap owner');

    assert.equal(await a.stop(), 0, 'SIGTERM shuts down cleanly');
  });
});
