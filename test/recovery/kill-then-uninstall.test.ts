import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { send } from '../helpers/stockroom.js';
import { childEnv, fireCreates, installationId, ledgerOf, openShared, partnerResources, PLANS, recoveryOutcomes, startChild, type PlanKind } from './kill-harness.js';

/**
 * Issue 13 #1: creates killed after the charge leave `provisioning` rows; a cascade uninstall of
 * their installation, within recovery's grace period, must not hide them from recovery. The
 * uninstall answers 204 and deletes nothing of them; recovery then finds their installation gone
 * and undoes each: every charge refunded, nothing at the partner, no row.
 */
for (const dialect of dialectsToTest()) {
  describe(`creates killed after the charge, then a cascade uninstall (${dialect})`, () => {
    test('the restart refunds every charge of the killed creates although the installation was uninstalled before recovery reached them', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startChild(t, childEnv(database, { STOCKROOM_PAUSE_AT: 'after-charge' }));
      const { db } = openShared(t, database);
      const icfg = await installationId(first.url);
      const creates = [fireCreates(first.url, icfg, 'killed-a'), fireCreates(first.url, icfg, 'killed-b')];
      await first.waitForOutput(/stockroom: paused at after-charge\n/, 6);
      await first.kill();
      for (const c of creates) c.abort();

      const names = creates.flatMap((c) => Object.entries(c.names) as Array<[PlanKind, string]>);
      const rows = await db.selectFrom('stores').select(['id', 'name', 'lifecycle']).execute();
      const ids = new Map(names.map(([, name]) => [name, rows.find((r) => r.name === name)?.id ?? '']));
      assert.deepEqual(rows.map((r) => r.lifecycle), Array(6).fill('provisioning'));
      const charged = (await db.selectFrom('ledger_entries').select(['kind', 'amount_cents']).where('kind', '=', 'charge').execute()).map((r) => r.amount_cents);
      assert.deepEqual(charged, [2500, 2500], 'the two prepaid creates were charged before the kill');

      // A grace period long enough that the uninstall lands before recovery takes the rows.
      const second = await startChild(t, childEnv(database, { STOCKROOM_RECOVERY_GRACE_MS: '12000' }));
      const uninstalled = await send(second.url, 'DELETE', `/v1/integrations/configuration/${icfg}?cascade=true`);
      assert.equal(uninstalled.status, 204, uninstalled.text);
      assert.equal(recoveryOutcomes(second.output()).size, 0, 'recovery had not reached the rows before the uninstall');
      const installation = await db.selectFrom('installations').select('deleted_at').where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.notEqual(installation.deleted_at, null);

      await eventually('recovery undid every killed create', async () => (await db.selectFrom('stores').select('id').execute()).length === 0, { timeoutMs: 45_000 });
      await second.waitForOutput(/"outcome":"undone".*"msg":"store recovery"/, 6);
      const outcomes = recoveryOutcomes(second.output());
      for (const [kind, name] of names) {
        const id = ids.get(name)!;
        assert.equal(outcomes.get(id), 'undone', `recovery undid ${name}`);
        const expected: Array<[string, number]> = kind === 'prepaid' ? [['charge', 2500], ['refund', 2500]] : kind === 'pro' ? [['authorization', 1000]] : [];
        assert.deepEqual(await ledgerOf(db, id), expected, `ledger of ${name}`);
        assert.deepEqual(await partnerResources(db, name), [], `the partner never made ${name}`);
      }
      assert.equal(Object.keys(PLANS).length * 2, names.length);
      const cleanups = await db.selectFrom('provider_cleanups').select(['store_id', 'last_error']).where('done_at', 'is', null).execute();
      assert.deepEqual(cleanups, [], 'no provider cleanup left pending');
      await second.kill();
    });
  });
}
