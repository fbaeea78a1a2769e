import type { ResourceWire } from '../partner-kit/resource-wire.js';
import { productPlans } from './plans.js';
import { findProduct } from './products.js';
import type { StoredResource } from './resource-store.js';
import { effectiveStatus } from './effective-status.js';

export function presentResource(resource: StoredResource, now: number): ResourceWire {
  const status = effectiveStatus(resource.status, resource.readyAt, now);
  const product = findProduct(resource.productId);
  const billingPlan = product ? productPlans(product, resource.metadata).find((p) => p.id === resource.billingPlanId) : undefined;
  const wire: ResourceWire = {
    id: resource.id,
    productId: resource.productId,
    name: resource.name,
    metadata: resource.metadata,
    status,
    ...(billingPlan && { billingPlan }),
  };
  // Past pending, `null` clears the "Provisioning" notification: an absent one would mean
  // "unchanged" (partner-api.md §1.2), and Stockroom would keep showing it on an available store.
  if (status !== 'pending') return { ...wire, notification: null };
  const seconds = resource.readyAt === null ? null : Math.max(1, Math.ceil((resource.readyAt - now) / 1000));
  return {
    ...wire,
    notification: {
      level: 'info',
      title: 'Provisioning',
      message: seconds === null ? 'The resource is being set up.' : `The resource is being set up; ready in about ${seconds} s.`,
    },
  };
}
