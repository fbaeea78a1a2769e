import type { KitProduct } from '../partner-kit/backend.js';

/** The slug Stockroom's catalog (`catalog/builtin-postgres.json`) sends as `productId`. */
export const POSTGRES_PRODUCT_SLUG = 'postgres';

/**
 * One product, a database of its own on the operator's PostgreSQL server. Plans differ in the
 * connection limit, which PostgreSQL enforces on the database and on each login role; the free
 * plan comes first so free-plan discovery (semantics.md §2) picks it.
 */
export const POSTGRES_PRODUCTS: readonly KitProduct[] = [
  {
    slug: POSTGRES_PRODUCT_SLUG,
    plans: [
      {
        limits: { connectionLimit: 5 },
        billingPlan: {
          id: 'free',
          type: 'subscription',
          name: 'Free',
          description: 'A database of your own with up to 5 connections.',
          scope: 'resource',
          paymentMethodRequired: false,
          cost: 'Free',
          details: [{ label: 'Isolation', value: 'Own database and login role' }],
          highlightedDetails: [{ label: 'Connections', value: '5' }],
        },
      },
      {
        limits: { connectionLimit: 50 },
        billingPlan: {
          id: 'pro',
          type: 'subscription',
          name: 'Pro',
          description: 'A database of your own with up to 50 connections, billed monthly.',
          scope: 'resource',
          paymentMethodRequired: true,
          preauthorizationAmount: 10,
          initialCharge: '15.00',
          cost: '$15.00/month',
          details: [
            { label: 'Isolation', value: 'Own database and login role' },
            { label: 'Charged at sign-up', value: '$15.00' },
          ],
          highlightedDetails: [{ label: 'Connections', value: '50' }],
        },
      },
    ],
  },
];
