import type { Kysely } from 'kysely';
import type { Store } from '../domain/stores.js';
import type { Dialect } from './database.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB } from './schema.js';
import { insertProvisioningStore } from './stores.js';

/**
 * How many of the team's stores are being provisioned right now (`lifecycle = 'provisioning'`):
 * creates that have not answered yet, and rows a crashed process left for recovery.
 */
export async function countProvisioningStoresOfTeam(db: Kysely<DB>, teamId: string): Promise<number> {
  const row = await provisioningCount.first(db, { teamId });
  return Number(row?.n ?? 0);
}

const provisioningCount = preparedQuery<{ teamId: string }, { n: number | string }>((db: Kysely<DB>, p) =>
  db
    .selectFrom('stores')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('team_id', '=', p.teamId)
    .where('lifecycle', '=', 'provisioning'),
);

/** Locks the team's row until the transaction ends (PostgreSQL). */
const lockTeam = preparedQuery<{ teamId: string }>((db: Kysely<DB>, p) => db.selectFrom('teams').select('id').where('id', '=', p.teamId).forUpdate());

/**
 * Writes the store in `provisioning` unless its team already has `perTeam` stores provisioning;
 * then answers that number and writes nothing. The count and the insert are one transaction that
 * no other create of the team interleaves with, so concurrent creates, on any replicas, never
 * overshoot the limit: on PostgreSQL the team's row is locked FOR UPDATE first (held for two
 * statements); on SQLite every write transaction is serialized already. A unique violation (the
 * name or externalId taken) is thrown as it is.
 */
export async function insertProvisioningStoreWithinLimit(db: Kysely<DB>, dialect: Dialect, store: Store, perTeam: number): Promise<{ inserted: true } | { inserted: false; provisioning: number }> {
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') await lockTeam.rows(trx, { teamId: store.teamId });
    const provisioning = await countProvisioningStoresOfTeam(trx, store.teamId);
    if (provisioning >= perTeam) return { inserted: false, provisioning };
    await insertProvisioningStore(trx, store);
    return { inserted: true };
  });
}
