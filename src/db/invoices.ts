import type { Dialect } from './database.js';
import { lockedForUpdate } from './row-locks.js';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { invoiceEventPayload, type BilledResource, type Invoice, type InvoiceDiscount, type InvoiceEventType, type InvoiceKind, type InvoiceLine, type InvoiceState } from '../domain/invoices.js';
import type { NewLedgerEntry } from '../domain/ledger.js';
import { isUniqueViolation } from './errors.js';
import { appendLedgerEntry } from './ledger.js';
import type { DB, InvoicesTable, PrepaymentBalancesTable } from './schema.js';
import { enqueueWebhookEvent } from './webhook-outbox.js';

/**
 * The invoices (docs/invoices.md) and the prepayment balances partners report. Every change of an
 * invoice's state is one transaction with the ledger row of the money it moved and the webhook
 * event that announces it, so the three are stored together or not at all.
 */

export function invoiceFromRow(row: Selectable<InvoicesTable>): Invoice {
  return {
    kind: row.kind as InvoiceKind,
    state: row.state as InvoiceState,
    id: row.id,
    installationId: row.installation_id,
    teamId: row.team_id,
    integrationId: row.integration_id,
    externalId: row.external_id,
    test: row.test === 1,
    testResult: row.test_result as Invoice['testResult'],
    invoiceDate: row.invoice_date,
    period: { start: row.period_start, end: row.period_end },
    memo: row.memo,
    items: JSON.parse(row.items) as InvoiceLine[],
    discounts: row.discounts === null ? null : (JSON.parse(row.discounts) as InvoiceDiscount[]),
    final: row.final === 1,
    totalCents: row.total_cents,
    paymentMethodId: row.payment_method_id,
    chargeReference: row.charge_reference,
    notpaidReason: row.notpaid_reason,
    paidAt: row.paid_at,
    refundCents: row.refund_cents,
    refundReason: row.refund_reason,
    refundedAt: row.refunded_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewInvoice {
  readonly invoice: Invoice;
  /** Makes Stockroom's own invoices idempotent (`store_…:prepayment`). */
  readonly sourceKey?: string;
  /** The stores and plans it bills, over its period. */
  readonly billed: ReadonlyArray<{ readonly storeId: string; readonly billingPlanId: string }>;
  /** Until when the caller holds it to issue it. */
  readonly claimedUntil: number | null;
}

export type InsertInvoiceOutcome =
  | { readonly inserted: true; readonly invoice: Invoice }
  | { readonly inserted: false; readonly conflict: 'externalId' | 'period' | 'sourceKey'; readonly existing: Invoice | undefined };

/**
 * Stores a new invoice, what it bills, and its `marketplace.invoice.created` event, in one
 * transaction. Refused (nothing stored) when the installation already has an invoice with its
 * `externalId`, or an invoice bills one of its stores on the same plan over an overlapping period
 * (docs/invoices.md); the unique indexes settle two requests racing each other. `settled` stores
 * an invoice born settled (a prepayment paid before it was written) with its ledger row and event.
 */
export async function insertInvoice(
  db: Kysely<DB>,
  dialect: Dialect,
  input: NewInvoice,
  settled?: { readonly ledger: NewLedgerEntry; readonly event: InvoiceEventType },
): Promise<InsertInvoiceOutcome> {
  const { invoice } = input;
  const clash = await findClash(db, input);
  if (clash) return clash;
  try {
    await db.transaction().execute(async (trx) => {
      // Overlapping periods have no unique index to settle a race: the billed stores' rows are
      // locked (PostgreSQL; SQLite runs one writer at a time) and the overlap checked again here.
      const storeIds = [...new Set(input.billed.map((b) => b.storeId))].sort();
      if (storeIds.length > 0) await lockedForUpdate(trx.selectFrom('stores').select('id').where('id', 'in', storeIds).orderBy('id'), dialect).execute();
      const raced = storeIds.length > 0 ? await findClash(trx, { ...input, sourceKey: undefined, invoice: { ...invoice, externalId: null } }) : undefined;
      if (raced) throw new InvoiceClash(raced);
      await trx.insertInto('invoices').values({ ...rowOf(invoice), source_key: input.sourceKey ?? null, claimed_until: input.claimedUntil }).execute();
      if (input.billed.length > 0) {
        await trx
          .insertInto('invoice_resources')
          .values(
            input.billed.map((b) => ({
              invoice_id: invoice.id,
              installation_id: invoice.installationId,
              store_id: b.storeId,
              billing_plan_id: b.billingPlanId,
              period_start: invoice.period.start,
              period_end: invoice.period.end,
            })),
          )
          .execute();
      }
      await enqueueInvoiceEvent(trx, invoice, 'marketplace.invoice.created', invoice.createdAt);
      // An invoice stored already settled (a paid prepayment): its money and its outcome too.
      if (settled) {
        await appendLedgerEntry(trx, settled.ledger);
        await enqueueInvoiceEvent(trx, invoice, settled.event, invoice.createdAt);
      }
    });
  } catch (error) {
    if (error instanceof InvoiceClash) return error.clash;
    if (!isUniqueViolation(error)) throw error;
    // Another request took the externalId or the period between the check and the insert.
    return (await findClash(db, input)) ?? { inserted: false, conflict: 'period', existing: undefined };
  }
  return { inserted: true, invoice };
}

/** Aborts `insertInvoice`'s transaction when a racing request stored an overlapping invoice first. */
class InvoiceClash extends Error {
  constructor(readonly clash: Extract<InsertInvoiceOutcome, { inserted: false }>) {
    super('invoice clash');
  }
}

/** What an invoice would clash with: its `externalId`, or another invoice of a store, plan and overlapping period. */
export interface ClashQuery {
  readonly invoice: Pick<Invoice, 'installationId' | 'externalId' | 'period'>;
  readonly sourceKey?: string;
  readonly billed: NewInvoice['billed'];
}

/** The stored invoice a new one would clash with (`insertInvoice` refuses it), if any. */
export async function findClash(db: Kysely<DB>, input: ClashQuery): Promise<Extract<InsertInvoiceOutcome, { inserted: false }> | undefined> {
  const { invoice } = input;
  if (input.sourceKey !== undefined) {
    const row = await db.selectFrom('invoices').selectAll().where('source_key', '=', input.sourceKey).executeTakeFirst();
    if (row) return { inserted: false, conflict: 'sourceKey', existing: invoiceFromRow(row) };
  }
  if (invoice.externalId !== null) {
    const row = await db.selectFrom('invoices').selectAll().where('installation_id', '=', invoice.installationId).where('external_id', '=', invoice.externalId).executeTakeFirst();
    if (row) return { inserted: false, conflict: 'externalId', existing: invoiceFromRow(row) };
  }
  for (const b of input.billed) {
    const overlap = await db
      .selectFrom('invoice_resources')
      .select('invoice_id')
      .where('store_id', '=', b.storeId)
      .where('billing_plan_id', '=', b.billingPlanId)
      .where('period_start', '<', invoice.period.end)
      .where('period_end', '>', invoice.period.start)
      .executeTakeFirst();
    if (overlap) return { inserted: false, conflict: 'period', existing: await findInvoice(db, overlap.invoice_id) };
  }
  return undefined;
}

function rowOf(invoice: Invoice) {
  return {
    id: invoice.id,
    installation_id: invoice.installationId,
    team_id: invoice.teamId,
    integration_id: invoice.integrationId,
    kind: invoice.kind,
    state: invoice.state,
    external_id: invoice.externalId,
    test: invoice.test ? 1 : 0,
    test_result: invoice.testResult,
    invoice_date: invoice.invoiceDate,
    period_start: invoice.period.start,
    period_end: invoice.period.end,
    memo: invoice.memo,
    items: JSON.stringify(invoice.items),
    discounts: invoice.discounts === null ? null : JSON.stringify(invoice.discounts),
    final: invoice.final ? 1 : 0,
    total_cents: invoice.totalCents,
    payment_method_id: invoice.paymentMethodId,
    charge_reference: invoice.chargeReference,
    notpaid_reason: invoice.notpaidReason,
    paid_at: invoice.paidAt,
    refund_cents: invoice.refundCents,
    refund_reason: invoice.refundReason,
    refund_reference: null,
    refunded_at: invoice.refundedAt,
    created_at: invoice.createdAt,
    updated_at: invoice.updatedAt,
  };
}

async function enqueueInvoiceEvent(db: Kysely<DB>, invoice: Invoice, type: InvoiceEventType, now: number): Promise<void> {
  await enqueueWebhookEvent(db, {
    installationId: invoice.installationId,
    teamId: invoice.teamId,
    integrationId: invoice.integrationId,
    type,
    payload: invoiceEventPayload(invoice, type),
    now,
  });
}

/** An invoice by id; with `installationId`, only that installation's (undefined for another's). */
export async function findInvoice(db: Kysely<DB>, id: string, installationId?: string): Promise<Invoice | undefined> {
  let query = db.selectFrom('invoices').selectAll().where('id', '=', id);
  if (installationId !== undefined) query = query.where('installation_id', '=', installationId);
  const row = await query.executeTakeFirst();
  return row ? invoiceFromRow(row) : undefined;
}

/** What one state change writes besides the invoice's row. */
export interface InvoiceTransition {
  readonly set: Updateable<InvoicesTable>;
  /** The money it moved; appended in the same transaction (its operation key makes it once). */
  readonly ledger?: NewLedgerEntry;
  /** The webhook that announces it, enqueued in the same transaction. */
  readonly event?: InvoiceEventType;
  readonly now: number;
}

/**
 * Moves the invoice from one of `from` to what `change.set` says, with its ledger row and event,
 * in one transaction. Returns the invoice as it now is, or undefined when it was no longer in
 * one of `from` (another issuer or refunder moved it first), and then nothing was written.
 */
export async function transitionInvoice(db: Kysely<DB>, id: string, from: readonly InvoiceState[], change: InvoiceTransition): Promise<Invoice | undefined> {
  return db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('invoices')
      .set({ ...change.set, updated_at: change.now })
      .where('id', '=', id)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n) return undefined;
    const invoice = invoiceFromRow(await trx.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    if (change.ledger) await appendLedgerEntry(trx, change.ledger);
    if (change.event) await enqueueInvoiceEvent(trx, invoice, change.event, change.now);
    return invoice;
  });
}

