import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { dialectsToTest } from '../helpers/databases.js';
import { checkRequest, fuzzParameters, fuzzWorld, requestArbitrary } from './fuzz-harness.js';

/**
 * Hostile input at every endpoint of `GET /openapi.json` (issue 5 §6): random and malformed
 * bodies, query strings, headers, tokens and path parameters. Never a 500, never a crash, never a
 * changed database on a 4xx. Seeded and bounded (`FUZZ_RUNS`, `FUZZ_SEED`); `npm run fuzz` runs
 * longer.
 */
for (const dialect of dialectsToTest()) {
  describe(`hostile input (${dialect})`, () => {
    test('at every endpoint: no 5xx, and no 4xx changes the database', async (t) => {
      const w = await fuzzWorld(t, dialect);
      assert.ok(w.operations.length > 40, `the OpenAPI document lists the routes (${w.operations.length})`);
      await fc.assert(fc.asyncProperty(requestArbitrary(w), (request) => checkRequest(w, request)), fuzzParameters());
      const health = await w.server.request('GET', '/healthz', { token: null });
      assert.equal(health.status, 200, 'the server is still up');
    });
  });
}
