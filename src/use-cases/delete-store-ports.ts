import { findAnyStoreOfTeam } from '../db/store-reads.js';
import { markStoreDeleted, markStoreDeleting } from '../db/store-deletion.js';
import type { Membership, User } from '../domain/accounts.js';
import type { DeleteStorePorts } from '../domain/delete-store.js';
import { ApiError } from '../errors.js';
import type { AppContext } from '../app-context.js';
import { isProviderError } from '../providers/provider-error.js';
import { providerFor, userCaller } from '../providers/provider-for.js';

/** The delete-store ports over the database alone: every delete records the store the same way. */
export function deleteStoreRecordPorts(ctx: AppContext): Omit<DeleteStorePorts, 'deleteAtProvider'> {
  return {
    findStoreOfTeam: (teamId, storeId) => findAnyStoreOfTeam(ctx.db, teamId, storeId),
    markDeleting: (storeId) => markStoreDeleting(ctx.db, storeId, ctx.now()),
    markDeleted: (storeId) => markStoreDeleted(ctx.db, storeId, ctx.now()),
  };
}

/** Binds the delete-store use case to the database and the store's provider, for one request by `actor`. */
export function deleteStorePorts(ctx: AppContext, actor: { user: User; membership: Membership }): DeleteStorePorts {
  return {
    ...deleteStoreRecordPorts(ctx),
    async deleteAtProvider(store) {
      // A live store always has the provider's id; without one there is nothing to delete there.
      if (store.externalResourceId === null) return;
      const integration = ctx.catalog.findIntegration(store.integrationId);
      if (!integration) throw new ApiError('provisioning_failed', `The integration ${store.integrationId} of store ${store.id} is no longer in the catalog, so its provider cannot be asked to delete it.`);
      try {
        await providerFor(ctx.partners, ctx.providerBaseUrl, integration).deleteResource(
          store.installationId,
          store.externalResourceId,
          userCaller(actor.user, actor.membership),
          // One key per store: a retried delete is the same operation to the provider.
          { idempotencyKey: `delete-${store.id}` },
        );
      } catch (error) {
        // Already gone at the provider is what we wanted.
        if (isProviderError(error) && error.kind === 'not_found') return;
        throw isProviderError(error) ? error.toApiError() : error;
      }
    },
  };
}
