import type { KitProduct } from './backend.js';
import type { StoredResource } from './resource-store.js';
import type { ResourceWire } from './resource-wire.js';

/**
 * A resource as the partner API shows it. Provisioning finishes within the request, so a
 * resource is `ready` once answered; one still `provisioning` (its request died or is still
 * running) reads as `pending`.
 */
export function presentResource(resource: StoredResource, products: readonly KitProduct[]): ResourceWire {
  const billingPlan = products.find((p) => p.slug === resource.productId)?.plans.find((p) => p.billingPlan.id === resource.billingPlanId)?.billingPlan;
  return {
    id: resource.id,
    productId: resource.productId,
    name: resource.name,
    metadata: resource.metadata,
    status: resource.state === 'ready' ? 'ready' : 'pending',
    ...(billingPlan && { billingPlan }),
  };
}
