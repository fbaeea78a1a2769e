/**
 * Choosing the plan a new store is created on (semantics.md §2, step 6 of the order in §1).
 */
import { ApiError } from '../errors.js';
import type { BillingPlan } from './billing-plan-types.js';

/**
 * A plan is free when it is a subscription, `paymentMethodRequired` is exactly `false` (absent
 * means required) and it is not disabled (semantics.md §2).
 */
export function isFreePlan(plan: BillingPlan): boolean {
  return plan.type === 'subscription' && plan.paymentMethodRequired === false && plan.disabled !== true;
}

/**
 * Whether creating a store on this plan needs a payment method: every prepayment plan, and every
 * subscription whose `paymentMethodRequired` is not exactly `false` (semantics.md §3).
 * Unlike `isFreePlan` this ignores `disabled`: a disabled plan is refused earlier, by
 * `selectBillingPlan`, and this question is about the plan's price only.
 */
export function planNeedsPayment(plan: BillingPlan): boolean {
  return plan.type === 'prepayment' || plan.paymentMethodRequired !== false;
}

/**
 * Picks the plan for a new store from the provider's plans, kept in the provider's order
 * (semantics.md §2):
 * - `requestedPlanId` omitted → the first free plan; none → `no_free_plan`, naming the paid plans
 *   the caller may choose instead;
 * - `requestedPlanId` given → that plan, if listed and not disabled; else `invalid_billing_plan`.
 */
export function selectBillingPlan(plans: readonly BillingPlan[], requestedPlanId?: string): BillingPlan {
  if (requestedPlanId === undefined) {
    const free = plans.find(isFreePlan);
    if (free !== undefined) return free;
    const choices = plans.filter((plan) => plan.disabled !== true).map((plan) => plan.id);
    throw new ApiError(
      'no_free_plan',
      choices.length === 0
        ? 'No free billing plan is available for this product, and it offers no other plan.'
        : `No free billing plan is available for this product. Choose one of these plans with billingPlanId: ${choices.join(', ')}.`,
    );
  }
  // Plan ids are the provider's; if it lists one twice, the first wins, like free-plan discovery.
  const plan = plans.find((candidate) => candidate.id === requestedPlanId);
  if (plan === undefined) {
    throw new ApiError('invalid_billing_plan', `Billing plan "${requestedPlanId}" is not offered for this product.`, {
      param: 'billingPlanId',
    });
  }
  if (plan.disabled === true) {
    throw new ApiError('invalid_billing_plan', `Billing plan "${requestedPlanId}" is disabled for this product.`, {
      param: 'billingPlanId',
    });
  }
  return plan;
}
