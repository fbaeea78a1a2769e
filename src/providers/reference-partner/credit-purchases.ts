import type { Kysely } from 'kysely';
import { parseUsdToCents, MoneyFormatError } from '../../domain/money.js';
import { prepaidBalance } from './billing.js';
import { PartnerError, validationError } from '../partner-kit/errors.js';
import type { PurchaseAnswer } from '../partner-kit/partner-api.js';
import { failsOnPurchase } from './hooks.js';
import { findLiveInstallation } from './installation-store.js';
import type { PartnerContext } from './options.js';
import { findLiveResource } from './resource-store.js';
import type { PartnerTables } from './tables.js';

/** What the partner reads of an invoice: Get Invoice's answer (partner-api.md §1.5), in part. */
export interface InvoiceView {
  readonly state: string;
  /** USD decimal, e.g. "25.00". */
  readonly total: string;
  readonly items: ReadonlyArray<{ readonly resourceId?: string }>;
}

/**
 * How the partner reads an invoice of Vercel's side: Stockroom's Get Invoice with the installation's
 * access token (`httpInvoiceReader`); a test may hand in another reader.
 */
export type InvoiceReader = (installationId: string, invoiceId: string) => Promise<InvoiceView | undefined>;

/**
 * Provision Purchase (partner-api.md §1.1 #15), as the example partner does it: reads the invoice,
 * requires it `paid`, credits its total to the resource its item names, once per invoice, and
 * answers the resource's balance.
 */
export async function provisionPurchase(ctx: PartnerContext, installationId: string, invoiceId: string): Promise<PurchaseAnswer> {
  if (!(await findLiveInstallation(ctx.db, installationId))) throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
  if (!ctx.readInvoice) throw new PartnerError('forbidden', 'This reference partner cannot read invoices: it was mounted without an invoice reader.');
  const invoice = await ctx.readInvoice(installationId, invoiceId);
  if (!invoice) throw validationError([{ key: 'invoiceId', message: `invoice ${invoiceId} was not found` }]);
  if (invoice.state !== 'paid') throw validationError([{ key: 'invoiceId', message: `invoice ${invoiceId} is ${invoice.state}, not paid` }]);
  const resourceId = invoice.items.find((item) => item.resourceId !== undefined)?.resourceId;
  const resource = resourceId === undefined ? undefined : await findLiveResource(ctx.db, ctx.secretBox, installationId, resourceId);
  if (resourceId === undefined || !resource) {
    throw validationError([{ key: 'invoiceId', message: `invoice ${invoiceId} names no resource of this installation` }]);
  }
  if (failsOnPurchase(resource.name)) throw new PartnerError('conflict', `Test hook fail-purchase: the partner refused the purchase of invoice ${invoiceId}.`);
  let cents: number;
  try {
    cents = parseUsdToCents(invoice.total);
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    throw validationError([{ key: 'invoiceId', message: `invoice ${invoiceId} has no readable total` }]);
  }
  const now = ctx.now();
  await recordPurchase(ctx.db, { invoiceId, installationId, resourceId, cents, now });
  // The balance the hourly report will give too: credit bought, less what the resource used so far.
  const balance = prepaidBalance({ ...resource, deletedAt: null }, await balanceOf(ctx.db, installationId, resourceId), now);
  return { timestamp: new Date(now).toISOString(), balances: [balance] };
}

/** Records one purchase, once per invoice: a repeated call credits nothing twice. */
export async function recordPurchase(db: Kysely<PartnerTables>, p: { invoiceId: string; installationId: string; resourceId: string; cents: number; now: number }): Promise<void> {
  await db
    .insertInto('ref_partner_credit_purchases')
    .values({ invoice_id: p.invoiceId, installation_id: p.installationId, resource_id: p.resourceId, amount_cents: p.cents, created_at: p.now })
    .onConflict((oc) => oc.column('invoice_id').doNothing())
    .execute();
}

/** The credits bought for a resource, in cents. */
export async function balanceOf(db: Kysely<PartnerTables>, installationId: string, resourceId: string): Promise<number> {
  const row = await db
    .selectFrom('ref_partner_credit_purchases')
    .select((eb) => eb.fn.sum<number | string | null>('amount_cents').as('total'))
    .where('installation_id', '=', installationId)
    .where('resource_id', '=', resourceId)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}
