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
  readonly scope: 'resource';
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
