import type { Kysely } from 'kysely';
import { createdAndUpdatedAt, createdAt, idPrimaryKey, optionalText, requiredText } from '../../../db/migrations/columns.js';

// The partner calls Stockroom back now (issue 15, item 7), so it must hold the installation's
// access token itself, sealed with its secret box, instead of the SHA-256 that 0003 kept. A hash
// cannot be turned back into the token: rows written before this migration get a null token and
// simply cannot call back until Stockroom upserts the installation again (a re-install, or a
// credentials rotation that pushes the new token). Nothing else about them changes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ref_partner_installations').addColumn('access_token', 'text').execute();
  await db.schema.alterTable('ref_partner_installations').dropColumn('access_token_hash').execute();
  // The start of the last hour whose usage was reported (epoch ms); null before the first report.
  await db.schema.alterTable('ref_partner_installations').addColumn('usage_reported_at', 'bigint').execute();
  // Uninstall answered `{finalized:false}`: `pending` until Finalize Installation is sent,
  // `held` never sent (the `unfinalized` hook), `done` once sent.
  await db.schema.alterTable('ref_partner_installations').addColumn('finalization', 'text').execute();

  // One invoice per resource and period (Vercel's rule), submitted to Stockroom.
  await db.schema
    .createTable('ref_partner_invoices')
    .$call(idPrimaryKey)
    .$call(requiredText('installation_id', 'resource_id', 'billing_plan_id'))
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('period_end', 'bigint', (c) => c.notNull())
    .addColumn('total_cents', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .$call(optionalText('invoice_id', 'test_result'))
    .$call(createdAndUpdatedAt)
    .addUniqueConstraint('ref_partner_invoices_resource_period_key', ['resource_id', 'period_start'])
    .execute();
  await db.schema.createIndex('ref_partner_invoices_invoice_idx').on('ref_partner_invoices').column('invoice_id').execute();

  // Every webhook event received, once per event id (deliveries counts the attempts seen).
  await db.schema
    .createTable('ref_partner_webhook_events')
    .$call(idPrimaryKey)
    .$call(requiredText('type', 'payload'))
    .addColumn('installation_id', 'text')
    .addColumn('deliveries', 'integer', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .$call(createdAt)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ref_partner_webhook_events').execute();
  await db.schema.dropTable('ref_partner_invoices').execute();
  await db.schema.alterTable('ref_partner_installations').dropColumn('finalization').execute();
  await db.schema.alterTable('ref_partner_installations').dropColumn('usage_reported_at').execute();
  await db.schema.alterTable('ref_partner_installations').dropColumn('access_token').execute();
  await db.schema.alterTable('ref_partner_installations').addColumn('access_token_hash', 'text', (c) => c.notNull().defaultTo('')).execute();
}
