import { ApiError } from '../errors.js';
import type { Store } from './stores.js';

/**
 * What deleting a store needs from the outside world; implemented over the database and the
 * provider client in `use-cases/delete-store-ports.ts`.
 */
export interface DeleteStorePorts {
  /** The team's store in any lifecycle, deleted ones included (so a repeated delete can answer 200). */
  findStoreOfTeam(teamId: string, storeId: string): Promise<Store | undefined>;
  /** `live`/`deleting` → `deleting`; false when the row was in another lifecycle. */
  markDeleting(storeId: string): Promise<boolean>;
  /**
   * Delete Resource at the provider with the Idempotency-Key `delete-<store id>`, the same on
   * every retry. A resource the provider no longer knows counts as deleted. Throws the ApiError to
   * answer when the provider fails.
   */
  deleteAtProvider(store: Store): Promise<void>;
  /** `deleted`, `deleted_at` set, connections removed and sealed secret values wiped, at once. */
  markDeleted(storeId: string): Promise<void>;
}

/**
 * Deletes a store (issue 4 §3): first at the provider, then here. The row is marked `deleting`
 * before the provider is called, so a failure or a crash leaves a row that says what is
 * unfinished, and a retry (the same request again) finishes it. Deleting a deleted store answers
 * as a success: DELETE is idempotent.
 */
export async function deleteStore(ports: DeleteStorePorts, command: { readonly teamId: string; readonly storeId: string }): Promise<void> {
  const store = await ports.findStoreOfTeam(command.teamId, command.storeId);
  if (!store) throw new ApiError('not_found', `The store ${command.storeId} was not found.`);
  if (store.lifecycle === 'deleted') return;
  if (store.lifecycle === 'provisioning' || !(await ports.markDeleting(store.id))) {
    // A concurrent delete may have finished between the read and the update: that is success.
    const current = await ports.findStoreOfTeam(command.teamId, command.storeId);
    if (current?.lifecycle === 'deleted') return;
    // Still being created: deleting now would race the provisioning, which recovery may finish.
    throw new ApiError('conflict', `The store ${store.id} is still being created; retry the delete once it is live.`, { storeId: store.id });
  }
  await ports.deleteAtProvider(store);
  await ports.markDeleted(store.id);
}
