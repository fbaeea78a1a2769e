/**
 * What a spend threshold does (docs/balances-and-thresholds.md): when the balance a partner
 * reports falls below the threshold's minimum, Stockroom buys `purchase` more credit on the team's
 * default payment method — a paid `prepayment` invoice, then Provision Purchase at the partner,
 * whose answer is the new balance — at most `limit` per calendar month. When it cannot (limit
 * reached, no default method, card declined, the partner refused), the store's (or installation's)
 * `notification` says so. Nothing stays charged that the partner did not take: the charge is
 * refunded and its invoice becomes `refunded`, as for a create's prepayment.
 */
import type { AppContext } from '../app-context.js';
import type { CatalogIntegration } from '../catalog/catalog.js';
import { findInvoiceBySourceKey } from '../db/invoices.js';
import { findLiveInstallation, updateInstallationPartnerFields } from '../db/installations.js';
import { appendLedgerEntry } from '../db/ledger.js';
import { findBalanceCents, listBalancesOfInstallation } from '../db/invoices.js';
import {
  claimThreshold,
  hasFailedPurchaseSince,
  insertThresholdPurchase,
  listThresholdsWithInterruptedPurchases,
  listUnfinishedPurchases,
  listThresholdsOfInstallation,
  releaseThreshold,
  settleThresholdPurchase,
  sumThresholdPurchasesSince,
  type PurchaseState,
  type UnfinishedPurchase,
} from '../db/spend-thresholds.js';
import { findLiveStoreOfInstallation } from '../db/store-reads.js';
import { setLiveStoreNotification } from '../db/stores.js';
import { pauseAt } from '../fault-injection.js';
import { formatCents } from '../domain/money.js';
import { decideTopUp, periodStartOf, stoppedSince, type SpendThreshold } from '../domain/spend-thresholds.js';
import type { Installation } from '../domain/installations.js';
import type { Notification, Store } from '../domain/stores.js';
import { providerFor } from '../providers/provider-for.js';
import { methodSource, provisionCreditInvoice, recordInvoiceRefund, recordPaidCreditInvoice, teamPaymentSource } from './invoices.js';

/** How long one top-up holds its threshold before another may take it over (a crashed holder), unless configured. */
export const TOP_UP_HOLD_MS = 60_000;

function holdMs(ctx: AppContext): number {
  return ctx.topUpHoldMs ?? TOP_UP_HOLD_MS;
}

/**
 * After balances of `resourceIds` (null: the installation's) were stored: each threshold among
 * them whose balance, as now kept (an older report does not replace a newer figure), is below its
 * minimum acts. A top-up's failure is logged and noted, never thrown: the report was accepted.
 * The balances read here only pick the candidates: each decides on its figure read again once
 * it holds the threshold, since another report may have bought meanwhile.
 */
export async function actOnBalances(ctx: AppContext, installationId: string, resourceIds: ReadonlyArray<string | null>): Promise<void> {
  const wanted = new Set(resourceIds);
  const thresholds = (await listThresholdsOfInstallation(ctx.db, installationId)).filter((t) => wanted.has(t.resourceId));
  if (thresholds.length === 0) return;
  const balances = new Map((await listBalancesOfInstallation(ctx.db, installationId)).map((b) => [b.resourceId, b.currencyValueInCents]));
  for (const threshold of thresholds) {
    const balance = balances.get(threshold.resourceId);
    if (balance === undefined || balance >= threshold.minimumCents) continue;
    try {
      await topUp(ctx, threshold);
    } catch (error) {
      ctx.logger.warn({ threshold: threshold.id, err: error instanceof Error ? error.message : String(error) }, 'automatic credit purchase failed');
    }
  }
}

