import { validationError } from './errors.js';
import type { BillingPlan } from './billing-plan.js';
import type { KitPlan, KitProduct } from './backend.js';

/** The product with this slug; an unknown one is a 400 naming the field. */
export function findKitProduct(products: readonly KitProduct[], slug: string): KitProduct {
  const product = products.find((p) => p.slug === slug);
  if (product) return product;
  const offered = products.map((p) => p.slug).join(', ');
  throw validationError([{ key: 'productId', message: `unknown product "${slug}"; this provider offers ${offered}` }]);
}

/** The product's plan with this id; an unknown one is a 400 naming the field. */
export function findKitPlan(product: KitProduct, planId: string): KitPlan {
  const plan = product.plans.find((p) => p.billingPlan.id === planId);
  if (plan) return plan;
  const offered = product.plans.map((p) => p.billingPlan.id).join(', ');
  throw validationError([{ key: 'billingPlanId', message: `unknown billing plan "${planId}" for ${product.slug}; choose one of ${offered}` }]);
}

/** The plans as the partner API shows them, in the provider's order. */
export function billingPlans(product: KitProduct): BillingPlan[] {
  return product.plans.map((p) => p.billingPlan);
}

/** Every product's plans, each id once: what an installation may choose from. */
export function installationBillingPlans(products: readonly KitProduct[]): BillingPlan[] {
  const byId = new Map<string, BillingPlan>();
  for (const product of products) for (const { billingPlan } of product.plans) if (!byId.has(billingPlan.id)) byId.set(billingPlan.id, billingPlan);
  return [...byId.values()];
}
