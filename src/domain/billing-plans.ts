/**
 * Choosing the plan a new store is created on (docs/rules.md §2, step 6 of the order in §1).
 */
import { ApiError } from '../errors.js';
import type { BillingPlan } from './billing-plan-types.js';

/**
 * A plan is free when it is a subscription, `paymentMethodRequired` is exactly `false` (absent
 * means required) and it is not disabled (docs/rules.md §2).
 */
export function isFreePlan(plan: BillingPlan): boolean {
  return plan.type === 'subscription' && plan.paymentMethodRequired === false && plan.disabled !== true;
}

/**
 * Whether creating a store on this plan needs a payment method: every prepayment plan, and every
 * subscription whose `paymentMethodRequired` is not exactly `false` (docs/rules.md §3).
 * Unlike `isFreePlan` this ignores `disabled`: a disabled plan is refused earlier, by
 * `selectBillingPlan`, and this question is about the plan's price only.
 */
export function planNeedsPayment(plan: BillingPlan): boolean {
  return plan.type === 'prepayment' || plan.paymentMethodRequired !== false;
}

/**
 * Picks the plan for a new store from the provider's plans, kept in the provider's order
 * (docs/rules.md §2):
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

/**
 * Whether the plan a create asks for is absent from `plans` altogether: the named one, or, with
 * none named, any free plan. Only then can it be one the provider withdrew (`withdrawnPlanError`).
 */
export function isRequestedPlanMissing(plans: readonly BillingPlan[], requestedPlanId?: string): boolean {
  return requestedPlanId === undefined ? !plans.some(isFreePlan) : !plans.some((plan) => plan.id === requestedPlanId);
}

/**
 * The refusal for a plan the provider offers in general (`generalPlans`, listed without an
 * installation) but not to this installation now (`offeredPlans`): withdrawn for the time being,
 * most often a free plan once the installation's free tier is used up. It says so, instead of
 * "no free plan" or "not offered", and names the plans still offered. Undefined when no such plan
 * exists, and `selectBillingPlan`'s answer stands. Same codes as `selectBillingPlan`: `no_free_plan`
 * when no plan was named, `invalid_billing_plan` when the withdrawn one was.
 */
export function withdrawnPlanError(
  offeredPlans: readonly BillingPlan[],
  generalPlans: readonly BillingPlan[],
  requestedPlanId: string | undefined,
  installationId: string,
): ApiError | undefined {
  if (!isRequestedPlanMissing(offeredPlans, requestedPlanId)) return undefined;
  const withdrawn = generalPlans.find((plan) =>
    requestedPlanId === undefined ? isFreePlan(plan) : plan.id === requestedPlanId && plan.disabled !== true,
  );
  if (withdrawn === undefined) return undefined;
  const still = offeredPlans.filter((plan) => plan.disabled !== true).map((plan) => `"${plan.id}" (${plan.name})`);
  const stillOffered = still.length === 0 ? 'No other plan is offered right now.' : `Plans still offered: ${still.join(', ')}.`;
  // A free plan is usually withdrawn because the installation's free tier is used up.
  const why = isFreePlan(withdrawn) ? ', usually because its free tier is used up' : ' for now';
  if (requestedPlanId === undefined) {
    const choose = still.length === 0 ? '' : ' Choose one with billingPlanId, or free up the free tier (for example by deleting a free store) and try again.';
    return new ApiError(
      'no_free_plan',
      `No free plan is offered to installation ${installationId} right now: the provider has withdrawn its free plan "${withdrawn.id}" (${withdrawn.name}) from this installation${why}. ${stillOffered}${choose}`,
    );
  }
  return new ApiError(
    'invalid_billing_plan',
    `Billing plan "${withdrawn.id}" (${withdrawn.name}) exists but is not offered to installation ${installationId} right now: the provider has withdrawn it from this installation${why}. ${stillOffered}`,
    { param: 'billingPlanId' },
  );
}
