import type { KitProduct } from '../partner-kit/backend.js';

/** The slug Stockroom's catalog (`catalog/builtin-redis.json`) sends as `productId`. */
export const REDIS_PRODUCT_SLUG = 'redis';

/**
 * One product, a key namespace of its own on the operator's Redis server. Redis has no per-user
 * memory or connection limits, so the plans differ in price and support, not in what the server
 * enforces; the free plan comes first so free-plan discovery (semantics.md §2) picks it.
 */
export const REDIS_PRODUCTS: readonly KitProduct[] = [
  {
    slug: REDIS_PRODUCT_SLUG,
    plans: [
      {
        limits: {},
        billingPlan: {
          id: 'free',
          type: 'subscription',
          name: 'Free',
          description: 'A key prefix of your own with an ACL user restricted to it.',
          scope: 'resource',
          paymentMethodRequired: false,
          cost: 'Free',
          details: [{ label: 'Isolation', value: 'Own ACL user and key prefix' }],
          highlightedDetails: [{ label: 'Support', value: 'Community' }],
        },
      },
      {
        limits: {},
        billingPlan: {
          id: 'pro',
          type: 'subscription',
          name: 'Pro',
          description: 'The same isolated key prefix for production use, billed monthly.',
          scope: 'resource',
          paymentMethodRequired: true,
          preauthorizationAmount: 5,
          initialCharge: '8.00',
          cost: '$8.00/month',
          details: [
            { label: 'Isolation', value: 'Own ACL user and key prefix' },
            { label: 'Charged at sign-up', value: '$8.00' },
          ],
          highlightedDetails: [{ label: 'Support', value: 'Email, next business day' }],
        },
      },
    ],
  },
];
