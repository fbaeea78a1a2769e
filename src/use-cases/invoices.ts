import type { AppContext } from '../app-context.js';
import {
  claimInvoice,
  findClash,
  findBilledResources,
  findInvoice,
  findInvoiceBySourceKey,
  insertInvoice,
  listStalledInvoices,
  listStoresOfInvoice,
  recordBalances,
  setInvoiceItems,
  transitionInvoice,
  type InsertInvoiceOutcome,
  type InvoiceTransition,
} from '../db/invoices.js';
import { appendLedgerEntry } from '../db/ledger.js';
import { findPaymentMethod, getDefaultPaymentMethodId } from '../db/payment-methods.js';
import { newId } from '../domain/ids.js';
import type { Installation } from '../domain/installations.js';
import {
  checkInvoice,
  checkRefund,
  invoiceProblemError,
  UNSETTLED_STATES,
  type Invoice,
  type InvoiceEventType,
  type InvoiceState,
  type InvoiceSubmission,
} from '../domain/invoices.js';
import type { NewLedgerEntry } from '../domain/ledger.js';
import { formatCents } from '../domain/money.js';
import { resourceIdsOf } from '../domain/partner-billing.js';
import { ApiError } from '../errors.js';
import { pauseAt } from '../fault-injection.js';
import { provisionFailureOf } from './provision-failure.js';
import type { Caller, PartnerClient, ProvisionedPurchase } from '../providers/partner-client.js';
import { isProviderError } from '../providers/provider-error.js';

/**
 * Invoices (docs/invoices.md): Submit Invoice, Invoice Actions (refund), and their recovery.
 *
 * Issuing runs in the request, after the invoice is stored: `pending` (stored with its `created`
 * event) → `scheduled` (held by this issuer, the team's method chosen) → `issued` (written before
 * the processor is asked) → `paid` (with the charge's ledger row and `paid` event, in one
 * transaction) or `notpaid`. The charge's idempotency key is `${invoiceId}:charge`, so a charge
 * sent twice (a retry, a recovery after a crash) moves money once and answers the same reference.
 * So a crash at any point leaves the invoice unsettled, never charged without a state that says a
 * charge may have happened, and never `paid` without its ledger row; `settleStalledInvoices`
 * finishes it.
 */

/** How long an issuer or refunder holds an invoice before recovery may take it over, unless configured. */
export const INVOICE_HOLD_MS = 60_000;

function holdMs(ctx: AppContext): number {
  return ctx.invoiceHoldMs ?? INVOICE_HOLD_MS;
}

export interface SubmitInvoiceAnswer {
  readonly invoiceId?: string;
  readonly test?: boolean;
  readonly validationErrors?: string[];
}

/**
 * Submit Invoice: checks the body (400 naming the field), stores the invoice (409 for a taken
 * `externalId`, or a store already invoiced on its plan for an overlapping period), then issues it.
 * With `test.validate` only checks, and answers the problems as `validationErrors`.
 */
