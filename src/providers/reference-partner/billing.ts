import type { BillingItem, Period, PrepaymentBalance, UsageItem } from '../partner-kit/vercel-api-client.js';
import { formatCents } from '../../domain/money.js';

/**
 * What the reference partner bills, computed from a resource's plan and lifetime alone, so any
 * replica at any time reports the same numbers. Its resources are virtual, so their "usage" is
 * made up, but deterministically: a resource uses one compute hour per hour it exists, and the
 * storage its metadata asks for (`storageGb`, default 1).
 *
 * - `pro` (subscription): $20.00 a calendar month (UTC), invoiced in advance at the start of each
 *   month after the one it was created in (the sign-up charge pays the first).
 * - `prepaid` (prepayment): $0.01 per compute hour, drawn from the credit bought for the resource.
 * - `free`: usage reported, nothing billed.
 */

export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const PRO_MONTHLY_CENTS = 2000;
export const PREPAID_CENTS_PER_HOUR = 1;

/** A resource as billing sees it. Times are epoch ms. */
export interface BilledResource {
  readonly id: string;
  readonly name: string;
  readonly billingPlanId: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly deletedAt: number | null;
}

export interface MonthPeriod {
  readonly start: number;
  readonly end: number;
}

/** The calendar month (UTC) holding `time`. */
export function monthOf(time: number): MonthPeriod {
  const d = new Date(time);
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

export function hourStart(time: number): number {
  return Math.floor(time / HOUR_MS) * HOUR_MS;
}

export function isoPeriod(period: MonthPeriod): Period {
  return { start: new Date(period.start).toISOString(), end: new Date(period.end).toISOString() };
}

/** Whole hours the resource existed in [from, to). */
export function liveHours(resource: BilledResource, from: number, to: number): number {
  const start = Math.max(from, resource.createdAt);
  const end = Math.min(to, resource.deletedAt ?? to);
  return end > start ? Math.floor((end - start) / HOUR_MS) : 0;
}

function storageGb(resource: BilledResource): number {
  const asked = resource.metadata.storageGb;
  return typeof asked === 'number' && Number.isFinite(asked) && asked > 0 ? asked : 1;
}

/** The resources billed in a period: those that existed at some point of it. */
export function existedIn(resource: BilledResource, period: MonthPeriod): boolean {
  return resource.createdAt < period.end && (resource.deletedAt === null || resource.deletedAt > period.start);
}

/** Submit Billing Data's `usage` for one resource, up to `now`. */
export function usageItems(resource: BilledResource, period: MonthPeriod, now: number): UsageItem[] {
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const gb = storageGb(resource);
  return [
    { resourceId: resource.id, name: 'Compute', type: 'interval', units: 'hours', dayValue: liveHours(resource, dayStart, now), periodValue: liveHours(resource, period.start, now) },
    { resourceId: resource.id, name: 'Storage', type: 'total', units: 'GB', dayValue: gb, periodValue: gb },
  ];
}

/** Submit Billing Data's `billing.items` for one resource: what the period will cost so far. */
export function billingItems(resource: BilledResource, period: MonthPeriod, now: number): BillingItem[] {
  const range = isoPeriod(period);
  if (resource.billingPlanId === 'pro') {
    return [{ billingPlanId: 'pro', resourceId: resource.id, ...range, name: 'Pro plan', price: formatCents(PRO_MONTHLY_CENTS), quantity: 1, units: 'month', total: formatCents(PRO_MONTHLY_CENTS) }];
  }
  if (resource.billingPlanId === 'prepaid') {
    const hours = liveHours(resource, period.start, now);
    return [{ billingPlanId: 'prepaid', resourceId: resource.id, ...range, name: 'Compute', price: formatCents(PREPAID_CENTS_PER_HOUR), quantity: hours, units: 'hours', total: formatCents(hours * PREPAID_CENTS_PER_HOUR) }];
  }
  return [];
}

/** Whether the resource gets a monthly invoice for `period`: on `pro`, and created before it began. */
export function invoicedFor(resource: BilledResource, period: MonthPeriod): boolean {
  return resource.billingPlanId === 'pro' && resource.createdAt < period.start && (resource.deletedAt === null || resource.deletedAt > period.start);
}

/** The monthly invoice's one line. */
export function invoiceItems(resource: BilledResource, period: MonthPeriod): BillingItem[] {
  return [{ billingPlanId: 'pro', resourceId: resource.id, ...isoPeriod(period), name: 'Pro plan', price: formatCents(PRO_MONTHLY_CENTS), quantity: 1, units: 'month', total: formatCents(PRO_MONTHLY_CENTS) }];
}

/**
 * A prepaid resource's balance: the credit bought, less one cent per hour it has existed. Never
 * below zero: a real partner would suspend the resource there (this one keeps it running).
 */
export function prepaidBalance(resource: BilledResource, creditCents: number, now: number): PrepaymentBalance {
  const spent = liveHours(resource, resource.createdAt, now) * PREPAID_CENTS_PER_HOUR;
  const cents = Math.max(0, creditCents - spent);
  return { resourceId: resource.id, currencyValueInCents: cents, credit: `${formatCents(cents)} USD`, nameLabel: 'Prepaid credits' };
}
