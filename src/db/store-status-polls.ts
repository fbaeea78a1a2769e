import type { Kysely, Selectable } from 'kysely';
import type { DB, StoresTable } from './schema.js';

/*
 * The queries of the store status poller (`jobs/store-status-poller.ts`): which live stores are
 * due a check, the claim a replica takes on one, and the write that gives up on one.
 */

/**
 * Live stores in `status` untouched since `untouchedSince`, oldest first: one equality the
 * (lifecycle, status, updated_at) index answers in order.
 */
export async function listLiveStoresWaiting(db: Kysely<DB>, status: string, untouchedSince: number, limit: number): Promise<Array<Selectable<StoresTable>>> {
  return db
    .selectFrom('stores')
    .selectAll()
    .where('lifecycle', '=', 'live')
    .where('status', '=', status)
    .where('updated_at', '<=', untouchedSince)
    .where('deleted_at', 'is', null)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/**
 * Claims a live store by moving its `updated_at` from the value read to `claimedAt`; true for the
 * one process whose UPDATE matched (another replica, or an event, may have written it first).
 */
export async function claimForStatusCheck(db: Kysely<DB>, row: Pick<Selectable<StoresTable>, 'id' | 'updated_at'>, claimedAt: number): Promise<boolean> {
  const result = await db
    .updateTable('stores')
    .set({ updated_at: claimedAt })
    .where('id', '=', row.id)
    .where('updated_at', '=', row.updated_at)
    .where('lifecycle', '=', 'live')
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sets a live store to `error` with `notification`, if nothing wrote it since `claimedAt`. */
export async function markStoreErrorIfUnchanged(
  db: Kysely<DB>,
  id: string,
  fields: { readonly externalResourceStatus?: string | null; readonly notification: string; readonly updatedAt: number },
  claimedAt: number,
): Promise<boolean> {
  const written = await db
    .updateTable('stores')
    .set({
      status: 'error',
      ...(fields.externalResourceStatus !== undefined ? { external_resource_status: fields.externalResourceStatus } : {}),
      notification: fields.notification,
      updated_at: fields.updatedAt,
    })
    .where('id', '=', id)
    .where('updated_at', '=', claimedAt)
    .where('lifecycle', '=', 'live')
    .executeTakeFirst();
  return Number(written.numUpdatedRows) === 1;
}
