import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { assertFinished, killAtAndRestart, PLANS, type PlanKind } from './kill-harness.js';

/**
 * A Stockroom process killed (SIGKILL) while the provider works on the store, or right after it
 * answered and before Stockroom recorded the resource's id. Either way the provider holds a
 * resource Stockroom knows nothing of. The restart sends Provision Resource again with the store's
 * provision key; the reference partner replays its first answer, so the store gets that resource
 * and its secrets, and no second one is made (issue 5 §4).
 */
for (const dialect of dialectsToTest()) {
  // Each case runs its own processes on its own database; running them side by side halves the wait.
  describe(`a create killed at the provider (${dialect})`, { concurrency: true }, () => {
    for (const point of ['during-provision', 'after-provision'] as const) {
      test(`killed at ${point}: the restart finishes each store with the resource the provider already made`, async (t) => {
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
