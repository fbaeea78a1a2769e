/**
 * Invoices (docs/invoices.md): the rules of Submit Invoice and Invoice Actions (partner-api.md §1.5),
 * and the states an invoice moves through. Pure: the use case (`use-cases/invoices.ts`) reads the
 * stores and charges the team; these functions only decide.
 */
import { ApiError } from '../errors.js';
import { formatCents, lineCents, MoneyFormatError, parseUsdToCents } from './money.js';

/** Every state, in the order an invoice meets them (Get Invoice's `state`). */
export const INVOICE_STATES = ['pending', 'scheduled', 'issued', 'paid', 'notpaid', 'refund_requested', 'refunded'] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

/**
 * - `pending`: stored (the `created` event is in the outbox), not yet taken up for charging;
 * - `scheduled`: an issuer (the request, or recovery) holds it to charge it;
 * - `issued`: the charge is sent to the processor with the invoice's idempotency key;
 * - `paid` / `notpaid`: the outcome, recorded with its ledger row and event;
 * - `refund_requested` → `refunded`: the same for a refund.
 * An invoice in `pending`, `scheduled`, `issued` or `refund_requested` is unsettled: recovery
 * finishes it (docs/invoices.md, "Crashes").
 */
export const UNSETTLED_STATES: readonly InvoiceState[] = ['pending', 'scheduled', 'issued', 'refund_requested'];

/** `partner`: Submit Invoice; `prepayment`: a credit purchase Stockroom invoiced at a create. */
export type InvoiceKind = 'partner' | 'prepayment';

/** What items and discounts share: the resource and plan they concern, and their words. */
interface InvoiceLineBase {
  readonly resourceId?: string;
  readonly billingPlanId: string;
  readonly start?: string;
  readonly end?: string;
  readonly name: string;
  readonly details?: string;
}

export interface InvoiceLine extends InvoiceLineBase {
  readonly price: string;
  readonly quantity: number;
  readonly units: string;
  readonly total: string;
}

export interface InvoiceDiscount extends InvoiceLineBase {
  readonly amount: string;
}