async function topUp(ctx: AppContext, threshold: SpendThreshold): Promise<void> {
  const now = ctx.now();
  const hold = now + holdMs(ctx);
  if (!(await claimThreshold(ctx.db, threshold.id, now, hold))) return;
  try {
    // A purchase its holder left unfinished (a crash) is this low balance's purchase: finish it first.
    if ((await finishHeldThreshold(ctx, threshold, now)).size > 0) return;
    // The figure now, not the one read before the claim: a purchase another report just finished changed it.
    const balanceCents = await findBalanceCents(ctx.db, threshold.installationId, threshold.resourceId);
    if (balanceCents === undefined) return;
    const spent = await sumThresholdPurchasesSince(ctx.db, threshold.id, periodStartOf(now));
    const stopped = await hasFailedPurchaseSince(ctx.db, threshold.id, stoppedSince(threshold, now));
    const decision = decideTopUp(threshold, balanceCents, spent, stopped);
    if (decision.kind === 'none' || decision.kind === 'stopped') return;
    const low = `The prepaid balance is $${formatCents(balanceCents)}, below the threshold's minimum of $${formatCents(threshold.minimumCents)}.`;
    if (decision.kind === 'limit-reached') {
      await notify(ctx, threshold, {
        level: 'warn',
        title: 'Low prepaid balance',
        message: `${low} No credit was bought: $${formatCents(threshold.purchaseCents)} more would pass this month's limit of $${formatCents(threshold.maximumPerPeriodCents)} ($${formatCents(spent)} bought so far).`,
      });
      return;
    }
    // No new charge for an installation being uninstalled (its stores are about to go); one already charged is still finished.
    const target = await targetOf(ctx, threshold);
    if (!target || target.installation.status === 'uninstalling') return;
    const method = await teamPaymentSource(ctx, threshold.teamId);
    if (!method) return await failed(ctx, threshold, `${low} The team has no default payment method to buy credit with.`);
    const id = await insertThresholdPurchase(ctx.db, threshold, decision.amountCents, method.methodId, ctx.now());
    await carryOut(ctx, threshold, target, { id, amountCents: decision.amountCents, ...method }, low);
  } finally {
    await releaseThreshold(ctx.db, threshold.id, hold);
  }
}

/** What a purchase is for: the live installation, its integration and, for a store's threshold, the live store. */
interface PurchaseTarget {
  readonly installation: Installation;
  readonly integration: CatalogIntegration;
  readonly store: Store | undefined;
}

async function targetOf(ctx: AppContext, threshold: SpendThreshold): Promise<PurchaseTarget | undefined> {
  const installation = await findLiveInstallation(ctx.db, threshold.teamId, threshold.installationId);
  const integration = installation ? ctx.catalog.findIntegration(installation.integrationId) : undefined;
  const store = threshold.storeId === null ? undefined : await findLiveStoreOfInstallation(ctx.db, threshold.installationId, threshold.storeId);
  if (!installation || !integration || (threshold.storeId !== null && !store)) return undefined;
  return { installation, integration, store };
}

/** How a purchase recovery took on ended. */
export type RecoveredPurchase = Exclude<PurchaseState, 'charging'>;

/**
 * Crash recovery of top-ups (`jobs/threshold-purchase-recovery.ts`): every threshold with a
 * purchase its holder left `charging` past the hold is claimed like a report claims it (a
 * conditional update of `purchasing_until`, so of several replicas one works on it) and its
 * purchases are finished or refunded, with no new balance report needed. Purchase id → outcome.
 */
export async function finishInterruptedPurchases(ctx: AppContext, options: { readonly limit?: number } = {}): Promise<Map<string, RecoveredPurchase>> {
  const outcomes = new Map<string, RecoveredPurchase>();
  const passStart = ctx.now();
  for (const threshold of await listThresholdsWithInterruptedPurchases(ctx.db, passStart, passStart - holdMs(ctx), options.limit ?? 20)) {
    // Each threshold's hold runs from its own claim: a pass slowed by a partner that is down must
    // not claim a later threshold with a hold that has already run out (another could take it too).
    const now = ctx.now();
    const hold = now + holdMs(ctx);
    if (!(await claimThreshold(ctx.db, threshold.id, now, hold))) continue; // another replica or a report holds it
    try {
      for (const [id, outcome] of await finishHeldThreshold(ctx, threshold, now)) outcomes.set(id, outcome);
    } catch (error) {
      // What failed stays `charging`, untouched since before the hold: the next pass tries again.
      ctx.logger.warn({ threshold: threshold.id, err: error instanceof Error ? error.message : String(error) }, 'threshold purchase recovery failed; retrying later');
    } finally {
      await releaseThreshold(ctx.db, threshold.id, hold);
    }
  }
  return outcomes;
}

/** Finishes, for a caller holding the threshold, every purchase of it left `charging` past the hold. */
async function finishHeldThreshold(ctx: AppContext, threshold: SpendThreshold, now: number): Promise<Map<string, RecoveredPurchase>> {
  const outcomes = new Map<string, RecoveredPurchase>();
  for (const purchase of await listUnfinishedPurchases(ctx.db, threshold.id, now - holdMs(ctx))) {
    const outcome = await resume(ctx, threshold, purchase);
    outcomes.set(purchase.id, outcome);
    ctx.logger.info({ threshold: threshold.id, purchase: purchase.id, outcome }, 'threshold purchase recovery');
  }
  return outcomes;
}

