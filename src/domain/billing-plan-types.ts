/**
 * The billing plan as providers send it and Vercel's SDK reads it (vercel-contract.md §2.4
 * "store.billingPlan" and §3). The domain keeps the wire shape as is, because the chosen plan is
 * echoed in full in `store.billingPlan` (docs/rules.md §2). Money fields stay display strings here;
 * `money.ts` turns them into cents where a rule needs a number.
 */

export type BillingPlanType = 'prepayment' | 'subscription';

/** Whether the plan applies to the whole installation or to one resource. */
export type BillingPlanScope = 'installation' | 'resource';

/** One line of a plan's `details` or `highlightedDetails`, e.g. `{label: "Storage", value: "1 GB"}`. */
export interface BillingPlanDetail {
  readonly label: string;
  readonly value?: string;
}

/** One line of a price quote; `amount` is a display string. */
export interface BillingPlanQuoteLine {
  readonly line: string;
  readonly amount: string;
}

export interface BillingPlan {
  /** The provider's plan id; callers choose a plan by it (`billingPlanId`). */
  readonly id: string;
  readonly type: BillingPlanType;
  readonly name: string;
  readonly description: string;
  readonly scope: BillingPlanScope;
  /** Absent means required: only an explicit `false` makes a plan free (docs/rules.md §2). */
  readonly paymentMethodRequired?: boolean;
  /** USD amount to authorize (not charge) before provisioning, as a JSON number, e.g. `10.53`. */
  readonly preauthorizationAmount?: number;
  /** USD decimal string charged after provisioning, e.g. "20.00". */
  readonly initialCharge?: string;
  /** Prepayment lower bound, USD decimal string. */
  readonly minimumAmount?: string;
  /** Prepayment upper bound, USD decimal string. */
  readonly maximumAmount?: string;
  /** Cap on automatic top-ups per billing period, USD decimal string (display only for Stockroom). */
  readonly maximumAmountAutoPurchasePerPeriod?: string;
  /** Free-form price display ("Free", "$10 every Gb"); never parsed. */
  readonly cost?: string;
  readonly details?: readonly BillingPlanDetail[];
  readonly highlightedDetails?: readonly BillingPlanDetail[];
  readonly quote?: readonly BillingPlanQuoteLine[];
  /** When the plan takes effect, as the provider formats it. */
  readonly effectiveDate?: string;
  /** A disabled plan is listed but cannot be chosen. Absent means enabled. */
  readonly disabled?: boolean;
}