export interface Invoice {
  readonly id: string;
  readonly installationId: string;
  readonly teamId: string;
  readonly integrationId: string;
  readonly kind: InvoiceKind;
  readonly state: InvoiceState;
  readonly externalId: string | null;
  readonly test: boolean;
  readonly testResult: 'paid' | 'notpaid' | null;
  readonly invoiceDate: number;
  readonly period: { readonly start: number; readonly end: number };
  readonly memo: string | null;
  readonly items: readonly InvoiceLine[];
  readonly discounts: readonly InvoiceDiscount[] | null;
  readonly final: boolean;
  readonly totalCents: number;
  readonly paymentMethodId: string | null;
  readonly chargeReference: string | null;
  readonly notpaidReason: string | null;
  readonly paidAt: number | null;
  readonly refundCents: number | null;
  readonly refundReason: string | null;
  readonly refundedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The Submit Invoice body, as the route parsed it (dates still text). */
export interface InvoiceSubmission {
  readonly externalId?: string;
  readonly invoiceDate: string;
  readonly memo?: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly items: readonly InvoiceLine[];
  readonly discounts?: readonly InvoiceDiscount[];
  readonly final?: boolean;
  readonly test?: { readonly validate?: boolean; readonly result?: 'paid' | 'notpaid' | 'overdue' };
}

/** A store of the installation as the rules need it, found by its partner resource id. */
export interface BilledResource {
  readonly storeId: string;
  readonly billingPlan: { readonly id: string; readonly type: string };
}

export interface InvoiceProblem {
  /** The field, e.g. `items[1].total`. */
  readonly param: string;
  readonly message: string;
}

/** A submission that passed every rule: its dates as epoch ms, its total, what it bills. */
export interface CheckedInvoice {
  readonly invoiceDate: number;
  readonly period: { readonly start: number; readonly end: number };
  readonly totalCents: number;
  /** Each (store, plan) the invoice bills, once. */
  readonly billed: ReadonlyArray<{ readonly storeId: string; readonly billingPlanId: string }>;
}

/** The largest invoice total: $10 billion, far above any real invoice and far below unsafe integers. */
export const MAX_INVOICE_CENTS = 1_000_000_000_000;
/** The longest invoice period: a yearly plan's cycle, with a leap day. */
const MAX_PERIOD_MS = 366 * 24 * 60 * 60 * 1000;

/**
 * Checks a Submit Invoice body (docs/invoices.md, "Rules"): dates, that every item and discount
 * names a store of this installation on its current subscription plan, and that every amount adds
 * up in integer cents (an item's `total` is `price × quantity` to the cent; the invoice's total is
 * the items' less the discounts, never below zero). Returns every problem found, or the checked
 * invoice when there is none.
 */
export function checkInvoice(
  submission: InvoiceSubmission,
  resources: ReadonlyMap<string, BilledResource>,
): { problems: InvoiceProblem[] } | { problems: []; invoice: CheckedInvoice } {
  const problems: InvoiceProblem[] = [];
  const invoiceDate = parseDate(submission.invoiceDate, 'invoiceDate', problems);
  const start = parseDate(submission.period.start, 'period.start', problems);
  const end = parseDate(submission.period.end, 'period.end', problems);
  if (start !== undefined && end !== undefined && start >= end) problems.push({ param: 'period.end', message: 'period.end must be after period.start.' });
  // One invoice per store, plan and period: an unbounded period would claim the store for all time.
  if (start !== undefined && end !== undefined && end - start > MAX_PERIOD_MS) {
    problems.push({ param: 'period.end', message: 'An invoice period is at most 366 days (a yearly plan is the longest billing cycle).' });
  }

  const billed = new Map<string, { storeId: string; billingPlanId: string }>();
  let itemsCents = 0;
  submission.items.forEach((item, i) => {
    const at = `items[${i}]`;
    const resource = checkResource(item, at, resources, problems, true);
    if (resource) billed.set(`${resource.storeId} ${item.billingPlanId}`, { storeId: resource.storeId, billingPlanId: item.billingPlanId });
    if (item.start !== undefined) parseDate(item.start, `${at}.start`, problems);
    if (item.end !== undefined) parseDate(item.end, `${at}.end`, problems);
    if (!Number.isFinite(item.quantity) || item.quantity < 0) {
      problems.push({ param: `${at}.quantity`, message: `${at}.quantity must be a finite, non-negative number.` });
      return;
    }
    const total = parseAmount(item.total, `${at}.total`, problems);
    if (total === undefined) return;
    itemsCents += total;
    const expected = lineCents(item.price, item.quantity);
    if (expected === undefined) {
      problems.push({ param: `${at}.price`, message: `${at}.price must be a non-negative decimal amount in USD, got ${JSON.stringify(item.price)}.` });
    } else if (expected !== total) {
      problems.push({
        param: `${at}.total`,
        message: `${at}.total is ${item.total}, but price ${item.price} × quantity ${item.quantity} is ${formatCents(expected)}.`,
      });
    }
  });
  let discountCents = 0;
  (submission.discounts ?? []).forEach((discount, i) => {
    const at = `discounts[${i}]`;
    if (discount.resourceId !== undefined) checkResource(discount, at, resources, problems, false);
    if (discount.start !== undefined) parseDate(discount.start, `${at}.start`, problems);
    if (discount.end !== undefined) parseDate(discount.end, `${at}.end`, problems);
    discountCents += parseAmount(discount.amount, `${at}.amount`, problems) ?? 0;
  });
  // Each amount fits a safe integer, but their sum need not: refused before any arithmetic on it.
  if (itemsCents > MAX_INVOICE_CENTS) problems.push({ param: 'items', message: `An invoice's items total at most ${formatCents(MAX_INVOICE_CENTS)} USD.` });
  if (discountCents > MAX_INVOICE_CENTS) problems.push({ param: 'discounts', message: `An invoice's discounts total at most ${formatCents(MAX_INVOICE_CENTS)} USD.` });
  else if (itemsCents <= MAX_INVOICE_CENTS && discountCents > itemsCents) {
    problems.push({ param: 'discounts', message: `The discounts (${formatCents(discountCents)}) exceed the items' total (${formatCents(itemsCents)}).` });
  }
  if (problems.length > 0 || invoiceDate === undefined || start === undefined || end === undefined) return { problems: problems as [] };
  return { problems: [], invoice: { invoiceDate, period: { start, end }, totalCents: itemsCents - discountCents, billed: [...billed.values()] } };
}

/** The first problem as the 400 Submit Invoice answers, naming the field. */
export function invoiceProblemError(problem: InvoiceProblem): ApiError {
  return new ApiError('bad_request', problem.message, { param: problem.param });
}

function checkResource(
  line: { resourceId?: string; billingPlanId: string },
  at: string,
  resources: ReadonlyMap<string, BilledResource>,
  problems: InvoiceProblem[],
  required: boolean,
): BilledResource | undefined {
  if (line.resourceId === undefined) {
    // Stockroom keeps no installation-level plans: every item bills one resource.
    if (required) problems.push({ param: `${at}.resourceId`, message: `${at}.resourceId is required: every item bills one resource of the installation.` });
    return undefined;
  }
  const resource = resources.get(line.resourceId);
  if (!resource) {
    problems.push({ param: `${at}.resourceId`, message: `${at}.resourceId ${line.resourceId} is not a resource of this installation.` });
    return undefined;
  }
  if (resource.billingPlan.id !== line.billingPlanId) {
    problems.push({ param: `${at}.billingPlanId`, message: `${at}.billingPlanId is ${line.billingPlanId}, but resource ${line.resourceId} is on plan ${resource.billingPlan.id}.` });
    return undefined;
  }
  if (resource.billingPlan.type !== 'subscription') {
    problems.push({ param: `${at}.billingPlanId`, message: `Plan ${line.billingPlanId} is a ${resource.billingPlan.type} plan; only subscription plans are invoiced.` });
    return undefined;
  }
  return resource;
}

function parseDate(text: string, param: string, problems: InvoiceProblem[]): number | undefined {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    problems.push({ param, message: `${param} must be an ISO 8601 date-time, got ${JSON.stringify(text)}.` });
    return undefined;
  }
  return ms;
}

