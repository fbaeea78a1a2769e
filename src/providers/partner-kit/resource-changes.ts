import { PartnerError, validationError } from './errors.js';
import { listCredentials } from './credential-store.js';
import type { KitContext } from './options.js';
import type { ResourceUpdate } from './partner-api.js';
import { findKitPlan, findKitProduct } from './products.js';
import { findResource, updateResource, type StoredResource } from './resource-store.js';
import { presentResource } from './resource-view.js';
import type { ResourceWire } from './resource-wire.js';
import { serverFailure } from './server-failure.js';

/** A resource that exists (being provisioned included); deleting and deleted ones are 404. */
export async function getLiveResource(ctx: KitContext, installationId: string, resourceId: string): Promise<StoredResource> {
  const resource = await findResource(ctx.db, installationId, resourceId);
  if (!resource || resource.state === 'deleting' || resource.state === 'deleted') {
    throw new PartnerError('not_found', `Resource ${resourceId} was not found in installation ${installationId}.`);
  }
  return resource;
}

/**
 * Renames a resource, replaces its metadata, or moves it to another plan, whose limits are applied
 * on the server first (so the row never names a plan the server does not enforce). The status is
 * the server's to report, so setting it (deprecated in the partner API) is refused.
 */
export async function changeResource(ctx: KitContext, installationId: string, resourceId: string, update: ResourceUpdate): Promise<ResourceWire> {
  if (update.status !== undefined) throw validationError([{ key: 'status', message: 'is reported by the provider and cannot be set' }]);
  const resource = await getLiveResource(ctx, installationId, resourceId);
  if (resource.state !== 'ready') throw new PartnerError('conflict', `Resource ${resourceId} is still being provisioned; change it once it is ready.`);
  const product = findKitProduct(ctx.products, resource.productId);
  if (update.billingPlanId !== undefined && update.billingPlanId !== resource.billingPlanId) {
    const plan = findKitPlan(product, update.billingPlanId);
    const logins = (await listCredentials(ctx.db, resource.id, ['pending', 'active', 'expiring'])).map((c) => c.login);
    try {
      await ctx.backend.applyLimits(resource, [...new Set(logins)], plan.limits);
    } catch (error) {
      throw serverFailure(ctx, 'change the plan of', resource.id, error);
    }
  }
  await updateResource(ctx.db, resource.id, update, ctx.now());
  return presentResource(await getLiveResource(ctx, installationId, resourceId), ctx.products);
}
