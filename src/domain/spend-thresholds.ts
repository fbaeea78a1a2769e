/**
 * Spend thresholds (docs/balances-and-thresholds.md): when a prepaid balance falls below
 * `minimumCents`, Stockroom buys `purchaseCents` more credit, at most `maximumPerPeriodCents` per
 * calendar month (UTC). These functions only decide; the use case charges and tells the partner.
 */
import type { BillingPlan } from './billing-plan-types.js';
import { MIN_PREPAYMENT_CENTS } from './payment.js';
import { parseUsdToCents } from './money.js';

/** What a caller asks for, in integer cents, as the CLI sends it. */
export interface ThresholdAmounts {
  readonly minimumCents: number;
  readonly purchaseCents: number;
  readonly maximumPerPeriodCents: number;
}

export interface SpendThreshold extends ThresholdAmounts {
  readonly id: string;
  readonly installationId: string;
  readonly teamId: string;
  /** The partner's resource id; null for the installation's threshold. */
  readonly resourceId: string | null;
  readonly storeId: string | null;
  readonly billingPlanId: string;
  /** The caller's metadata text, as sent. */
  readonly metadata: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ThresholdProblem {
  readonly key: string;
  readonly message: string;
}

/**
 * Every rule a threshold breaks against the plan it buys credit on: the CLI's own (minimum ≤
 * spend ≤ limit, minimum ≤ limit), a purchase the plan allows (its `minimumAmount`, at least the
 * API's 50 cents, up to its `maximumAmount`), and a limit within the plan's
 * `maximumAmountAutoPurchasePerPeriod` when it sets one. Field keys are the wire names.
 */
export function findThresholdProblems(plan: BillingPlan, amounts: ThresholdAmounts): ThresholdProblem[] {
  const problems: ThresholdProblem[] = [];
  const { minimumCents: minimum, purchaseCents: purchase, maximumPerPeriodCents: limit } = amounts;
  if (minimum > purchase) problems.push({ key: 'minimumAmountInCents', message: `must not exceed purchaseAmountInCents (${minimum} > ${purchase})` });
  if (minimum > limit) problems.push({ key: 'minimumAmountInCents', message: `must not exceed maximumAmountPerPeriodInCents (${minimum} > ${limit})` });
  if (limit < purchase) problems.push({ key: 'maximumAmountPerPeriodInCents', message: `must be at least purchaseAmountInCents (${limit} < ${purchase})` });
  const lowest = Math.max(plan.minimumAmount === undefined ? 0 : parseUsdToCents(plan.minimumAmount), MIN_PREPAYMENT_CENTS);
  if (purchase < lowest) problems.push({ key: 'purchaseAmountInCents', message: `must be at least the plan's minimum purchase of ${lowest}` });
  if (plan.maximumAmount !== undefined && purchase > parseUsdToCents(plan.maximumAmount)) {
    problems.push({ key: 'purchaseAmountInCents', message: `must be at most the plan's maximum purchase of ${parseUsdToCents(plan.maximumAmount)}` });
  }
  if (plan.maximumAmountAutoPurchasePerPeriod !== undefined && limit > parseUsdToCents(plan.maximumAmountAutoPurchasePerPeriod)) {
    problems.push({
      key: 'maximumAmountPerPeriodInCents',
      message: `must be at most the plan's maximumAmountAutoPurchasePerPeriod of ${parseUsdToCents(plan.maximumAmountAutoPurchasePerPeriod)}`,
    });
  }
  return problems;
}

/** The start of the period a threshold's limit counts in: the calendar month (UTC) of `now`. */
export function periodStartOf(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * Since when a failed purchase (card declined, partner refused) stops a threshold: the later of the
 * period's start and the threshold's last setting. A person must act on what failed, so the same
 * purchase is not tried at every report; setting the threshold again, or a new month, tries again.
 */
export function stoppedSince(threshold: Pick<SpendThreshold, 'updatedAt'>, now: number): number {
  return Math.max(periodStartOf(now), threshold.updatedAt);
}

/** What a balance below a threshold's minimum leads to, before any money moves. */
export type TopUpDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'buy'; readonly amountCents: number }
  | { readonly kind: 'limit-reached'; readonly spentCents: number };

/**
 * Buy `purchaseCents` when the balance is below the minimum and the period's purchases leave room
 * for it under the limit; a purchase that would pass the limit is not made (nor a smaller one: the
 * amount is the one the team chose). Nothing is bought while a failure stops the threshold
 * (`stoppedSince`): its failure notification already told the team.
 */
export function decideTopUp(threshold: ThresholdAmounts, balanceCents: number, spentThisPeriodCents: number, stoppedByFailure = false): TopUpDecision {
  if (balanceCents >= threshold.minimumCents) return { kind: 'none' };
  if (stoppedByFailure) return { kind: 'stopped' };
  if (spentThisPeriodCents + threshold.purchaseCents > threshold.maximumPerPeriodCents) return { kind: 'limit-reached', spentCents: spentThisPeriodCents };
  return { kind: 'buy', amountCents: threshold.purchaseCents };
}
