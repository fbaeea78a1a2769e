import type { Kysely, Selectable } from 'kysely';
import type { AppContext } from '../app-context.js';
import type { DB, StoresTable } from '../db/schema.js';
import { findStoreRowOfResource } from '../db/store-reads.js';
import { setLiveStoreResourceStatus } from '../db/stores.js';
import { mapResourceStatus, toExternalResourceStatus } from '../domain/store-status.js';
import { ApiError } from '../errors.js';
import type { Resource } from '../providers/partner-client.js';
import { isProviderError } from '../providers/provider-error.js';
import { providerFor } from '../providers/provider-for.js';

/*
 * Reading a store's resource at its provider and recording what it says: shared by the status
 * poller (store-status-poller.ts) and the partner's `resource.updated` callback
 * (http/routes/partner-callbacks.ts), so the route does not reach into the poller.
 */

/** The provider's current view of the store's resource, read with a system token. */
export async function fetchResource(ctx: AppContext, row: Pick<Selectable<StoresTable>, 'integration_id' | 'installation_id' | 'team_id' | 'external_resource_id'>): Promise<Resource> {
  const integration = ctx.catalog.findIntegration(row.integration_id);
  if (!integration) throw new Error(`integration ${row.integration_id} is no longer in the catalog`);
  if (!row.external_resource_id) throw new Error('the store has no provider resource id');
  return providerFor(ctx.partners, ctx.providerBaseUrl, integration).getResource(row.installation_id, row.external_resource_id, { accountId: row.team_id });
}

/**
 * Records what the provider reports of a store: its status (mapped as docs/rules.md §6 says), the
 * provider's own value, and the notification when the provider sent the field. Guarded so that a
 * store being deleted is never brought back, and, with `updatedAt`, so that an answer read before
 * a newer write does not overwrite it. Returns true when the status changed.
 */
export async function applyResource(
  db: Kysely<DB>,
  row: Pick<Selectable<StoresTable>, 'id' | 'status' | 'external_resource_status' | 'notification'>,
  resource: Resource,
  now: number,
  guard: { readonly updatedAt?: number } = {},
): Promise<boolean> {
  const status = mapResourceStatus(resource.status);
  const externalResourceStatus = toExternalResourceStatus(resource.status);
  // An absent `notification` means "unchanged"; null clears it (partner-api.md §1.5).
  const notification = resource.notification === undefined ? row.notification : resource.notification === null ? null : JSON.stringify(resource.notification);
  if (status === row.status && externalResourceStatus === row.external_resource_status && notification === row.notification) return false;
  const written = await setLiveStoreResourceStatus(db, row.id, { status, externalResourceStatus, notification, updatedAt: Math.max(now, guard.updatedAt ?? 0) }, guard.updatedAt);
  return written && status !== row.status;
}

/**
 * `resource.updated`: re-reads the resource at the provider and records it as the poller does. A
 * store still being provisioned is left to the provisioning request, which records the provider's
 * answer itself; an unknown resource is 404 so the partner sees its mistake.
 */
export async function refreshResourceOfInstallation(ctx: AppContext, icfg: string, resourceId: string): Promise<void> {
  const store = await findStoreRowOfResource(ctx.db, icfg, resourceId);
  if (!store) throw new ApiError('not_found', `The resource ${resourceId} was not found in ${icfg}.`);
  if (store.lifecycle !== 'live') return;
  let resource;
  try {
    resource = await fetchResource(ctx, store);
  } catch (error) {
    // The partner announced a change to a resource it then says it does not have: its mistake,
    // answered 404 like an unknown resource, not a 500 of ours (found by test/fuzz).
    if (isProviderError(error) && error.kind === 'not_found') throw new ApiError('not_found', `The provider no longer has the resource ${resourceId} in ${icfg}.`);
    if (isProviderError(error)) throw error.toApiError();
    throw error;
  }
  // No updated_at guard: this read is the freshest there is, newer than any poll in flight.
  await applyResource(ctx.db, store, resource, ctx.now());
}