/**
 * Unsettled invoices (`UNSETTLED_STATES`) that nobody holds: their issuer or refunder died, or
 * gave up on an error. Oldest first.
 */
export async function listStalledInvoices(db: Kysely<DB>, states: readonly InvoiceState[], now: number, limit: number): Promise<Invoice[]> {
  const rows = await db
    .selectFrom('invoices')
    .selectAll()
    .where('state', 'in', [...states])
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map(invoiceFromRow);
}

/** Takes an unsettled invoice for this process until `until`; false when another holds it. */
export async function claimInvoice(db: Kysely<DB>, invoice: Invoice, now: number, until: number): Promise<boolean> {
  const result = await db
    .updateTable('invoices')
    .set({ claimed_until: until })
    .where('id', '=', invoice.id)
    .where('state', '=', invoice.state)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The invoices that bill a store, newest invoice date first. */
export async function listInvoicesOfStore(db: Kysely<DB>, storeId: string, limit: number): Promise<Invoice[]> {
  const rows = await db
    .selectFrom('invoices')
    .selectAll('invoices')
    .where('invoices.id', 'in', db.selectFrom('invoice_resources').select('invoice_id').where('store_id', '=', storeId))
    .orderBy('invoices.invoice_date', 'desc')
    .orderBy('invoices.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(invoiceFromRow);
}

/** One balance as a partner reports it (Provision Purchase's answer, Submit Prepayment Balances). */
export interface ReportedBalance {
  /** The partner's resource id; absent for the installation as a whole. */
  readonly resourceId?: string;
  /** The store of that resource, when Stockroom knows it. */
  readonly storeId?: string | null;
  readonly currencyValueInCents: number;
  readonly credit?: string;
  readonly nameLabel?: string;
}

export interface BalanceReport {
  readonly installationId: string;
  readonly teamId: string;
  readonly source: 'provision-purchase' | 'balance-report';
  readonly invoiceId?: string;
  /** The partner's `timestamp`, epoch ms. */
  readonly reportedAt: number;
  readonly balances: readonly ReportedBalance[];
  readonly now: number;
}

/**
 * Keeps the partner's balances, one row per installation and resource: a report replaces the
 * row unless the row holds a newer one (an older report arriving late changes nothing).
 */
export async function recordBalances(db: Kysely<DB>, report: BalanceReport): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const balance of report.balances) {
      const values = {
        team_id: report.teamId,
        store_id: balance.storeId ?? null,
        currency_value_in_cents: balance.currencyValueInCents,
        credit: balance.credit ?? null,
        name_label: balance.nameLabel ?? null,
        source: report.source,
        invoice_id: report.invoiceId ?? null,
        reported_at: report.reportedAt,
        updated_at: report.now,
      };
      await trx
        .insertInto('prepayment_balances')
        .values({ installation_id: report.installationId, resource_key: balance.resourceId ?? '', ...values })
        .onConflict((oc) => oc.columns(['installation_id', 'resource_key']).doUpdateSet(values).where('prepayment_balances.reported_at', '<=', report.reportedAt))
        .execute();
    }
  });
}

