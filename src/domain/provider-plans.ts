import type { BillingPlan } from './billing-plan-types.js';

/** A plan as a provider may send it: partner-API defaults not yet applied. */
export interface ProviderBillingPlan {
  readonly id: string;
  readonly type: 'prepayment' | 'subscription';
  readonly name: string;
  readonly description?: string;
  readonly scope?: 'installation' | 'resource';
  readonly paymentMethodRequired?: boolean;
  readonly [key: string]: unknown;
}

/**
 * Applies the partner API's defaults so that Stockroom answers every field the SDK requires with
 * its true value: `scope` defaults to `resource`, and an absent `paymentMethodRequired` means the
 * plan needs one (partner-api.md §1.2). Sending it absent would let the SDK fill in `false` and
 * show a paid plan as free (vercel-contract.md §10.7).
 */
export function normalizeProviderPlan(plan: ProviderBillingPlan): BillingPlan {
  return {
    ...(plan as object),
    id: plan.id,
    type: plan.type,
    name: plan.name,
    description: plan.description ?? '',
    scope: plan.scope ?? 'resource',
    paymentMethodRequired: plan.paymentMethodRequired ?? true,
  } as BillingPlan;
}
