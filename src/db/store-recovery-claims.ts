import type { Kysely, Selectable } from 'kysely';
import type { DB, StoresTable } from './schema.js';

/*
 * The queries of crash recovery (`jobs/store-recovery.ts`) over the columns migration 0007 added
 * to `stores`: which `provisioning` rows are due, and the claim a replica takes on one.
 */

/** Columns of migration 0007, known to recovery only. */
interface RecoveryColumns {
  recovery_claimed_until: number | null;
  recovery_attempts: number;
  recovery_last_error: string | null;
}

export type RecoveryRow = Selectable<StoresTable> & RecoveryColumns;

function recoveryDb(db: Kysely<DB>) {
  return db.withTables<{ stores: RecoveryColumns }>();
}

/** Rows left `provisioning` untouched since `untouchedSince` and not claimed now, oldest first. */
export async function listRecoverableStores(db: Kysely<DB>, now: number, untouchedSince: number, limit: number): Promise<RecoveryRow[]> {
  return recoveryDb(db)
    .selectFrom('stores')
    .selectAll()
    .where('lifecycle', '=', 'provisioning')
    .where('updated_at', '<=', untouchedSince)
    .where((eb) => eb.or([eb('recovery_claimed_until', 'is', null), eb('recovery_claimed_until', '<=', now)]))
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/**
 * Claims a row until `claimedUntil` by moving `recovery_attempts` from the value read to the next
 * one. On PostgreSQL a concurrent UPDATE of the same row waits for the first to commit and then no
 * longer matches; on SQLite writes are serialized. True for the one replica whose UPDATE matched.
 */
export async function claimForRecovery(db: Kysely<DB>, row: Pick<RecoveryRow, 'id' | 'recovery_attempts'>, claimedUntil: number): Promise<boolean> {
  const result = await recoveryDb(db)
    .updateTable('stores')
    .set({ recovery_attempts: row.recovery_attempts + 1, recovery_claimed_until: claimedUntil })
    .where('id', '=', row.id)
    .where('lifecycle', '=', 'provisioning')
    .where('recovery_attempts', '=', row.recovery_attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Why the last attempt on a row did not finish, for operators. */
export async function recordRecoveryError(db: Kysely<DB>, id: string, error: string): Promise<void> {
  await recoveryDb(db).updateTable('stores').set({ recovery_last_error: error }).where('id', '=', id).execute();
}

/** The store's row as it is now, in any lifecycle. */
export async function findStoreRow(db: Kysely<DB>, id: string): Promise<Selectable<StoresTable> | undefined> {
  return db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
}