export async function submitInvoice(ctx: AppContext, installation: Installation, submission: InvoiceSubmission): Promise<SubmitInvoiceAnswer> {
  const resources = await findBilledResources(ctx.db, installation.id, resourceIdsOf([...submission.items, ...(submission.discounts ?? [])]));
  const checked = checkInvoice(submission, resources);
  if (submission.test?.validate === true) {
    // As if it were submitted for real: a taken externalId or period is a problem too.
    const clash =
      'invoice' in checked
        ? await findClash(ctx.db, { invoice: { installationId: installation.id, externalId: submission.externalId ?? null, period: checked.invoice.period }, billed: checked.invoice.billed })
        : undefined;
    return { test: true, validationErrors: [...checked.problems.map((p) => p.message), ...(clash ? [conflictError(clash).message] : [])] };
  }
  const problem = checked.problems[0];
  if (problem || !('invoice' in checked)) throw invoiceProblemError(problem ?? { param: 'items', message: 'The invoice is not valid.' });

  const now = ctx.now();
  const test = submission.test !== undefined;
  const invoice: Invoice = {
    id: newId('inv'),
    installationId: installation.id,
    teamId: installation.teamId,
    integrationId: installation.integrationId,
    kind: 'partner',
    state: 'pending',
    externalId: submission.externalId ?? null,
    test,
    // `overdue` is not a state Stockroom keeps: an overdue invoice is one not paid.
    testResult: test ? (submission.test?.result === undefined || submission.test.result === 'paid' ? 'paid' : 'notpaid') : null,
    invoiceDate: checked.invoice.invoiceDate,
    period: checked.invoice.period,
    memo: submission.memo ?? null,
    items: submission.items,
    discounts: submission.discounts ?? null,
    final: submission.final === true,
    totalCents: checked.invoice.totalCents,
    paymentMethodId: null,
    chargeReference: null,
    notpaidReason: null,
    paidAt: null,
    refundCents: null,
    refundReason: null,
    refundedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  // A test invoice bills nobody: it neither takes a period from a real invoice nor shows on a store.
  const outcome = await insertInvoice(ctx.db, ctx.dialect, { invoice, billed: test ? [] : checked.invoice.billed, claimedUntil: now + holdMs(ctx) });
  if (!outcome.inserted) throw conflictError(outcome);
  await settleQuietly(ctx, outcome.invoice, () => issueInvoice(ctx, outcome.invoice));
  return { invoiceId: invoice.id, ...(test ? { test: true } : {}) };
}

function conflictError(outcome: Extract<InsertInvoiceOutcome, { inserted: false }>): ApiError {
  const existing = outcome.existing?.id;
  const extra = existing ? { invoiceId: existing } : {};
  if (outcome.conflict === 'externalId') {
    return new ApiError('conflict', `The installation already has an invoice with externalId "${outcome.existing?.externalId ?? ''}"${existing ? ` (${existing})` : ''}.`, { param: 'externalId', ...extra });
  }
  return new ApiError('conflict', `A resource of this invoice is already invoiced on the same plan for an overlapping period${existing ? ` (${existing})` : ''}.`, { param: 'period', ...extra });
}

/**
 * Runs a settling step; a failure (the processor or the database erring) leaves the invoice
 * unsettled for `settleStalledInvoices` instead of failing a request that already stored it.
 */
async function settleQuietly(ctx: AppContext, invoice: Invoice, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    ctx.logger.warn({ invoice: invoice.id, err: error instanceof Error ? error.message : String(error) }, 'invoice left unsettled; recovery will finish it');
  }
}

/**
 * Takes an unsettled invoice from wherever it stands to `paid` or `notpaid`. Each step is a
 * compare-and-set on the state, so two issuers cannot both record an outcome; the charge's
 * idempotency key makes a repeated charge the same one.
 */
async function issueInvoice(ctx: AppContext, start: Invoice): Promise<Invoice | undefined> {
  let invoice: Invoice | undefined = start;
  if (invoice.state === 'pending') {
    const method = await teamPaymentSource(ctx, invoice.teamId);
    invoice = await transitionInvoice(ctx.db, invoice.id, ['pending'], { set: { state: 'scheduled', payment_method_id: method?.methodId ?? null }, now: ctx.now() });
  }
  if (invoice?.state === 'scheduled') {
    invoice = await transitionInvoice(ctx.db, invoice.id, ['scheduled'], { set: { state: 'issued' }, now: ctx.now() });
  }
  if (invoice?.state !== 'issued') return invoice;
  return chargeIssued(ctx, invoice);
}

