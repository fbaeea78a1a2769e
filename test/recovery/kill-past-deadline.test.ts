import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { assertUndone, killAtAndRestart, PLANS, type PlanKind } from './kill-harness.js';

/**
 * Past the recovery deadline (counted from the store's creation), a store a killed process left
 * half-made is undone rather than finished, whatever step the crash stopped it at: its charges are
 * refunded, what the provider made is deleted (found by name when its id never reached
 * Stockroom), and the row goes (issue 5 §4).
 */
for (const dialect of dialectsToTest()) {
  describe(`a create found past the recovery deadline (${dialect})`, { concurrency: true }, () => {
    for (const point of ['after-charge', 'during-provision'] as const) {
      test(`killed at ${point} and found past the deadline: each store is undone, charges refunded, resources deleted`, async (t) => {
        const database = await createTestDatabase(dialect);
        t.after(() => database.drop());
        // The deadline equals the grace period: any row recovery may take is already too old.
        const { db, names, ids, outcomes } = await killAtAndRestart(t, database, point, { STOCKROOM_RECOVERY_DEADLINE_MS: '4000' });
        for (const kind of Object.keys(PLANS) as PlanKind[]) {
          assert.equal(outcomes.get(ids[kind]), 'undone', `recovery undid ${names[kind]}`);
          await assertUndone(db, names[kind], ids[kind]);
        }
        // Only the prepayment was money taken (the paid plan was only authorized so far), and it came back.
        const refunds = await db.selectFrom('ledger_entries').select(['store_id', 'amount_cents']).where('kind', '=', 'refund').execute();
        assert.deepEqual(refunds.map((r) => [r.store_id, r.amount_cents]), [[ids.prepaid, 2500]]);
      });
    }
  });
}
