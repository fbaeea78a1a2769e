import { Type, type Static } from 'typebox';
import { BILLING_PLAN_SCOPES, BILLING_PLAN_TYPES, StringEnum } from '../../schemas/enums.js';

/** A `{label, value?}` line of `details` / `highlightedDetails` (vercel-contract.md §2.4). */
export const BillingPlanDetail = Type.Object({
  label: Type.String(),
  value: Type.Optional(Type.String()),
});
export type BillingPlanDetail = Static<typeof BillingPlanDetail>;

/** A `{line, amount}` line of a plan's `quote`; `amount` is a display string (§2.4). */
export const BillingPlanQuoteLine = Type.Object({
  line: Type.String(),
  amount: Type.String(),
});
export type BillingPlanQuoteLine = Static<typeof BillingPlanQuoteLine>;

/**
 * A billing plan, as getBillingPlans lists it (vercel-contract.md §3) and as `store.billingPlan`
 * echoes it (§2.4). `id`, `name`, `description` and `paymentMethodRequired` are soft-required (the
 * SDK would zero-fill them), so they are required here. Money is a decimal display **string**
 * (`"20.00"`), except `preauthorizationAmount`, which is a **number** (§10.6).
 */
export const BillingPlan = Type.Object({
  id: Type.String(),
  type: StringEnum(BILLING_PLAN_TYPES),
  name: Type.String(),
  description: Type.String(),
  scope: StringEnum(BILLING_PLAN_SCOPES),
  /** `false` only for plans that need no payment method; a plan is free when this is exactly `false` (docs/rules.md §2). */
  paymentMethodRequired: Type.Boolean(),
  preauthorizationAmount: Type.Optional(Type.Number()),
  initialCharge: Type.Optional(Type.String()),
  minimumAmount: Type.Optional(Type.String()),
  maximumAmount: Type.Optional(Type.String()),
  maximumAmountAutoPurchasePerPeriod: Type.Optional(Type.String()),
  cost: Type.Optional(Type.String()),
  details: Type.Optional(Type.Array(BillingPlanDetail)),
  highlightedDetails: Type.Optional(Type.Array(BillingPlanDetail)),
  quote: Type.Optional(Type.Array(BillingPlanQuoteLine)),
  effectiveDate: Type.Optional(Type.String()),
  disabled: Type.Optional(Type.Boolean()),
});
export type BillingPlan = Static<typeof BillingPlan>;

/** 200 body of `GET /v1/integrations/integration/{integrationIdOrSlug}/products/{productIdOrSlug}/plans` (§3). */
export const BillingPlansResponse = Type.Object({
  plans: Type.Array(BillingPlan),
});
export type BillingPlansResponse = Static<typeof BillingPlansResponse>;