async function chargeIssued(ctx: AppContext, invoice: Invoice): Promise<Invoice | undefined> {
  const notPaid = (reason: string) =>
    transitionInvoice(ctx.db, invoice.id, ['issued'], { set: { state: 'notpaid', notpaid_reason: reason }, event: 'marketplace.invoice.notpaid', now: ctx.now() });
  const paid = (reference: string | null, ledger?: NewLedgerEntry) =>
    settle(ctx, invoice, 'issued', { state: 'paid', charge_reference: reference, paid_at: ctx.now() }, 'marketplace.invoice.paid', ledger);

  // Test mode: no money moves, so nothing reaches the processor or the ledger.
  if (invoice.test) return invoice.testResult === 'notpaid' ? notPaid('test mode: the partner asked for notpaid') : paid(null);
  if (invoice.totalCents === 0) return paid(null);
  const method = invoice.paymentMethodId === null ? undefined : await methodSource(ctx, invoice.teamId, invoice.paymentMethodId);
  if (!method) return notPaid('the team has no usable default payment method');
  const operationKey = `${invoice.id}:charge`;
  const outcome = await ctx.payments.charge({ methodSource: method.source, amountCents: invoice.totalCents, idempotencyKey: operationKey });
  await pauseAt('invoice-after-charge');
  if (!outcome.ok) return notPaid(outcome.message);
  const memo = `charge for invoice ${invoice.id}${invoice.externalId ? ` (${invoice.externalId})` : ''}`;
  return paid(outcome.reference, await ledgerEntryOf(ctx, invoice, { kind: 'charge', amountCents: invoice.totalCents, paymentMethodId: method.methodId, reference: outcome.reference, operationKey, memo }));
}

/** Records an outcome: `from` → `set`, with its event and, when money moved, its ledger row. */
function settle(ctx: AppContext, invoice: Invoice, from: InvoiceState, set: InvoiceTransition['set'], event: InvoiceEventType, ledger: NewLedgerEntry | undefined) {
  return transitionInvoice(ctx.db, invoice.id, [from], { set, event, now: ctx.now(), ...(ledger ? { ledger } : {}) });
}

/** The ledger row of an invoice's charge or refund, naming its store when it bills only one. */
async function ledgerEntryOf(
  ctx: AppContext,
  invoice: Invoice,
  money: Pick<NewLedgerEntry, 'kind' | 'amountCents' | 'paymentMethodId' | 'reference' | 'operationKey' | 'memo'>,
): Promise<NewLedgerEntry> {
  return {
    ...money,
    teamId: invoice.teamId,
    storeId: await singleStoreOf(ctx, invoice),
    billingPlanId: invoice.items[0]?.billingPlanId ?? null,
    createdAt: ctx.now(),
    invoiceId: invoice.id,
  };
}

/** The store an invoice bills when it bills only one (its ledger rows name it); else null. */
async function singleStoreOf(ctx: AppContext, invoice: Invoice): Promise<string | null> {
  const stores = await listStoresOfInvoice(ctx.db, invoice.id);
  return stores.length === 1 ? (stores[0] ?? null) : null;
}

/** Get Invoice and Invoice Actions: the installation's invoice, or a 404. */
export async function getInvoice(ctx: AppContext, installationId: string, invoiceId: string): Promise<Invoice> {
  const invoice = await findInvoice(ctx.db, invoiceId, installationId);
  if (!invoice) throw new ApiError('not_found', `The invoice ${invoiceId} was not found in ${installationId}.`);
  return invoice;
}

/** Invoice Actions `refund`: `paid` → `refund_requested` → `refunded`; 409 unless paid, 400 for a total over what was paid. */
export async function refundInvoice(ctx: AppContext, invoice: Invoice, request: { reason: string; total: string }): Promise<void> {
  // A prepaid purchase is Stockroom's own invoice for credit the partner already granted; only
  // Stockroom refunds it (when the create fails), or the team would keep the credit and the money.
  if (invoice.kind !== 'partner') {
    throw new ApiError('conflict', `Invoice ${invoice.id} is a prepaid credit purchase Stockroom issued, not one of the partner's invoices; it cannot be refunded through Invoice Actions.`);
  }
  const cents = checkRefund(invoice, request.total);
  const requested = await transitionInvoice(ctx.db, invoice.id, ['paid'], {
    set: { state: 'refund_requested', refund_cents: cents, refund_reason: request.reason, claimed_until: ctx.now() + holdMs(ctx) },
    now: ctx.now(),
  });
  if (!requested) throw new ApiError('conflict', `Invoice ${invoice.id} changed meanwhile; read it again.`);
  await settleQuietly(ctx, requested, () => finishRefund(ctx, requested));
}

