/**
 * What paying for a new store involves (docs/rules.md §3; step 9 of the order in §1). These functions
 * only decide; authorizing and charging happen in the use case, through the payment port.
 */
import { ApiError } from '../errors.js';
import type { BillingState } from './accounts.js';
import type { BillingPlan } from './billing-plan-types.js';
import { planNeedsPayment } from './billing-plans.js';
import { formatCents, parseUsdToCents } from './money.js';

/** The least a prepayment may be, in cents (the `prepaymentAmountCents` minimum, docs/rules.md §1 step 4). */
export const MIN_PREPAYMENT_CENTS = 50;

/** A payment method as these rules need it: only its id. */
export interface PaymentMethodRef {
  readonly id: string;
}

/** What must happen to pay for a new store. All amounts are integer US cents. */
export type PaymentPlan =
  /** A free plan: nothing is authorized or charged. */
  | { readonly kind: 'none' }
  /**
   * A paid subscription: authorize `authorizeCents` before provisioning (a check, not a charge; 0
   * means skip it), then charge `initialChargeCents` once the store exists (0 means no charge).
   */
  | {
      readonly kind: 'subscription';
      readonly paymentMethodId: string;
      readonly authorizeCents: number;
      readonly initialChargeCents: number;
    }
  /** A prepayment: charge `amountCents` and credit it to the store's balance. */
  | { readonly kind: 'prepayment'; readonly paymentMethodId: string; readonly amountCents: number };

export interface PaymentInput {
  /** The chosen plan, from `selectBillingPlan`. */
  readonly plan: BillingPlan;
  /** The caller's `prepaymentAmountCents`, if sent. */
  readonly prepaymentAmountCents?: number;
  /** The method from `resolvePaymentMethod`; `null` or absent when the team has none usable. */
  readonly paymentMethod?: PaymentMethodRef | null;
  readonly team: { readonly billingState: BillingState };
}

/**
 * Decides what paying for a store on `plan` takes (docs/rules.md §3), checking in this order:
 * 1. a soft-blocked team → `account_soft_blocked`, for free plans too;
 * 2. a free plan → `{kind: 'none'}`, whatever payment method was sent;
 * 3. no payment method → `payment_method_required`;
 * 4. for a prepayment, the amount → `invalid_prepayment_amount`.
 * Throws `MoneyFormatError` if the plan's own amounts are malformed.
 */
export function planPayment(input: PaymentInput): PaymentPlan {
  const { plan, team } = input;
  if (team.billingState === 'soft_blocked') {
    throw new ApiError('account_soft_blocked', 'The team has an unpaid invoice; pay it before creating stores.');
  }
  // A subscription with `paymentMethodRequired: false` is free even if it names an initial charge:
  // with no payment method there is nothing to charge it to.
  if (!planNeedsPayment(plan)) return { kind: 'none' };
  const method = input.paymentMethod ?? null;
  if (method === null) {
    throw new ApiError(
      'payment_method_required',
      `Billing plan "${plan.id}" needs a payment method: pass paymentMethodId or set a default for the team.`,
    );
  }
  if (plan.type === 'prepayment') {
    return { kind: 'prepayment', paymentMethodId: method.id, amountCents: prepaymentAmount(plan, input.prepaymentAmountCents) };
  }
  return {
    kind: 'subscription',
    paymentMethodId: method.id,
    authorizeCents: plan.preauthorizationAmount === undefined ? 0 : parseUsdToCents(plan.preauthorizationAmount),
    initialChargeCents: plan.initialCharge === undefined ? 0 : parseUsdToCents(plan.initialCharge),
  };
}

/**
 * The amount to prepay (docs/rules.md §3). When the plan fixes it (`minimumAmount` equals
 * `maximumAmount`) the caller may omit it; otherwise it is required. Either way it must lie within
 * [minimumAmount, maximumAmount]. A missing `minimumAmount` means the API minimum of 50 cents and a
 * missing `maximumAmount` means no upper bound: the reference partner's `prepay10` plan sets only a
 * minimum (partner-api.md §2.3), which can then only mean "at least this much".
 */
function prepaymentAmount(plan: BillingPlan, requested: number | undefined): number {
  const min = plan.minimumAmount === undefined ? undefined : parseUsdToCents(plan.minimumAmount);
  const max = plan.maximumAmount === undefined ? undefined : parseUsdToCents(plan.maximumAmount);
  const fixed = min !== undefined && min === max ? min : undefined;
  if (requested === undefined) {
    if (fixed !== undefined) return fixed;
    throw invalidAmount(`Billing plan "${plan.id}" needs prepaymentAmountCents ${describeRange(min, max)}.`);
  }
  const lowest = Math.max(min ?? MIN_PREPAYMENT_CENTS, MIN_PREPAYMENT_CENTS);
  const valid = Number.isSafeInteger(requested) && requested >= lowest && (max === undefined || requested <= max);
  if (!valid) {
    throw invalidAmount(
      `prepaymentAmountCents ${requested} is not allowed for billing plan "${plan.id}"; it must be ${describeRange(min, max)}.`,
    );
  }
  return requested;
}

function describeRange(min: number | undefined, max: number | undefined): string {
  const lowest = Math.max(min ?? MIN_PREPAYMENT_CENTS, MIN_PREPAYMENT_CENTS);
  const from = `${lowest} (USD ${formatCents(lowest)})`;
  if (max === undefined) return `of at least ${from}`;
  if (min === max) return `of exactly ${max} (USD ${formatCents(max)})`;
  return `between ${from} and ${max} (USD ${formatCents(max)})`;
}

function invalidAmount(message: string): ApiError {
  return new ApiError('invalid_prepayment_amount', message, { param: 'prepaymentAmountCents' });
}

/**
 * Which payment method pays (docs/rules.md §3): the requested one, which must be among the team's
 * methods (else `invalid_payment_method`, quoting the id), or else the team's default. Returns
 * `null` when nothing was requested and the team has no usable default; whether that matters is
 * `planPayment`'s call. `teamMethods` must already include the methods every team may use, such as
 * the built-in processor's test cards.
 */
export function resolvePaymentMethod<M extends PaymentMethodRef>(
  requestedId: string | undefined,
  teamMethods: readonly M[],
  defaultId: string | null | undefined,
): M | null {
  if (requestedId !== undefined) {
    const requested = teamMethods.find((method) => method.id === requestedId);
    if (requested === undefined) {
      throw new ApiError('invalid_payment_method', `Payment method "${requestedId}" does not belong to this team.`, {
        param: 'paymentMethodId',
      });
    }
    return requested;
  }
  if (defaultId === undefined || defaultId === null) return null;
  // A default that is no longer among the team's methods (removed since) is treated as no default.
  return teamMethods.find((method) => method.id === defaultId) ?? null;
}
