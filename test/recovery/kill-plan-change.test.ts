import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import type { PausePoint } from '../../src/fault-injection.js';
import { createTestDatabase, dialectsToTest, type TestDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN } from '../helpers/stockroom.js';
import { childEnv, installationId, openShared, startChild } from './kill-harness.js';

/**
 * A real Stockroom process killed with SIGKILL in the middle of `vercel integration update acme
 * --plan team` (docs/installation-updates.md, "When the outcome is unknown"): after the charge,
 * before Update Installation is sent; then after the reference partner took the change, before
 * Stockroom recorded it. The restarted process settles each without another plan change, by
 * reading the partner's plan back: the first is refunded, the second recorded with its charge.
 */

/** Sends the plan change and never reads its answer (the process pauses, then dies). */
function firePlanChange(url: string, icfg: string): void {
  fetch(`${url}/v1/integrations/configuration/${icfg}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ billingPlanId: 'team' }),
  }).catch(() => undefined);
}

async function killedAt(t: TestContext, database: TestDatabase, point: PausePoint, icfg: string): Promise<void> {
  const child = await startChild(t, childEnv(database, { STOCKROOM_PAUSE_AT: point }));
  firePlanChange(child.url, icfg);
  await child.waitForOutput(new RegExp(`stockroom: paused at ${point}\\n`), 1);
  await child.kill();
}

/** Stockroom's recorded plan and claim, the partner's plan, and each change's ledger as [kind, cents]. */
async function state(db: Kysely<DB>, icfg: string) {
  const row = await db.selectFrom('installations').select(['billing_plan', 'plan_change_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
  const partner = await (db as unknown as Kysely<{ ref_partner_installations: { id: string; billing_plan_id: string | null } }>)
    .selectFrom('ref_partner_installations')
    .select('billing_plan_id')
    .where('id', '=', icfg)
    .executeTakeFirstOrThrow();
  const entries = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents', 'operation_key']).where('store_id', 'is', null).execute();
  const order = ['authorization', 'charge', 'refund'];
  const changes = new Map<string, Array<[string, number]>>();
  for (const e of entries) {
    const id = e.operation_key.split(':')[0]!;
    changes.set(id, [...(changes.get(id) ?? []), [e.kind, e.amount_cents]]);
  }
  for (const rows of changes.values()) rows.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  return { plan: row.billing_plan === null ? null : (JSON.parse(row.billing_plan) as { id: string }).id, claim: row.plan_change_id, partnerPlan: partner.billing_plan_id, changes };
}

for (const dialect of dialectsToTest()) {
  describe(`a plan change whose process was killed (${dialect})`, () => {
    test('killed after the charge: refunded once; killed after the partner took it: recorded, the charge kept', { timeout: 120_000 }, async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startChild(t, childEnv(database));
      const { db } = openShared(t, database);
      const icfg = await installationId(first.url);
      await first.kill();

      // 1. Charged, never sent to the partner.
      await killedAt(t, database, 'plan-change-after-charge', icfg);
      const stalled = await state(db, icfg);
      assert.match(stalled.claim ?? '', /^ipc_/, 'the dead change holds the installation');
      const firstChange = stalled.claim!;
      assert.deepEqual(stalled.changes.get(firstChange), [['authorization', 1000], ['charge', 5000]]);
      assert.equal(stalled.partnerPlan, null);

      const restarted = await startChild(t, childEnv(database));
      await eventually('the restarted process settled the first change', async () => (await state(db, icfg)).claim === null);
      const refunded = await state(db, icfg);
      assert.deepEqual(refunded.changes.get(firstChange), [['authorization', 1000], ['charge', 5000], ['refund', 5000]]);
      assert.equal(refunded.plan, null, 'nothing recorded: the partner never made the change');
      assert.equal(refunded.partnerPlan, null);
      await restarted.kill();

      // 2. Taken by the partner, never recorded.
      await killedAt(t, database, 'plan-change-after-provider', icfg);
      const unrecorded = await state(db, icfg);
      const secondChange = unrecorded.claim!;
      assert.match(secondChange, /^ipc_/);
      assert.equal(unrecorded.plan, null);
      assert.equal(unrecorded.partnerPlan, 'team', 'the partner made the change');

      const last = await startChild(t, childEnv(database));
      await eventually('the restarted process settled the second change', async () => (await state(db, icfg)).claim === null);
      const recorded = await state(db, icfg);
      assert.equal(recorded.plan, 'team', 'recorded as the partner has it');
      assert.equal(recorded.partnerPlan, 'team');
      assert.deepEqual(recorded.changes.get(secondChange), [['authorization', 1000], ['charge', 5000]], 'the charge kept, no refund');
      assert.deepEqual(recorded.changes.get(firstChange), [['authorization', 1000], ['charge', 5000], ['refund', 5000]], 'the first change refunded once');
      assert.equal(recorded.changes.size, 2, 'no plan change besides the two');
      await last.kill();
    });
  });
}
