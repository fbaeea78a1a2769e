import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { recoverStuckStores, type RecoverySettings } from '../../src/jobs/store-recovery.js';
import { armPausePoint, type PausePoint } from '../../src/fault-injection.js';
import type { AppContext } from '../../src/app-context.js';
import { createMember } from '../helpers/accounts.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { armPausePointFor } from '../helpers/pause-point-arrivals.js';
import { OWNER_TOKEN, startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';
import { assertFinished, assertUndone, ledgerOf, partnerResources, PLANS, type PlanKind } from './kill-harness.js';

/**
 * The rules of crash recovery, in one process: a create is stalled at a pause point (its request
 * never answers, as if its process had died there), the test clock moves, and recovery passes
 * are run by hand. The kill tests show the same with real processes; these show the decisions:
 * the grace period, who may have a store finished, refusals, backoff, the deadline, and claims.
 */

const SETTINGS: RecoverySettings = { graceMs: 60_000, deadlineMs: 600_000 };

interface World {
  readonly server: TestServer;
  readonly ctx: AppContext;
  readonly icfg: string;
  readonly teamId: string;
}

async function world(t: TestContext, dialect: TestDialect, env: Record<string, string> = {}): Promise<World> {
  // The loop's own passes would race the test's; it runs once at start, on an empty table.
  const server = await startTestServer(t, dialect, { env: { STOCKROOM_RECOVERY_INTERVAL_MS: '3600000', ...env } });
  return { server, ctx: server.stockroom.ctx, icfg: await bootstrapInstallationId(server), teamId: server.stockroom.bootstrap.teamId };
}

/**
 * Starts creates that stop at `point` and never answer; resolves with their store ids once all
 * reached it. The pause is disarmed again before this returns.
 */
async function stall(w: World, point: PausePoint, creates: Array<{ name: string; kind: PlanKind; token?: string }>): Promise<string[]> {
  const paused = armPausePointFor(point, creates.length);
  try {
    for (const { name, kind, token } of creates) {
      const body = { name, integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, ...PLANS[kind] };
      // Injected, not sent over a socket: a request that never answers would otherwise hold a
      // connection open that closing the server waits for.
      void w.server.stockroom.app.inject({
        method: 'POST',
        url: `/v1/storage/stores/integration/direct?teamId=${w.teamId}`,
        headers: { authorization: `Bearer ${token ?? OWNER_TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    }
    await paused;
  } finally {
    armPausePoint(undefined, () => undefined);
  }
  const ids: string[] = [];
  for (const { name } of creates) {
    const row = await w.ctx.db.selectFrom('stores').select(['id', 'lifecycle']).where('name', '=', name).executeTakeFirstOrThrow();
    assert.equal(row.lifecycle, 'provisioning');
    ids.push(row.id);
  }
  return ids;
}

/** The test clock follows real time, so a time recorded during a pass lies a little before `now`. */
function assertAbout(actual: number | null | undefined, expected: number, message: string): void {
  assert.ok(typeof actual === 'number' && actual <= expected && actual > expected - 5_000, `${message}: ${actual} vs ${expected}`);
}

async function recoveryColumns(w: World, storeId: string) {
  return w.ctx.db
    .withTables<{ stores: { recovery_attempts: number; recovery_claimed_until: number | null; recovery_last_error: string | null } }>()
    .selectFrom('stores')
    .select(['lifecycle', 'recovery_attempts', 'recovery_claimed_until', 'recovery_last_error'])
    .where('id', '=', storeId)
    .executeTakeFirst();
}

for (const dialect of dialectsToTest()) {
  describe(`crash recovery rules (${dialect})`, () => {
    test('leaves a store younger than the grace period alone, and finishes it once the grace period has passed', async (t) => {
      const w = await world(t, dialect);
      const [id] = await stall(w, 'after-charge', [{ name: 'young', kind: 'prepaid' }]);
      // A create this recent may still be running in another replica.
      assert.equal((await recoverStuckStores(w.ctx, SETTINGS)).outcomes.size, 0);
      assert.equal((await recoveryColumns(w, id!))?.recovery_attempts, 0);
      w.server.clock.advance(SETTINGS.graceMs);
      assert.deepEqual([...(await recoverStuckStores(w.ctx, SETTINGS)).outcomes], [[id, 'resumed']]);
      await assertFinished(w.ctx.db, w.ctx.secretBox, 'young', 'prepaid');
    });

    test('undoes a store whose creator was removed from the team: refunded, deleted at the provider, no row', async (t) => {
      const w = await world(t, dialect);
      const member = await createMember(w.server, w.teamId, 'MEMBER');
      const [id] = await stall(w, 'after-provision', [{ name: 'orphaned', kind: 'prepaid', token: member.token }]);
      const removed = await w.server.request('DELETE', `/v1/teams/${w.teamId}/members/${member.id}`);
      assert.equal(removed.status, 200, removed.text);
      w.server.clock.advance(SETTINGS.graceMs);
      assert.deepEqual([...(await recoverStuckStores(w.ctx, SETTINGS)).outcomes], [[id, 'undone']]);
      await assertUndone(w.ctx.db, 'orphaned', id!);
      assert.deepEqual(await ledgerOf(w.ctx.db, id!), [['charge', 2500], ['refund', 2500]]);
      // The provider made the resource before the crash; its id never reached Stockroom, so it was found by name.
      assert.equal((await partnerResources(w.ctx.db, 'orphaned')).length, 1);
    });

    test('undoes a store whose product left the catalog before recovery: refunded, no row, nothing live at the provider', async (t) => {
      const w = await world(t, dialect);
      const [id] = await stall(w, 'after-provision', [{ name: 'unlisted', kind: 'prepaid' }]);
      // As after a restart with a catalog file that no longer lists the product.
      const catalog = w.ctx.catalog;
      const withoutProduct: AppContext = {
        ...w.ctx,
        catalog: {
          integrations: catalog.integrations,
          findIntegration: (idOrSlug) => catalog.findIntegration(idOrSlug),
          findProduct: (integration, idOrSlug) => {
            const product = catalog.findProduct(integration, idOrSlug);
            return product?.slug === 'acme-db' ? undefined : product;
          },
        },
      };
      w.server.clock.advance(SETTINGS.graceMs);
      assert.deepEqual([...(await recoverStuckStores(withoutProduct, SETTINGS)).outcomes], [[id, 'undone']]);
      await assertUndone(w.ctx.db, 'unlisted', id!);
      assert.deepEqual(await ledgerOf(w.ctx.db, id!), [['charge', 2500], ['refund', 2500]]);
    });

    test('undoes a store the provider refuses when recovery resumes it', async (t) => {
      // The partner's free-quota hook, armed: it refuses a 4th live free resource.
      const w = await world(t, dialect, { STOCKROOM_REFERENCE_FREE_QUOTA: '3' });
      const [id] = await stall(w, 'after-charge', [{ name: 'refused', kind: 'free' }]);
      // Meanwhile the installation uses up the partner's free quota (3 live free resources).
      for (const name of ['quota-1', 'quota-2', 'quota-3']) {
        const res = await w.server.request('POST', `/v1/storage/stores/integration/direct?teamId=${w.teamId}`, {
          body: { name, integrationConfigurationId: w.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } },
        });
        assert.equal(res.status, 200, res.text);
      }
      w.server.clock.advance(SETTINGS.graceMs);
      assert.deepEqual([...(await recoverStuckStores(w.ctx, SETTINGS)).outcomes], [[id, 'undone']]);
      await assertUndone(w.ctx.db, 'refused', id!);
      assert.deepEqual(await partnerResources(w.ctx.db, 'refused'), []);
    });

    test('tries again with backoff after a failure that gave nothing up, and undoes the store past the deadline', async (t) => {
      const w = await world(t, dialect);
      const [id] = await stall(w, 'before-charge', [{ name: 'flaky', kind: 'prepaid' }]);
      // The processor is unreachable: the charge throws instead of answering.
      const down: AppContext = { ...w.ctx, payments: { ...w.ctx.payments, charge: async () => Promise.reject(new Error('the processor is unreachable')) } };
      w.server.clock.advance(SETTINGS.graceMs);
      assert.deepEqual([...(await recoverStuckStores(down, SETTINGS)).outcomes], [[id, 'retry-later']]);
      const first = await recoveryColumns(w, id!);
      assert.equal(first?.lifecycle, 'provisioning');
      assert.equal(first?.recovery_attempts, 1);
      assert.equal(first?.recovery_last_error, 'the processor is unreachable');
      assertAbout(first?.recovery_claimed_until, w.server.clock.now() + SETTINGS.graceMs, 'the first try waits the grace period');

      w.server.clock.advance(SETTINGS.graceMs / 2);
      assert.equal((await recoverStuckStores(down, SETTINGS)).outcomes.size, 0, 'not due before its claim ends');
      w.server.clock.advance(SETTINGS.graceMs / 2);
      assert.deepEqual([...(await recoverStuckStores(down, SETTINGS)).outcomes], [[id, 'retry-later']]);
      const second = await recoveryColumns(w, id!);
      assert.equal(second?.recovery_attempts, 2);
      assertAbout(second?.recovery_claimed_until, w.server.clock.now() + 2 * SETTINGS.graceMs, 'the wait doubles');

      w.server.clock.advance(SETTINGS.deadlineMs);
      assert.deepEqual([...(await recoverStuckStores(down, SETTINGS)).outcomes], [[id, 'undone']]);
      await assertUndone(w.ctx.db, 'flaky', id!);
      assert.deepEqual(await ledgerOf(w.ctx.db, id!), [], 'nothing was ever charged');
    });

    test('two passes at once handle each store once', async (t) => {
      const w = await world(t, dialect);
      const creates = (Object.keys(PLANS) as PlanKind[]).map((kind) => ({ name: `both-${kind}`, kind }));
      const ids = await stall(w, 'after-charge', creates);
      w.server.clock.advance(SETTINGS.graceMs);
      const [a, b] = await Promise.all([recoverStuckStores(w.ctx, SETTINGS), recoverStuckStores(w.ctx, SETTINGS)]);
      for (const id of ids) {
        const handled = [a.outcomes.get(id), b.outcomes.get(id)].filter((o) => o !== undefined);
        assert.deepEqual(handled, ['resumed'], `store ${id} was handled by one pass`);
      }
      for (const { name, kind } of creates) await assertFinished(w.ctx.db, w.ctx.secretBox, name, kind);
    });
  });
}