/**
 * Finishes a purchase an earlier holder left `charging`: every step is keyed by the purchase's id,
 * so the charge is not taken twice (the processor answers the same reference for the same key),
 * the invoice is found by its source key and the partner credits an invoice once.
 */
async function resume(ctx: AppContext, threshold: SpendThreshold, purchase: UnfinishedPurchase): Promise<RecoveredPurchase> {
  const target = await targetOf(ctx, threshold);
  const method = purchase.paymentMethodId === null ? undefined : await methodSource(ctx, threshold.teamId, purchase.paymentMethodId);
  // Nowhere to deliver to any more, or the method is gone: give back whatever the charge took.
  if (!target || !method) {
    const outcome = await refundUndeliverable(ctx, threshold, purchase, method);
    // The store is still there: its threshold is now stopped (a failed purchase), and the team must hear why.
    if (target) await failed(ctx, threshold, andStopped(`An automatic credit purchase of $${formatCents(purchase.amountCents)} was interrupted and could not be finished: the payment method it used was removed. Whatever it charged was refunded.`));
    return outcome;
  }
  return await carryOut(ctx, threshold, target, { id: purchase.id, amountCents: purchase.amountCents, ...method }, 'An automatic credit purchase was interrupted and resumed.');
}

/**
 * A purchase whose store or installation went away before it was delivered: whatever it charged
 * is refunded and recorded. A charge the holder may have made without recording it (it died right
 * after the processor answered) is asked again with its key, which answers that charge (or takes
 * it now), so that it can be refunded: only the processor knows whether it happened.
 */
async function refundUndeliverable(ctx: AppContext, threshold: SpendThreshold, purchase: UnfinishedPurchase, method: { readonly source: string } | undefined): Promise<RecoveredPurchase> {
  const { id, amountCents } = purchase;
  const invoice = await findInvoiceBySourceKey(ctx.db, id);
  const entry = { teamId: threshold.teamId, storeId: threshold.storeId, amountCents, paymentMethodId: purchase.paymentMethodId, billingPlanId: threshold.billingPlanId };
  let chargeReference = invoice?.chargeReference ?? null;
  if (!invoice && method) {
    const charged = await ctx.payments.charge({ methodSource: method.source, amountCents, idempotencyKey: `${id}:charge` });
    if (charged.ok) {
      chargeReference = charged.reference;
      await appendLedgerEntry(ctx.db, { ...entry, kind: 'charge', reference: charged.reference, operationKey: `${id}:charge`, memo: 'automatic purchase of prepaid credits, interrupted', createdAt: ctx.now() });
    }
  }
  if (chargeReference === null) {
    await settleThresholdPurchase(ctx.db, id, { state: 'declined', reason: 'interrupted before its charge; nothing to deliver to' }, ctx.now());
    return 'declined';
  }
  const { reference } = await ctx.payments.refund({ chargeReference, amountCents, idempotencyKey: `${id}:refund` });
  await recordInvoiceRefund(ctx, invoice, {
    ...entry,
    kind: 'refund',
    reference,
    operationKey: `${id}:refund`,
    memo: `refund of ${chargeReference}: the purchase could not be delivered`,
    createdAt: ctx.now(),
  });
  await settleThresholdPurchase(ctx.db, id, { state: 'refunded', invoiceId: invoice?.id ?? null, reason: 'interrupted; nothing to deliver to' }, ctx.now());
  return 'refunded';
}

interface PurchaseInProgress {
  readonly id: string;
  readonly amountCents: number;
  readonly methodId: string;
  readonly source: string;
}

