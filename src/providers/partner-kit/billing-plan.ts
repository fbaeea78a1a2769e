/** A label and value shown on a plan card. */
export interface PlanDetail {
  readonly label: string;
  readonly value?: string;
}

/** A billing plan in the partner API's shape (partner-api.md §1.2, BillingPlan). */
export interface BillingPlan {
  readonly id: string;
  readonly type: 'subscription' | 'prepayment';
  readonly name: string;
  readonly description: string;
  /** `installation`: the plan bills the whole installation (Update Installation); `resource`: one resource. */
  readonly scope: 'resource' | 'installation';
  readonly paymentMethodRequired: boolean;
  /** USD, a number: checked against the payment method, never charged. */
  readonly preauthorizationAmount?: number;
  /** USD decimal string, invoiced at sign-up. */
  readonly initialCharge?: string;
  /** USD decimal strings, prepayment only: the range of one credit purchase. */
  readonly minimumAmount?: string;
  readonly maximumAmount?: string;
  readonly maximumAmountAutoPurchasePerPeriod?: string;
  readonly cost: string;
  readonly details: readonly PlanDetail[];
  readonly highlightedDetails: readonly PlanDetail[];
}

/** What a plan card says beyond its price: the backend's own words and lines. */
export interface PlanWording {
  readonly description: string;
  readonly details: readonly PlanDetail[];
  readonly highlightedDetails: readonly PlanDetail[];
}

/** The id of the free plan (docs/rules.md §2: free-plan discovery looks for it). */
export const FREE_PLAN_ID = 'free';

/** The free plan: a subscription that needs no payment method and costs nothing. */
export function freePlan(wording: PlanWording): BillingPlan {
  return {
    id: FREE_PLAN_ID,
    type: 'subscription',
    name: 'Free',
    description: wording.description,
    scope: 'resource',
    paymentMethodRequired: false,
    cost: 'Free',
    details: wording.details,
    highlightedDetails: wording.highlightedDetails,
  };
}

/**
 * A monthly subscription of `price` USD (a decimal string, e.g. `15.00`), invoiced at sign-up
 * after the payment method is checked for `preauthorizationAmount`. Its card ends with the
 * sign-up charge, so what the card says and what is charged cannot drift apart.
 */
export function monthlyPlan(plan: PlanWording & { readonly id: string; readonly name: string; readonly price: string; readonly preauthorizationAmount: number }): BillingPlan {
  return {
    id: plan.id,
    type: 'subscription',
    name: plan.name,
    description: plan.description,
    scope: 'resource',
    paymentMethodRequired: true,
    preauthorizationAmount: plan.preauthorizationAmount,
    initialCharge: plan.price,
    cost: `$${plan.price}/month`,
    details: [...plan.details, { label: 'Charged at sign-up', value: `$${plan.price}` }],
    highlightedDetails: plan.highlightedDetails,
  };
}
