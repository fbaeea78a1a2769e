import type { Kysely } from 'kysely';
import { createdAt, requiredText } from '../../../db/migrations/columns.js';

/**
 * The prepaid credit purchases Stockroom reported with Provision Purchase, one row per invoice,
 * so a repeated call credits nothing twice; a resource's balance is the sum of its rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ref_partner_credit_purchases')
    .addColumn('invoice_id', 'text', (c) => c.primaryKey())
    .$call(requiredText('installation_id', 'resource_id'))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .$call(createdAt)
    .execute();
  await db.schema.createIndex('ref_partner_credit_purchases_resource_idx').on('ref_partner_credit_purchases').columns(['installation_id', 'resource_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ref_partner_credit_purchases').execute();
}
