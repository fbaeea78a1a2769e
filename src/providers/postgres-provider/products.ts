import type { KitProduct } from '../partner-kit/backend.js';
import { freePlan, monthlyPlan } from '../partner-kit/billing-plan.js';

/** The slug Stockroom's catalog (`catalog/builtin-postgres.json`) sends as `productId`. */
export const POSTGRES_PRODUCT_SLUG = 'postgres';

/**
 * One product, a database of its own on the operator's PostgreSQL server. Plans differ in the
 * connection limit, which PostgreSQL enforces on the database and on each login role; the free
 * plan comes first so free-plan discovery (docs/rules.md §2) picks it.
 */
export const POSTGRES_PRODUCTS: readonly KitProduct[] = [
  {
    slug: POSTGRES_PRODUCT_SLUG,
    plans: [
      {
        limits: { connectionLimit: 5 },
        billingPlan: freePlan({
          description: 'A database of your own with up to 5 connections.',
          details: [{ label: 'Isolation', value: 'Own database and login role' }],
          highlightedDetails: [{ label: 'Connections', value: '5' }],
        }),
      },
      {
        limits: { connectionLimit: 50 },
        billingPlan: monthlyPlan({
          id: 'pro',
          name: 'Pro',
          description: 'A database of your own with up to 50 connections, billed monthly.',
          price: '15.00',
          preauthorizationAmount: 10,
          details: [{ label: 'Isolation', value: 'Own database and login role' }],
          highlightedDetails: [{ label: 'Connections', value: '50' }],
        }),
      },
    ],
  },
];
