import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { dialectsToTest } from '../helpers/databases.js';
import { checkRequest, fuzzParameters, fuzzWorld, requestArbitrary } from './fuzz-harness.js';

/**
 * Hostile input at the store endpoints (issue 5 §6), where money and providers are: half of the
 * requests are creates, most with a body a real client would send broken in one place, so that
 * the fuzz reaches payment and provisioning and not only the validator. Never a 500, never a
 * changed database on a 4xx. `FUZZ_RUNS`, `FUZZ_SEED`; `npm run fuzz` runs longer.
 */
for (const dialect of dialectsToTest()) {
  describe(`hostile input at the store endpoints (${dialect})`, () => {
    test('with bodies valid in all but one place: no 5xx, and no 4xx changes the database', async (t) => {
      const w = await fuzzWorld(t, dialect);
      const storeRoutes = w.operations.filter((op) => op.path.startsWith('/v1/storage/') || op.path.startsWith('/storage/'));
      const create = storeRoutes.find((op) => op.method === 'POST' && op.path === '/v1/storage/stores/integration/direct');
      assert.ok(create, 'create store is among them');
      // Create is where money and providers are: it gets half of the requests.
      storeRoutes.push(...Array<typeof create>(storeRoutes.length).fill(create));
      await fc.assert(fc.asyncProperty(requestArbitrary(w, storeRoutes), (request) => checkRequest(w, request)), fuzzParameters());
      const health = await w.server.request('GET', '/healthz', { token: null });
      assert.equal(health.status, 200, 'the server is still up');
    });
  });
}
