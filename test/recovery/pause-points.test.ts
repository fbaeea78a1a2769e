import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { armPausePoint, type CreatePausePoint } from '../../src/fault-injection.js';
import { armPausePointFor } from '../helpers/pause-point-arrivals.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN, startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';
import { LIVE_LEDGER, ledgerOf, partnerResources, PLANS, type PlanKind } from './kill-harness.js';

/**
 * Where each pause point stops a create (README, "Fault injection"), read from what is stored
 * while it is stopped: the kill tests rely on each point being exactly its step, and a point that
 * slipped past a neighbouring step (a charge, the recorded resource id) would still let them pass,
 * as recovery repairs either state.
 */

/** What is charged before the provider is called, per plan kind. */
const PAID_UP_FRONT: Record<PlanKind, Array<[string, number]>> = {
  free: [],
  pro: [['authorization', 1000]],
  prepaid: [['charge', 2500]],
};

interface Expected {
  readonly ledger: Record<PlanKind, Array<[string, number]>>;
  /** Resources the partner holds for the store (live). */
  readonly resources: 0 | 1;
  /** Whether the row knows the partner's resource id. */
  readonly resourceIdRecorded: boolean;
}

const EXPECTED: Record<CreatePausePoint, Expected> = {
  'before-charge': { ledger: { free: [], pro: [], prepaid: [] }, resources: 0, resourceIdRecorded: false },
  'after-charge': { ledger: PAID_UP_FRONT, resources: 0, resourceIdRecorded: false },
  // The call is sent and runs on at the partner; only its answer is never read.
  'during-provision': { ledger: PAID_UP_FRONT, resources: 1, resourceIdRecorded: false },
  'after-provision': { ledger: PAID_UP_FRONT, resources: 1, resourceIdRecorded: false },
  'before-live': { ledger: LIVE_LEDGER, resources: 1, resourceIdRecorded: true },
};

/** Starts one create per plan kind that stops at `point`; resolves once all three reached it. */
async function stallAll(t: TestContext, server: TestServer, point: CreatePausePoint): Promise<void> {
  const icfg = await bootstrapInstallationId(server);
  const teamId = server.stockroom.bootstrap.teamId;
  const kinds = Object.keys(PLANS) as PlanKind[];
  const paused = armPausePointFor(point, kinds.length);
  t.after(() => armPausePoint(undefined, () => undefined));
  try {
    for (const kind of kinds) {
      const body = { name: `${point}-${kind}`, integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, ...PLANS[kind] };
      // Injected, not sent over a socket: a request that never answers would hold a connection open.
      void server.stockroom.app.inject({
        method: 'POST',
        url: `/v1/storage/stores/integration/direct?teamId=${teamId}`,
        headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    }
    await paused;
  } finally {
    armPausePoint(undefined, () => undefined);
  }
}

for (const dialect of dialectsToTest()) {
  describe(`pause points stop a create exactly at their step (${dialect})`, () => {
    for (const point of Object.keys(EXPECTED) as CreatePausePoint[]) {
      test(point, async (t) => {
        const server = await startTestServer(t, dialect as TestDialect, { env: { STOCKROOM_RECOVERY_INTERVAL_MS: '3600000' } });
        await stallAll(t, server, point);
        const expected = EXPECTED[point];
        const db = server.stockroom.ctx.db;
        for (const kind of Object.keys(PLANS) as PlanKind[]) {
          const name = `${point}-${kind}`;
          const row = await db.selectFrom('stores').select(['id', 'lifecycle', 'external_resource_id']).where('name', '=', name).executeTakeFirstOrThrow();
          assert.equal(row.lifecycle, 'provisioning', name);
          assert.deepEqual(await ledgerOf(db, row.id), expected.ledger[kind], `ledger of ${name}`);
          const live = async () => (await partnerResources(db, name)).filter((r) => r.deleted_at === null);
          // During the call, the partner may still be making the resource when the pause is announced.
          if (point === 'during-provision') await eventually(`the partner made ${name}`, async () => (await live()).length === 1);
          const resources = await live();
          assert.equal(resources.length, expected.resources, `resources of ${name} at the partner`);
          assert.equal(row.external_resource_id, expected.resourceIdRecorded ? resources[0]!.id : null, `recorded resource id of ${name}`);
        }
      });
    }
  });
}
