import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import { VISIBLE_LIFECYCLES } from './store-reads.js';

/**
 * Marks a visible store `deleting` before the provider is asked to delete it; false when the row
 * is in another lifecycle (still provisioning, or already deleted by a concurrent request).
 */
export async function markStoreDeleting(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const result = await db.updateTable('stores').set({ lifecycle: 'deleting', updated_at: now }).where('id', '=', id).where('lifecycle', 'in', VISIBLE_LIFECYCLES).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** What a deleted store's row holds: one definition for a single delete and a cascade uninstall. */
export function deletedStoreColumns(now: number) {
  return { lifecycle: 'deleted', status: 'uninstalled', secrets_sealed: null, deleted_at: now, updated_at: now } as const;
}

/**
 * Finishes a delete in one transaction: the row becomes `deleted` (kept for the ledger and
 * audits), its connections go, and its sealed secret values are wiped so no copy of them
 * outlives the resource. Names and lengths stay in `secret_meta`: they reveal nothing.
 */
export async function markStoreDeleted(db: Kysely<DB>, id: string, now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('store_connections').where('store_id', '=', id).execute();
    await trx
      .updateTable('stores')
      .set(deletedStoreColumns(now))
      .where('id', '=', id)
      .execute();
  });
}