async function finishRefund(ctx: AppContext, invoice: Invoice): Promise<Invoice | undefined> {
  const cents = invoice.refundCents ?? 0;
  const done = (reference: string | null, ledger?: NewLedgerEntry) =>
    settle(ctx, invoice, 'refund_requested', { state: 'refunded', refund_reference: reference, refunded_at: ctx.now() }, 'marketplace.invoice.refunded', ledger);
  if (invoice.test || invoice.chargeReference === null || cents === 0) return done(null);
  const operationKey = `${invoice.id}:refund`;
  const { reference } = await ctx.payments.refund({ chargeReference: invoice.chargeReference, amountCents: cents, idempotencyKey: operationKey });
  await pauseAt('invoice-after-refund');
  const memo = `refund of invoice ${invoice.id}: ${invoice.refundReason ?? ''}`;
  return done(reference, await ledgerEntryOf(ctx, invoice, { kind: 'refund', amountCents: cents, paymentMethodId: invoice.paymentMethodId, reference, operationKey, memo }));
}

/**
 * Recovery of partner invoices whose issuer or refunder stopped (a crash, an error): each
 * unsettled invoice nobody holds is claimed for `holdMs` and taken on from its state. Stockroom's
 * own prepayment invoices are born settled and never appear here.
 */
export async function settleStalledInvoices(ctx: AppContext, options: { holdMs: number; limit?: number }): Promise<Map<string, InvoiceState | 'retry-later'>> {
  const now = ctx.now();
  const outcomes = new Map<string, InvoiceState | 'retry-later'>();
  for (const invoice of await listStalledInvoices(ctx.db, UNSETTLED_STATES, now, options.limit ?? 20)) {
    if (!(await claimInvoice(ctx.db, invoice, now, now + options.holdMs))) continue;
    try {
      const settled = invoice.state === 'refund_requested' ? await finishRefund(ctx, invoice) : await issueInvoice(ctx, invoice);
      outcomes.set(invoice.id, settled?.state ?? 'retry-later');
    } catch (error) {
      outcomes.set(invoice.id, 'retry-later');
      ctx.logger.warn({ invoice: invoice.id, err: error instanceof Error ? error.message : String(error) }, 'invoice recovery failed; retrying later');
    }
  }
  return outcomes;
}

/** The team's default method and the processor source it pays with; undefined when it has none. */
export async function teamPaymentSource(ctx: AppContext, teamId: string): Promise<{ methodId: string; source: string } | undefined> {
  const id = await getDefaultPaymentMethodId(ctx.db, teamId);
  return id === null ? undefined : methodSource(ctx, teamId, id);
}

export async function methodSource(ctx: AppContext, teamId: string, methodId: string): Promise<{ methodId: string; source: string } | undefined> {
  if (ctx.payments.isSharedMethod(methodId)) return { methodId, source: methodId };
  const own = await findPaymentMethod(ctx.db, teamId, methodId);
  return own ? { methodId, source: own.source } : undefined;
}

// ── The prepaid credit purchase of a create (docs/invoices.md, "Prepaid purchases").

/** The source key of a store's prepayment invoice: one per store. */
export function prepaymentSourceKey(storeId: string): string {
  return `${storeId}:prepayment`;
}

export interface PrepaymentPurchase {
  readonly store: { readonly id: string; readonly teamId: string; readonly installationId: string; readonly integrationId: string; readonly name: string; readonly billingPlan: { readonly id: string; readonly name: string } };
  readonly paymentMethodId: string;
  readonly amountCents: number;
  readonly chargeReference: string;
  /** The charge's ledger row, written with the invoice. */
  readonly ledger: NewLedgerEntry;
}

