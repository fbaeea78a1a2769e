import type { KitProduct } from '../partner-kit/backend.js';
import { freePlan, monthlyPlan } from '../partner-kit/billing-plan.js';

/** The slug Stockroom's catalog (`catalog/builtin-redis.json`) sends as `productId`. */
export const REDIS_PRODUCT_SLUG = 'redis';

/**
 * One product, a key namespace of its own on the operator's Redis server. Redis has no per-user
 * memory or connection limits, so the plans differ in price and support, not in what the server
 * enforces; the free plan comes first so free-plan discovery (docs/rules.md §2) picks it.
 */
export const REDIS_PRODUCTS: readonly KitProduct[] = [
  {
    slug: REDIS_PRODUCT_SLUG,
    plans: [
      {
        limits: {},
        billingPlan: freePlan({
          description: 'A key prefix of your own with an ACL user restricted to it.',
          details: [{ label: 'Isolation', value: 'Own ACL user and key prefix' }],
          highlightedDetails: [{ label: 'Support', value: 'Community' }],
        }),
      },
      {
        limits: {},
        billingPlan: monthlyPlan({
          id: 'pro',
          name: 'Pro',
          description: 'The same isolated key prefix for production use, billed monthly.',
          price: '8.00',
          preauthorizationAmount: 5,
          details: [{ label: 'Isolation', value: 'Own ACL user and key prefix' }],
          highlightedDetails: [{ label: 'Support', value: 'Email, next business day' }],
        }),
      },
    ],
  },
];