/** A USD amount in cents (`parseUsdToCents`), or a problem naming `param`. */
export function parseAmount(text: string, param: string, problems: InvoiceProblem[]): number | undefined {
  try {
    return parseUsdToCents(text);
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    problems.push({ param, message: `${param} must be a non-negative USD amount with at most two decimals, got ${JSON.stringify(text)}.` });
    return undefined;
  }
}

/** What a refund asks (Invoice Actions): checked against what the invoice holds now. */
export function checkRefund(invoice: Invoice, totalText: string): number {
  const problems: InvoiceProblem[] = [];
  const cents = parseAmount(totalText, 'total', problems);
  const problem = problems[0];
  if (problem || cents === undefined) throw invoiceProblemError(problem ?? { param: 'total', message: 'total is not an amount.' });
  if (invoice.state !== 'paid') {
    throw new ApiError('conflict', `Invoice ${invoice.id} is ${invoice.state}; only a paid invoice can be refunded, once.`);
  }
  if (cents <= 0) throw new ApiError('bad_request', 'total must be more than 0.00.', { param: 'total' });
  if (cents > invoice.totalCents) {
    throw new ApiError('bad_request', `total ${totalText} is more than the ${formatCents(invoice.totalCents)} paid for invoice ${invoice.id}.`, { param: 'total' });
  }
  return cents;
}

/** The webhook types an invoice's states are announced with (docs/invoices.md). */
export type InvoiceEventType = 'marketplace.invoice.created' | 'marketplace.invoice.paid' | 'marketplace.invoice.notpaid' | 'marketplace.invoice.refunded';

/**
 * The payload of a `marketplace.invoice.*` webhook (partner-api.md §1.3): the installation, the
 * period, the invoice's id and date and its total as a USD decimal, plus the partner's own id when
 * it gave one; a refund adds what was refunded and why.
 */
export function invoiceEventPayload(invoice: Invoice, type: InvoiceEventType): Record<string, unknown> {
  return {
    installationId: invoice.installationId,
    invoiceId: invoice.id,
    ...(invoice.externalId !== null ? { externalInvoiceId: invoice.externalId } : {}),
    period: { start: iso(invoice.period.start), end: iso(invoice.period.end) },
    invoiceDate: iso(invoice.invoiceDate),
    invoiceTotal: formatCents(invoice.totalCents),
    ...(type === 'marketplace.invoice.refunded' && invoice.refundCents !== null ? { amount: formatCents(invoice.refundCents), reason: invoice.refundReason ?? '' } : {}),
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