export interface StoredBalance {
  readonly resourceId: string | null;
  readonly currencyValueInCents: number;
  readonly credit: string | null;
  readonly nameLabel: string | null;
  readonly source: string;
  readonly invoiceId: string | null;
  readonly reportedAt: number;
}

/** The balances kept for a store's resource. */
export async function listBalancesOfStore(db: Kysely<DB>, storeId: string): Promise<StoredBalance[]> {
  const rows = await db.selectFrom('prepayment_balances').selectAll().where('store_id', '=', storeId).orderBy('resource_key').execute();
  return rows.map(storedBalanceOf);
}

/** Every balance kept for an installation: its resources' and its own (`resourceId` null). */
export async function listBalancesOfInstallation(db: Kysely<DB>, installationId: string): Promise<StoredBalance[]> {
  const rows = await db.selectFrom('prepayment_balances').selectAll().where('installation_id', '=', installationId).orderBy('resource_key').execute();
  return rows.map(storedBalanceOf);
}

/** The figure kept now for one resource of the installation (null: the installation's own), if any. */
export async function findBalanceCents(db: Kysely<DB>, installationId: string, resourceId: string | null): Promise<number | undefined> {
  const row = await db
    .selectFrom('prepayment_balances')
    .select('currency_value_in_cents')
    .where('installation_id', '=', installationId)
    .where('resource_key', '=', resourceId ?? '')
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.currency_value_in_cents);
}

