import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { assertFinished, killAtAndRestart, PLANS, type PlanKind } from './kill-harness.js';

/**
 * A Stockroom process killed (SIGKILL) before the provider was called: before the charge, and
 * between the charge and the provider call. The restarted process resumes each store with its own
 * keys: the authorization or prepayment already taken is found, not taken twice, and the provider
 * makes the resource now (issue 5 §4).
 */
for (const dialect of dialectsToTest()) {
  describe(`a create killed before the provider is called (${dialect})`, { concurrency: true }, () => {
    for (const point of ['before-charge', 'after-charge'] as const) {
      test(`killed at ${point}: the restart finishes the free, paid and prepaid stores with one charge each`, async (t) => {
        const database = await createTestDatabase(dialect);
        t.after(() => database.drop());
        const { db, secretBox, names, ids, outcomes } = await killAtAndRestart(t, database, point);
        for (const kind of Object.keys(PLANS) as PlanKind[]) {
          assert.equal(outcomes.get(ids[kind]), 'resumed', `recovery resumed ${names[kind]}`);
          await assertFinished(db, secretBox, names[kind], kind);
        }
      });
    }
  });
}
