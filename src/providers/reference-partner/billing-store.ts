import type { Kysely, Selectable } from 'kysely';
import type { BilledResource } from './billing.js';
import type { InvoiceTable, PartnerTables } from './tables.js';

/** The installation's resources that existed at or after `since` (deleted ones included), oldest first. */
export async function listBilledResources(db: Kysely<PartnerTables>, installationId: string, since: number): Promise<BilledResource[]> {
  const rows = await db
    .selectFrom('ref_partner_resources')
    .select(['id', 'name', 'billing_plan_id', 'metadata', 'created_at', 'deleted_at'])
    .where('installation_id', '=', installationId)
    .where((eb) => eb.or([eb('deleted_at', 'is', null), eb('deleted_at', '>', since)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    billingPlanId: row.billing_plan_id,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  }));
}

/** Live resource names of an installation (the uninstall hooks read them). */
export async function liveResourceNames(db: Kysely<PartnerTables>, installationId: string): Promise<string[]> {
  const rows = await db.selectFrom('ref_partner_resources').select('name').where('installation_id', '=', installationId).where('deleted_at', 'is', null).execute();
  return rows.map((r) => r.name);
}

/** Credit bought per resource of the installation (Provision Purchase, `credit-purchases.ts`), cents. */
export async function creditByResource(db: Kysely<PartnerTables>, installationId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('ref_partner_credit_purchases')
    .select(['resource_id', (eb) => eb.fn.sum<number | string>('amount_cents').as('cents')])
    .where('installation_id', '=', installationId)
    .groupBy('resource_id')
    .execute();
  return new Map(rows.map((r) => [r.resource_id, Number(r.cents)]));
}

export interface StoredInvoice {
  readonly id: string;
  readonly installationId: string;
  readonly resourceId: string;
  readonly billingPlanId: string;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly totalCents: number;
  readonly state: string;
  readonly invoiceId: string | null;
  readonly testResult: string | null;
}

/** Notes the invoice of a resource and period before it is submitted; true when it is new. */
export async function claimInvoice(db: Kysely<PartnerTables>, invoice: Omit<StoredInvoice, 'state' | 'invoiceId'>, now: number): Promise<boolean> {
  const result = await db
    .insertInto('ref_partner_invoices')
    .values({
      id: invoice.id,
      installation_id: invoice.installationId,
      resource_id: invoice.resourceId,
      billing_plan_id: invoice.billingPlanId,
      period_start: invoice.periodStart,
      period_end: invoice.periodEnd,
      total_cents: invoice.totalCents,
      state: 'submitting',
      invoice_id: null,
      test_result: invoice.testResult,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['resource_id', 'period_start']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Invoices in a given local state, oldest first. */
export async function listInvoicesInState(db: Kysely<PartnerTables>, installationId: string, states: readonly string[]): Promise<StoredInvoice[]> {
  if (states.length === 0) return [];
  const rows = await db.selectFrom('ref_partner_invoices').selectAll().where('installation_id', '=', installationId).where('state', 'in', [...states]).orderBy('created_at').orderBy('id').execute();
  return rows.map(toStoredInvoice);
}

export async function findInvoiceByStockroomId(db: Kysely<PartnerTables>, invoiceId: string): Promise<StoredInvoice | undefined> {
  const row = await db.selectFrom('ref_partner_invoices').selectAll().where('invoice_id', '=', invoiceId).executeTakeFirst();
  return row ? toStoredInvoice(row) : undefined;
}

export async function listInvoices(db: Kysely<PartnerTables>, installationId: string): Promise<StoredInvoice[]> {
  const rows = await db.selectFrom('ref_partner_invoices').selectAll().where('installation_id', '=', installationId).orderBy('period_start').orderBy('id').execute();
  return rows.map(toStoredInvoice);
}

export async function updateInvoice(db: Kysely<PartnerTables>, id: string, changes: { readonly state: string; readonly invoiceId?: string }, now: number): Promise<void> {
  await db
    .updateTable('ref_partner_invoices')
    .set({ state: changes.state, ...(changes.invoiceId === undefined ? {} : { invoice_id: changes.invoiceId }), updated_at: now })
    .where('id', '=', id)
    .execute();
}

function toStoredInvoice(row: Selectable<InvoiceTable>): StoredInvoice {
  return {
    id: row.id,
    installationId: row.installation_id,
    resourceId: row.resource_id,
    billingPlanId: row.billing_plan_id,
    periodStart: Number(row.period_start),
    periodEnd: Number(row.period_end),
    totalCents: Number(row.total_cents),
    state: row.state,
    invoiceId: row.invoice_id,
    testResult: row.test_result,
  };
}

/**
 * Records one delivery of a webhook event. The first delivery of an id stores it; later ones only
 * count. Returns the deliveries seen so far and whether the event was already acted on.
 */
export async function recordWebhookDelivery(
  db: Kysely<PartnerTables>,
  event: { readonly id: string; readonly type: string; readonly installationId: string | null; readonly payload: unknown },
  now: number,
): Promise<{ readonly deliveries: number; readonly processed: boolean }> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ref_partner_webhook_events')
      .values({ id: event.id, type: event.type, installation_id: event.installationId, payload: JSON.stringify(event.payload ?? null), deliveries: 0, processed_at: null, created_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await trx.updateTable('ref_partner_webhook_events').set((eb) => ({ deliveries: eb('deliveries', '+', 1) })).where('id', '=', event.id).execute();
    const row = await trx.selectFrom('ref_partner_webhook_events').select(['deliveries', 'processed_at']).where('id', '=', event.id).executeTakeFirstOrThrow();
    return { deliveries: Number(row.deliveries), processed: row.processed_at !== null };
  });
}

/** Marks the event acted on; true for the one caller that did so first. */
export async function markWebhookProcessed(db: Kysely<PartnerTables>, id: string, now: number): Promise<boolean> {
  const result = await db.updateTable('ref_partner_webhook_events').set({ processed_at: now }).where('id', '=', id).where('processed_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