/** Charge, invoice, Provision Purchase, credit; or, where a step fails, nothing kept that was not delivered. */
async function carryOut(ctx: AppContext, threshold: SpendThreshold, target: PurchaseTarget, purchase: PurchaseInProgress, low: string): Promise<RecoveredPurchase> {
  const { installation, integration, store } = target;
  const { id, amountCents } = purchase;
  const charged = await ctx.payments.charge({ methodSource: purchase.source, amountCents, idempotencyKey: `${id}:charge` });
  if (!charged.ok) {
    await settleThresholdPurchase(ctx.db, id, { state: 'declined', reason: charged.message }, ctx.now());
    await failed(ctx, threshold, `${low} The payment of $${formatCents(amountCents)} was declined: ${andStopped(charged.message)}`);
    return 'declined';
  }
  // Testers' kill point: the card is charged, nothing of it recorded, the partner not told.
  await pauseAt('top-up-after-charge');

  const billingPlan = store ? store.billingPlan : { id: threshold.billingPlanId, name: threshold.billingPlanId };
  const entry = {
    teamId: threshold.teamId,
    storeId: threshold.storeId,
    amountCents,
    paymentMethodId: purchase.methodId,
    billingPlanId: billingPlan.id,
    createdAt: ctx.now(),
  };
  const what = store ? `store ${store.name}` : `installation ${installation.id}`;
  const invoice = await recordPaidCreditInvoice(ctx, {
    sourceKey: id,
    buyer: { teamId: threshold.teamId, installationId: installation.id, integrationId: installation.integrationId, billingPlan },
    storeId: threshold.storeId,
    memo: `Automatic purchase of prepaid credits for ${what} (threshold ${threshold.id})`,
    paymentMethodId: purchase.methodId,
    amountCents,
    chargeReference: charged.reference,
    ledger: { ...entry, kind: 'charge', reference: charged.reference, operationKey: `${id}:charge`, memo: `automatic purchase of prepaid credits for ${what}` },
  });

  if (invoice.state === 'refunded') {
    // A resumed purchase whose refund was recorded before the crash: the partner must not credit it now.
    await settleThresholdPurchase(ctx.db, id, { state: 'refunded', invoiceId: invoice.id }, ctx.now());
    await failed(ctx, threshold, `${low} The purchase of $${formatCents(amountCents)} had already been refunded; the provider was not asked again. ${STOPPED}`);
    return 'refunded';
  }
  const partner = providerFor(ctx.partners, ctx.providerBaseUrl, integration);
  try {
    await provisionCreditInvoice(ctx, partner, { accountId: threshold.teamId }, invoice, { resourceId: threshold.resourceId, storeId: threshold.storeId });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const { reference } = await ctx.payments.refund({ chargeReference: charged.reference, amountCents, idempotencyKey: `${id}:refund` });
    await recordInvoiceRefund(ctx, invoice, {
      ...entry,
      kind: 'refund',
      reference,
      operationKey: `${id}:refund`,
      memo: `refund of ${charged.reference}: the provider did not take the credit purchase`,
      createdAt: ctx.now(),
    });
    await settleThresholdPurchase(ctx.db, id, { state: 'refunded', invoiceId: invoice.id, reason }, ctx.now());
    await failed(ctx, threshold, `${low} The provider did not take the purchase of $${formatCents(amountCents)}, which was refunded: ${andStopped(reason)}`);
    return 'refunded';
  }
  await appendLedgerEntry(ctx.db, { ...entry, kind: 'credit', operationKey: `${id}:credit`, memo: `prepaid credits for ${what}, bought automatically`, invoiceId: invoice.id, createdAt: ctx.now() });
  await settleThresholdPurchase(ctx.db, id, { state: 'delivered', invoiceId: invoice.id }, ctx.now());
  return 'delivered';
}

/** What a failed purchase's notification adds: the threshold stops (`stoppedSince`) until someone acts. */
const STOPPED = 'No automatic purchase will be made again until the threshold is set again or the next month begins.';

function andStopped(reason: string): string {
  return `${/[.!?]$/.test(reason) ? reason : `${reason}.`} ${STOPPED}`;
}

function failed(ctx: AppContext, threshold: SpendThreshold, message: string): Promise<void> {
  return notify(ctx, threshold, { level: 'error', title: 'Automatic credit purchase failed', message });
}

/** Tells the team on the store (or the installation), where Vercel's dashboard shows a partner's notification. */
async function notify(ctx: AppContext, threshold: SpendThreshold, notification: Notification): Promise<void> {
  const text = JSON.stringify(notification);
  if (threshold.storeId !== null) await setLiveStoreNotification(ctx.db, threshold.storeId, text, ctx.now());
  else await updateInstallationPartnerFields(ctx.db, threshold.installationId, { notification: text }, ctx.now());
  ctx.logger.info({ threshold: threshold.id, installation: threshold.installationId, title: notification.title }, 'spend threshold notification');
}
