import type { Kysely } from 'kysely';
import { createdAndUpdatedAt, idPrimaryKey, optionalText, requiredText } from './columns.js';

/**
 * Spend thresholds (automatic credit purchases) for prepaid stores and installations, and the
 * purchases they made. docs/balances-and-thresholds.md says what each row means.
 */
export async function up(db: Kysely<any>): Promise<void> {
  /** One threshold per store (`resource_key` = the partner's resource id) or installation (`''`). */
  await db.schema
    .createTable('spend_thresholds')
    .$call(idPrimaryKey)
    .$call(requiredText('installation_id', 'team_id', 'resource_key'))
    .$call(optionalText('store_id'))
    .$call(requiredText('billing_plan_id'))
    .addColumn('minimum_cents', 'bigint', (c) => c.notNull())
    .addColumn('purchase_cents', 'bigint', (c) => c.notNull())
    .addColumn('maximum_per_period_cents', 'bigint', (c) => c.notNull())
    /** The caller's `metadata` string, kept as sent (the CLI sends JSON text and reads it back). */
    .$call(requiredText('metadata'))
    /** Epoch ms until which one top-up holds the threshold; null when none runs. */
    .addColumn('purchasing_until', 'bigint')
    .$call(createdAndUpdatedAt)
    .execute();
  await db.schema.createIndex('spend_thresholds_target_idx').on('spend_thresholds').columns(['installation_id', 'resource_key']).unique().execute();

  /** Every automatic purchase a threshold started, and how it ended. */
  await db.schema
    .createTable('threshold_purchases')
    .$call(idPrimaryKey)
    .$call(requiredText('threshold_id', 'installation_id', 'team_id', 'resource_key'))
    .$call(optionalText('store_id'))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    /** `charging`, `declined`, `delivered` or `refunded`. */
    .$call(requiredText('state'))
    .$call(optionalText('invoice_id', 'payment_method_id', 'reason'))
    .$call(createdAndUpdatedAt)
    .execute();
  await db.schema.createIndex('threshold_purchases_threshold_idx').on('threshold_purchases').columns(['threshold_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('threshold_purchases').execute();
  await db.schema.dropTable('spend_thresholds').execute();
}