/**
 * Records a prepayment that was just charged as a paid invoice: the invoice, its `created` and
 * `paid` events and the charge's ledger row, in one transaction. Idempotent per store (a resumed
 * create finds the invoice it made). Returns the invoice.
 */
export async function recordPaidPrepayment(ctx: AppContext, purchase: PrepaymentPurchase): Promise<Invoice> {
  const { store } = purchase;
  return recordPaidCreditInvoice(ctx, {
    sourceKey: prepaymentSourceKey(store.id),
    buyer: store,
    storeId: store.id,
    memo: `Prepaid credits for store ${store.name}`,
    paymentMethodId: purchase.paymentMethodId,
    amountCents: purchase.amountCents,
    chargeReference: purchase.chargeReference,
    ledger: purchase.ledger,
  });
}

/** A credit purchase that was just charged, for `recordPaidCreditInvoice`. */
export interface PaidCreditPurchase {
  /** One invoice per key: a second call with it finds the first invoice. */
  readonly sourceKey: string;
  readonly buyer: { readonly teamId: string; readonly installationId: string; readonly integrationId: string; readonly billingPlan: { readonly id: string; readonly name: string } };
  /** The store the credit is for; null for an installation's balance. */
  readonly storeId: string | null;
  readonly memo: string;
  readonly paymentMethodId: string;
  readonly amountCents: number;
  readonly chargeReference: string;
  /** The charge's ledger row, written with the invoice. */
  readonly ledger: NewLedgerEntry;
}

/**
 * Records a charged credit purchase (a create's prepayment, or a threshold's top-up) as a paid
 * `prepayment` invoice with its events and the charge's ledger row, in one transaction.
 * Idempotent per `sourceKey`. Returns the invoice.
 */
