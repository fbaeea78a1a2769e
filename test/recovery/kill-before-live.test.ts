import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { assertUndone, killAtAndRestart, PLANS, type PlanKind } from './kill-harness.js';
import { assertKilledCreatesResume } from './killed-create-resumes.js';

/**
 * A Stockroom process killed (SIGKILL) after everything but the last write: the initial charge is
 * taken (or the prepayment credited) and the row is not live yet. The restart finishes the store
 * without charging again; past the recovery deadline it undoes it instead, giving the initial
 * charge and the prepayment back (issue 5 §4).
 */
for (const dialect of dialectsToTest()) {
  describe(`a create killed before it went live (${dialect})`, { concurrency: true }, () => {
    test('killed at before-live: the restart makes each store live, charged once', async (t) => {
      await assertKilledCreatesResume(t, dialect, 'before-live');
    });

    test('killed at before-live and found past the deadline: each store is undone, the initial charge and the prepayment refunded', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      // The deadline equals the grace period: any row recovery may take is already too old.
      const { db, names, ids, outcomes } = await killAtAndRestart(t, database, 'before-live', { STOCKROOM_RECOVERY_DEADLINE_MS: '4000' });
      for (const kind of Object.keys(PLANS) as PlanKind[]) {
        assert.equal(outcomes.get(ids[kind]), 'undone', `recovery undid ${names[kind]}`);
        await assertUndone(db, names[kind], ids[kind]);
      }
      const refunds = await db.selectFrom('ledger_entries').select(['store_id', 'amount_cents']).where('kind', '=', 'refund').execute();
      assert.deepEqual(refunds.map((r) => [r.store_id, r.amount_cents]).sort(), [[ids.pro, 2000], [ids.prepaid, 2500]].sort());
      // The prepayment's invoice (paid, and reported to the partner before the kill) is refunded with it (docs/invoices.md).
      const invoice = await db.selectFrom('invoices').select(['id', 'state', 'refund_cents']).where('source_key', '=', `${ids.prepaid}:prepayment`).executeTakeFirstOrThrow();
      assert.deepEqual([invoice.state, invoice.refund_cents], ['refunded', 2500]);
      const refundRow = await db.selectFrom('ledger_entries').select('invoice_id').where('kind', '=', 'refund').where('store_id', '=', ids.prepaid).executeTakeFirstOrThrow();
      assert.equal(refundRow.invoice_id, invoice.id);
    });
  });
}
