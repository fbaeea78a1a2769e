/**
 * What a partner reports about billing (partner-api.md §1.5: Submit Billing Data, Submit
 * Prepayment Balances) and the rules Vercel states for it, as pure checks. No I/O.
 */
import { isSignedDecimal } from './money.js';

/** Vercel refuses billing data whose day (`eod`) or period ended more than 24 h before its clock. */
export const BILLING_DATA_MAX_AGE_MS = 24 * 60 * 60 * 1000;


/** What an item and a discount share: the plan and resource they are for, a name, their own dates. */
interface BillingLine {
  readonly billingPlanId: string;
  readonly resourceId?: string;
  /** Epoch ms; only given when not the period's. */
  readonly start?: number;
  readonly end?: number;
  readonly name: string;
  readonly details?: string;
}

export interface BillingItem extends BillingLine {
  readonly price: string;
  readonly quantity: number;
  readonly units: string;
  readonly total: string;
}

export interface BillingDiscount extends BillingLine {
  readonly amount: string;
}

export type UsageType = 'total' | 'interval' | 'rate';

export interface UsageValue {
  readonly resourceId?: string;
  readonly name: string;
  readonly type: UsageType;
  readonly units: string;
  readonly dayValue: number;
  readonly periodValue: number;
  readonly planValue?: number;
}

/** One Submit Billing Data, its dates in epoch ms. */
export interface BillingData {
  /** The partner's clock when it sent this: a later one supersedes. */
  readonly timestamp: number;
  /** The end of the day the usage is for. */
  readonly eod: number;
  /** The billing cycle the data belongs to. */
  readonly period: { readonly start: number; readonly end: number };
  readonly items: readonly BillingItem[];
  readonly discounts: readonly BillingDiscount[];
  readonly usage: readonly UsageValue[];
}

export interface PrepaymentBalance {
  readonly resourceId?: string;
  readonly credit?: string;
  readonly nameLabel?: string;
  readonly currencyValueInCents: number;
}

/** One refused field, named by its path in the request body (`period.end`, `usage[2].name`). */
export interface BillingProblem {
  readonly key: string;
  readonly message: string;
}

/**
 * Vercel's rules for Submit Billing Data (the SDK's field descriptions): the period ends after it
 * starts, and not more than 24 h before now; `eod` lies within the period and is not more than
 * 24 h old. Stockroom adds what makes the stored data unambiguous: amounts are decimal strings, an
 * item's own start is not after its end, and one metric (resource, name) is reported once.
 */
export function findBillingDataProblems(data: BillingData, now: number): BillingProblem[] {
  const problems: BillingProblem[] = [];
  const oldest = now - BILLING_DATA_MAX_AGE_MS;
  if (data.period.end <= data.period.start) problems.push({ key: 'period.end', message: 'must be after period.start' });
  if (data.period.end < oldest) problems.push({ key: 'period.end', message: 'cannot be older than 24 hours before the server’s current time' });
  if (data.eod < data.period.start || data.eod > data.period.end) problems.push({ key: 'eod', message: 'must be within the period' });
  if (data.eod < oldest) problems.push({ key: 'eod', message: 'cannot be older than 24 hours before the server’s current time' });
  data.items.forEach((item, i) => {
    const key = `billing.items[${i}]`;
    for (const field of ['price', 'total'] as const) {
      if (!isSignedDecimal(item[field])) problems.push({ key: `${key}.${field}`, message: 'must be a decimal amount such as "12.50"' });
    }
    if (!Number.isFinite(item.quantity)) problems.push({ key: `${key}.quantity`, message: 'must be a number' });
    if (item.start !== undefined && item.end !== undefined && item.end < item.start) problems.push({ key: `${key}.end`, message: 'must not be before start' });
  });
  data.discounts.forEach((discount, i) => {
    if (!isSignedDecimal(discount.amount)) problems.push({ key: `billing.discounts[${i}].amount`, message: 'must be a decimal amount such as "12.50"' });
  });
  const metrics = new Set<string>();
  data.usage.forEach((usage, i) => {
    const metric = `${usage.resourceId ?? ''}\n${usage.name}`;
    if (metrics.has(metric)) problems.push({ key: `usage[${i}]`, message: `reports ${usage.name} of ${usage.resourceId ?? 'the installation'} a second time` });
    metrics.add(metric);
    // JSON's 1e400 parses to Infinity, which no column keeps: it would read back as null.
    for (const field of ['dayValue', 'periodValue', 'planValue'] as const) {
      const value = usage[field];
      if (value !== undefined && !Number.isFinite(value)) problems.push({ key: `usage[${i}].${field}`, message: 'must be a finite number' });
    }
  });
  return problems;
}

/** One balance per resource (or per installation, without `resourceId`) in a submission. */
export function findBalanceProblems(balances: readonly PrepaymentBalance[]): BillingProblem[] {
  const problems: BillingProblem[] = [];
  const seen = new Set<string>();
  balances.forEach((balance, i) => {
    const resource = balance.resourceId ?? '';
    if (seen.has(resource)) problems.push({ key: `balances[${i}].resourceId`, message: `gives a second balance for ${balance.resourceId ?? 'the installation'}` });
    seen.add(resource);
  });
  return problems;
}

/** The resource ids a billing submission names, for checking they are the installation's. */
export function resourceIdsOf(entries: ReadonlyArray<{ readonly resourceId?: string }>): string[] {
  return [...new Set(entries.flatMap((entry) => (entry.resourceId === undefined ? [] : [entry.resourceId])))];
}
