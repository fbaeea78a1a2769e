import { sql, type Kysely } from 'kysely';
import type { Store } from '../domain/stores.js';
import type { Dialect } from './database.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB } from './schema.js';
import { insertProvisioningStore, storeRowValues } from './stores.js';

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
/**
 * Writes the store in `provisioning` unless its team already has `perTeam` stores provisioning;
 * then answers that number and writes nothing. The count and the insert are one transaction that
 * no other create of the team interleaves with, so concurrent creates, on any replicas, never
 * overshoot the limit: on PostgreSQL the team's row is locked FOR UPDATE first
 * (`insertWithinLimitPostgres`); on SQLite every write transaction is serialized already. A unique
 * violation (the name or externalId taken) is thrown as it is.
 */
export async function insertProvisioningStoreWithinLimit(db: Kysely<DB>, dialect: Dialect, store: Store, perTeam: number): Promise<{ inserted: true } | { inserted: false; provisioning: number }> {
  if (dialect === 'postgres') return insertWithinLimitPostgres(db, store, perTeam);
  return db.transaction().execute(async (trx) => {
    const provisioning = await countProvisioningStoresOfTeam(trx, store.teamId);
    if (provisioning >= perTeam) return { inserted: false, provisioning };
    await insertProvisioningStore(trx, store);
    return { inserted: true };
  });
}

/**
 * PostgreSQL. The team's row lock makes the creates of a team take turns, and a lock is held until
 * its transaction's commit is on disk: with the disk sync inside, the turns would cap one team's
 * creates at one sync each. So the locked transaction commits without waiting for its sync
 * (`synchronous_commit` off for it alone), which lets the next create of the team go on as soon as
 * this one's row is visible, and the disk sync is waited for after the lock is released, by a
 * durable write of the same row (a synchronous commit syncs the log up to its own record, which
 * comes after this commit's): the store is on disk before this returns, as before, and the syncs of
 * concurrent creates are shared. The limit stays exact: a create counts the rows committed before
 * it took the lock, and a crash before the sync loses those rows only together with every later one.
 * The count and the insert are one statement run after the lock is held (a statement sees what was
 * committed before it began), so the lock spans two round trips instead of three.
 */
async function insertWithinLimitPostgres(db: Kysely<DB>, store: Store, perTeam: number): Promise<{ inserted: true } | { inserted: false; provisioning: number }> {
  const outcome = await db.transaction().execute(async (trx) => {
    await sql`select set_config('synchronous_commit', 'off', true) from teams where id = ${store.teamId} for update`.execute(trx);
    const row = storeRowValues(store);
    const columns = Object.keys(row) as Array<keyof typeof row>;
    const inserted = await trx
      .insertInto('stores')
      .columns(columns)
      .expression(
        sql`select ${sql.join(columns.map((c) => sql`${row[c]}`))} where (select count(*) from stores where team_id = ${store.teamId} and lifecycle = 'provisioning') < ${perTeam}`,
      )
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { inserted: true } as const;
    return { inserted: false, provisioning: await countProvisioningStoresOfTeam(trx, store.teamId) } as const;
  });
  if (outcome.inserted) await makeDurable(db, store.id);
  return outcome;
}

/**
 * The durable write after the locked, asynchronously committed insert: one row changed (a write
 * that changes nothing gets no transaction id, and PostgreSQL then syncs nothing for it), and the
 * value written is the row's own (`updated_at = updated_at`), so a concurrent writer's is never set
 * back. Should it fail (a dropped connection), the row it was to make durable is deleted before the
 * error goes on: a create that fails leaves nothing (docs/rules.md), rather than a `provisioning`
 * row holding the name and a place under the limit until recovery's grace period ends.
 */
async function makeDurable(db: Kysely<DB>, storeId: string): Promise<void> {
  try {
    const result = await db.updateTable('stores').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', storeId).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new Error(`the provisioning row ${storeId} was not found to make durable`);
  } catch (error) {
    await db.deleteFrom('stores').where('id', '=', storeId).where('lifecycle', '=', 'provisioning').execute().catch(() => undefined);
    throw error;
  }
}
