import type { Static } from 'typebox';
import type { BillingPlan } from '../../domain/billing-plan-types.js';
import type { BillingPlan as BillingPlanWire } from '../schemas/index.js';

/** A plan on the wire (vercel-contract.md §3): every field the provider gave, arrays copied. */
export function presentBillingPlan(plan: BillingPlan): Static<typeof BillingPlanWire> {
  return {
    ...plan,
    details: plan.details?.map((d) => ({ ...d })),
    highlightedDetails: plan.highlightedDetails?.map((d) => ({ ...d })),
    quote: plan.quote?.map((q) => ({ ...q })),
    paymentMethodRequired: plan.paymentMethodRequired ?? true,
  };
}
