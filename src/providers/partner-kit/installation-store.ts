import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/database.js';
import { lockedForUpdate } from '../../db/row-locks.js';
import type { KitTables } from './tables.js';

/** Creates the installation, or brings it back if it was deleted. */
export async function upsertInstallation(db: Kysely<KitTables>, id: string, now: number): Promise<void> {
  await db
    .insertInto('installations')
    .values({ id, created_at: now, updated_at: now, deleted_at: null })
    .onConflict((oc) => oc.column('id').doUpdateSet({ updated_at: now, deleted_at: null }))
    .execute();
}

export async function isLiveInstallation(db: Kysely<KitTables>, id: string): Promise<boolean> {
  const row = await db.selectFrom('installations').select('id').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/**
 * Checks the installation inside a transaction and, on PostgreSQL, locks its row until the
 * transaction ends, so a resource cannot be added to an installation being deleted.
 */
export async function lockLiveInstallation(trx: Kysely<KitTables>, dialect: Dialect, id: string): Promise<boolean> {
  const query = trx.selectFrom('installations').select('id').where('id', '=', id).where('deleted_at', 'is', null);
  return (await lockedForUpdate(query, dialect).executeTakeFirst()) !== undefined;
}

export async function markInstallationDeleted(db: Kysely<KitTables>, id: string, now: number): Promise<void> {
  await db.updateTable('installations').set({ deleted_at: now, updated_at: now }).where('id', '=', id).where('deleted_at', 'is', null).execute();
}