function storedBalanceOf(r: Selectable<PrepaymentBalancesTable>): StoredBalance {
  return {
    resourceId: r.resource_key === '' ? null : r.resource_key,
    currencyValueInCents: r.currency_value_in_cents,
    credit: r.credit,
    nameLabel: r.name_label,
    source: r.source,
    invoiceId: r.invoice_id,
    reportedAt: r.reported_at,
  };
}

/** A store of the installation found by its partner resource id, in any lifecycle. */
export interface ResourceStoreRow {
  readonly id: string;
  readonly external_resource_id: string | null;
  readonly billing_plan: string;
  readonly lifecycle: string;
}

/** The installation's stores, in every lifecycle, whose partner resource id is one of `resourceIds`: one query. */
export async function findStoresOfResources(db: Kysely<DB>, installationId: string, resourceIds: readonly string[]): Promise<ResourceStoreRow[]> {
  if (resourceIds.length === 0) return [];
  return db
    .selectFrom('stores')
    .select(['id', 'external_resource_id', 'billing_plan', 'lifecycle'])
    .where('installation_id', '=', installationId)
    .where('external_resource_id', 'in', [...new Set(resourceIds)])
    .execute();
}

/**
 * The installation's stores among the partner resource ids, keyed by resource id: live ones and
 * deleted ones, which a partner still bills for the days they ran (a final invoice, also while an
 * uninstalled installation waits for it); never a row still being provisioned.
 */
export async function findBilledResources(db: Kysely<DB>, installationId: string, resourceIds: readonly string[]): Promise<Map<string, BilledResource>> {
  return billedResourcesOf(await findStoresOfResources(db, installationId, resourceIds));
}

/** `findBilledResources` from rows already read by `findStoresOfResources`. */
export function billedResourcesOf(rows: readonly ResourceStoreRow[]): Map<string, BilledResource> {
  const found = new Map<string, BilledResource>();
  const billed = rows.filter((row) => row.lifecycle !== 'provisioning');
  // A resource id a deleted store and a live one share (an import after a deletion) is the live one's.
  billed.sort((a, b) => Number(a.lifecycle === 'live') - Number(b.lifecycle === 'live'));
  for (const row of billed) {
    const plan = JSON.parse(row.billing_plan) as { id: string; type: string };
    if (row.external_resource_id !== null) found.set(row.external_resource_id, { storeId: row.id, billingPlan: { id: plan.id, type: plan.type } });
  }
  return found;
}

/** Stockroom's own invoice made for `sourceKey` (a store's prepayment), if any. */
export async function findInvoiceBySourceKey(db: Kysely<DB>, sourceKey: string): Promise<Invoice | undefined> {
  const row = await db.selectFrom('invoices').selectAll().where('source_key', '=', sourceKey).executeTakeFirst();
  return row ? invoiceFromRow(row) : undefined;
}

/** Replaces an invoice's items (a prepayment learns its resource id once the resource exists). */
export async function setInvoiceItems(db: Kysely<DB>, id: string, items: readonly InvoiceLine[], now: number): Promise<void> {
  await db.updateTable('invoices').set({ items: JSON.stringify(items), updated_at: now }).where('id', '=', id).execute();
}

/** The stores an invoice bills. */
export async function listStoresOfInvoice(db: Kysely<DB>, invoiceId: string): Promise<string[]> {
  const rows = await db.selectFrom('invoice_resources').select('store_id').where('invoice_id', '=', invoiceId).execute();
  return [...new Set(rows.map((r) => r.store_id))];
}