export async function recordPaidCreditInvoice(ctx: AppContext, purchase: PaidCreditPurchase): Promise<Invoice> {
  const existing = await findInvoiceBySourceKey(ctx.db, purchase.sourceKey);
  if (existing) {
    await appendLedgerEntry(ctx.db, { ...purchase.ledger, invoiceId: existing.id });
    return existing;
  }
  const now = ctx.now();
  const price = formatCents(purchase.amountCents);
  const { buyer } = purchase;
  const invoice: Invoice = {
    id: newId('inv'),
    installationId: buyer.installationId,
    teamId: buyer.teamId,
    integrationId: buyer.integrationId,
    kind: 'prepayment',
    state: 'paid',
    externalId: null,
    test: false,
    testResult: null,
    invoiceDate: now,
    period: { start: now, end: now },
    memo: purchase.memo,
    items: [{ billingPlanId: buyer.billingPlan.id, name: `${buyer.billingPlan.name} credits`, price, quantity: 1, units: 'purchase', total: price }],
    discounts: null,
    final: false,
    totalCents: purchase.amountCents,
    paymentMethodId: purchase.paymentMethodId,
    chargeReference: purchase.chargeReference,
    notpaidReason: null,
    paidAt: now,
    refundCents: null,
    refundReason: null,
    refundedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const outcome = await insertInvoice(
    ctx.db,
    ctx.dialect,
    { invoice, sourceKey: purchase.sourceKey, billed: purchase.storeId === null ? [] : [{ storeId: purchase.storeId, billingPlanId: buyer.billingPlan.id }], claimedUntil: null },
    { ledger: { ...purchase.ledger, invoiceId: invoice.id }, event: 'marketplace.invoice.paid' },
  );
  if (outcome.inserted) return outcome.invoice;
  if (outcome.existing) return outcome.existing;
  throw new Error(`The credit invoice ${purchase.sourceKey} could not be stored.`);
}

/**
 * Records the refund of a store's charge: for the prepayment, its invoice becomes `refunded` with
 * the refund's ledger row and event in one transaction; any other charge is a ledger row alone.
 * Idempotent (the ledger's operation key, the invoice's state).
 */
export async function recordStoreRefund(ctx: AppContext, storeId: string, step: string, entry: NewLedgerEntry): Promise<void> {
  const invoice = step === 'prepayment' ? await findInvoiceBySourceKey(ctx.db, prepaymentSourceKey(storeId)) : undefined;
  await recordInvoiceRefund(ctx, invoice, entry);
}

/**
 * Records a refund already made at the processor: a `paid` invoice becomes `refunded` with the
 * refund's ledger row and event in one transaction; otherwise (no invoice, or already moved) the
 * ledger row alone, idempotent by its operation key.
 */
export async function recordInvoiceRefund(ctx: AppContext, invoice: Invoice | undefined, entry: NewLedgerEntry): Promise<void> {
  if (invoice?.state === 'paid') {
    const moved = await transitionInvoice(ctx.db, invoice.id, ['paid'], {
      set: { state: 'refunded', refund_cents: entry.amountCents, refund_reason: entry.memo ?? null, refund_reference: entry.reference ?? null, refunded_at: entry.createdAt },
      ledger: { ...entry, invoiceId: invoice.id },
      event: 'marketplace.invoice.refunded',
      now: entry.createdAt,
    });
    if (moved) return;
  }
  await appendLedgerEntry(ctx.db, invoice ? { ...entry, invoiceId: invoice.id } : entry);
}

/**
 * Provision Purchase (partner-api.md §1.1 #15) for a store's paid prepayment invoice: the invoice's
 * item learns the resource id the credits are for (the resource did not exist when the purchase
 * was charged), the partner is told with the invoice's key as Idempotency-Key, and the balances it
 * answers are kept. A provider error becomes a `ProvisionFailure`: a 4xx `rejected`, else `unknown`.
 */
export async function purchasePrepaidCredits(
  ctx: AppContext,
  partner: Pick<PartnerClient, 'provisionPurchase'>,
  caller: Caller,
  store: { readonly id: string; readonly teamId: string; readonly installationId: string },
  resourceId: string,
): Promise<void> {
  const invoice = await findInvoiceBySourceKey(ctx.db, prepaymentSourceKey(store.id));
  if (!invoice) throw new Error(`Store ${store.id} has no prepayment invoice to report.`);
  await provisionCreditInvoice(ctx, partner, caller, invoice, { resourceId, storeId: store.id });
}

/**
 * Tells the partner of a paid credit invoice (Provision Purchase) and keeps the balances it
 * answers. `resourceId` (the partner's) is written into the invoice's items first, so that the
 * partner reading the invoice learns which resource the credit is for; null for an installation's
 * balance. The one Provision Purchase path: a create's prepayment and a threshold's top-up.
 */
export async function provisionCreditInvoice(
  ctx: AppContext,
  partner: Pick<PartnerClient, 'provisionPurchase'>,
  caller: Caller,
  invoice: Invoice,
  target: { readonly resourceId: string | null; readonly storeId: string | null },
): Promise<void> {
  const { resourceId } = target;
  if (resourceId !== null && invoice.items.some((item) => item.resourceId !== resourceId)) {
    await setInvoiceItems(ctx.db, invoice.id, invoice.items.map((item) => ({ ...item, resourceId })), ctx.now());
  }
  let answer: ProvisionedPurchase;
  try {
    answer = await partner.provisionPurchase(invoice.installationId, { invoiceId: invoice.id }, caller, { idempotencyKey: `${invoice.id}:provision` });
  } catch (error) {
    throw isProviderError(error) ? provisionFailureOf(error) : error;
  }
  const reportedAt = answer.timestamp === undefined ? NaN : Date.parse(answer.timestamp);
  await recordBalances(ctx.db, {
    installationId: invoice.installationId,
    teamId: invoice.teamId,
    source: 'provision-purchase',
    invoiceId: invoice.id,
    reportedAt: Number.isNaN(reportedAt) ? ctx.now() : reportedAt,
    balances: answer.balances.map((b) => ({ ...b, storeId: (b.resourceId ?? null) === resourceId ? target.storeId : null })),
    now: ctx.now(),
  });
}
