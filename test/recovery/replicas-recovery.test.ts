import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, NO_POSTGRES } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN } from '../helpers/stockroom.js';
import { assertFinished, childEnv, installationId, noneProvisioning, openShared, PLANS, recoveryOutcomes, startChild, type PlanKind } from './kill-harness.js';

/**
 * Two Stockroom replicas on one PostgreSQL restart together after a crash and run recovery at
 * the same moment: every half-made store is claimed by exactly one of them, finished once, and
 * charged once (issue 5 §4, "safe when two replicas run it at once").
 */
describe('crash recovery on two replicas at once (postgres)', () => {
  test('each store left by a killed process is recovered by one replica, once', { skip: NO_POSTGRES }, async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const crashed = await startChild(t, childEnv(database, { STOCKROOM_PAUSE_AT: 'after-charge' }));
    const { db, secretBox } = openShared(t, database);
    const icfg = await installationId(crashed.url);
    // The reference partner's free plan allows 3 stores per installation; the rest are paid.
    const kinds: PlanKind[] = ['free', 'free', 'free', ...Array<PlanKind>(6).fill('pro'), ...Array<PlanKind>(6).fill('prepaid')];
    const stores = kinds.map((kind, i) => ({ kind, name: `race-${kind}-${i}` }));
    const controller = new AbortController();
    for (const { kind, name } of stores) {
      const body = { name, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, ...PLANS[kind] };
      fetch(`${crashed.url}/v1/storage/stores/integration/direct`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      }).catch(() => undefined);
    }
    await crashed.waitForOutput(/stockroom: paused at after-charge\n/, stores.length);
    await crashed.kill();
    controller.abort();
    const left = await db.selectFrom('stores').select(['id', 'lifecycle']).execute();
    assert.equal(left.filter((r) => r.lifecycle === 'provisioning').length, stores.length);

    const env = childEnv(database);
    const [a, b] = await Promise.all([startChild(t, env), startChild(t, env)]);
    await eventually('recovery left no store provisioning', () => noneProvisioning(db));
    const finalLine = /"outcome":"(resumed|undone)".*"msg":"store recovery"/g;
    await eventually('both replicas logged every outcome', async () => (a.output().match(finalLine)?.length ?? 0) + (b.output().match(finalLine)?.length ?? 0) >= stores.length);
    await Promise.all([a.kill(), b.kill()]);

    const byA = recoveryOutcomes(a.output());
    const byB = recoveryOutcomes(b.output());
    for (const row of left) {
      const handlers = [byA.get(row.id), byB.get(row.id)].filter((o) => o !== undefined);
      assert.deepEqual(handlers, ['resumed'], `store ${row.id} was recovered by exactly one replica`);
    }
    // Migration 0007's claim counter is not in the shared schema type.
    const claims = await db.withTables<{ stores: { recovery_attempts: number } }>().selectFrom('stores').select(['id', 'recovery_attempts']).execute();
    assert.deepEqual(claims.filter((r) => r.recovery_attempts !== 1), [], 'each row was claimed once');
    for (const { kind, name } of stores) await assertFinished(db, secretBox, name, kind);
  });
});
