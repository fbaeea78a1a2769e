import type { Kysely } from 'kysely';
import { createdAndUpdatedAt, idPrimaryKey, optionalText, requiredText } from './columns.js';

/**
 * Invoices (docs/invoices.md): what a partner submits with Submit Invoice, and the paid invoice of
 * a prepaid credit purchase; which stores each one bills for, so the database refuses a second
 * invoice for one store, plan and period; the balances partners answer to Provision Purchase (and
 * report with Submit Prepayment Balances); and the ledger's link to the invoice a movement pays.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('invoices')
    .$call(idPrimaryKey)
    .$call(requiredText('installation_id', 'team_id', 'integration_id'))
    /** `partner` (Submit Invoice) or `prepayment` (a credit purchase Stockroom invoiced itself). */
    .$call(requiredText('kind'))
    /** pending | scheduled | issued | paid | notpaid | refund_requested | refunded. */
    .$call(requiredText('state'))
    /** The partner's own id, unique per installation. */
    .$call(optionalText('external_id'))
    /** What makes Stockroom's own invoices idempotent, e.g. `store_…:prepayment`. */
    .$call(optionalText('source_key'))
    /** 1 for a test-mode invoice: states move, no money does. */
    .addColumn('test', 'integer', (c) => c.notNull())
    /** `paid` or `notpaid`: the outcome a test-mode invoice asked for. */
    .$call(optionalText('test_result'))
    .addColumn('invoice_date', 'bigint', (c) => c.notNull())
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('period_end', 'bigint', (c) => c.notNull())
    .$call(optionalText('memo'))
    /** JSON text: the items and discounts as submitted (dates as ISO strings). */
    .$call(requiredText('items'))
    .$call(optionalText('discounts'))
    .addColumn('final', 'integer', (c) => c.notNull())
    .addColumn('total_cents', 'bigint', (c) => c.notNull())
    /** The method charged: the team's default when the invoice was issued. */
    .$call(optionalText('payment_method_id', 'charge_reference', 'notpaid_reason'))
    .addColumn('paid_at', 'bigint')
    .addColumn('refund_cents', 'bigint')
    .$call(optionalText('refund_reason', 'refund_reference'))
    .addColumn('refunded_at', 'bigint')
    /** Until when the issuer or refunder working on it holds the invoice; recovery waits for it. */
    .addColumn('claimed_until', 'bigint')
    .$call(createdAndUpdatedAt)
    .execute();
  await db.schema.createIndex('invoices_installation_external_id').on('invoices').columns(['installation_id', 'external_id']).unique().execute();
  await db.schema.createIndex('invoices_source_key').on('invoices').column('source_key').unique().execute();
  await db.schema.createIndex('invoices_state_claim_idx').on('invoices').columns(['state', 'claimed_until']).execute();

  await db.schema
    .createTable('invoice_resources')
    .$call(requiredText('invoice_id', 'installation_id', 'store_id', 'billing_plan_id'))
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('period_end', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_resources_pkey', ['invoice_id', 'store_id', 'billing_plan_id'])
    .execute();
  /** One invoice per resource, plan and period: a second one racing the first meets this. */
  await db.schema.createIndex('invoice_resources_period').on('invoice_resources').columns(['store_id', 'billing_plan_id', 'period_start']).unique().execute();

  await db.schema
    .createTable('prepayment_balances')
    .$call(requiredText('installation_id', 'team_id'))
    /** The partner's resource id, or '' for a balance of the whole installation. */
    .$call(requiredText('resource_key'))
    .$call(optionalText('store_id'))
    .addColumn('currency_value_in_cents', 'bigint', (c) => c.notNull())
    /** The partner's own figures, as given (`credit`, `nameLabel`). */
    .$call(optionalText('credit', 'name_label'))
    /** `provision-purchase` or `balance-report`: which call answered it. */
    .$call(requiredText('source'))
    .$call(optionalText('invoice_id'))
    /** The partner's `timestamp` of the figures; an older report never replaces a newer one. */
    .addColumn('reported_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('prepayment_balances_pkey', ['installation_id', 'resource_key'])
    .execute();
  await db.schema.createIndex('prepayment_balances_store_idx').on('prepayment_balances').column('store_id').execute();

  await db.schema.alterTable('ledger_entries').addColumn('invoice_id', 'text').execute();
  await db.schema.createIndex('ledger_entries_invoice_idx').on('ledger_entries').column('invoice_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ledger_entries_invoice_idx').execute();
  await db.schema.alterTable('ledger_entries').dropColumn('invoice_id').execute();
  await db.schema.dropTable('prepayment_balances').execute();
  await db.schema.dropTable('invoice_resources').execute();
  await db.schema.dropTable('invoices').execute();
}
