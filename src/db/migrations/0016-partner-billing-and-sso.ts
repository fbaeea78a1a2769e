import type { Kysely } from 'kysely';
import { createdAt, idPrimaryKey, optionalText, requiredText } from './columns.js';

/**
 * What partners report about billing (Submit Billing Data, Submit Prepayment Balances), the
 * uninstall's wait for final invoices (`{finalized:false}`), and the one-time codes of SSO
 * ("Open in provider"). docs/partner-billing-and-sso.md says what each row means.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
  /** Epoch ms until which an uninstalled installation's partner may still send billing calls; null when it never waited. */
  await db.schema.alterTable('installations').addColumn('finalize_by', 'bigint').execute();
  /** Epoch ms when the wait ended (Finalize Installation, or `finalize_by` passed); null while waiting or never waited. */
  await db.schema.alterTable('installations').addColumn('finalized_at', 'bigint').execute();
  await db.schema.createIndex('installations_finalize_by_idx').on('installations').columns(['finalized_at', 'finalize_by']).execute();

  /** Every Submit Billing Data as received: the billing items (interim invoicing data) and usage, JSON. */
  await db.schema
    .createTable('billing_submissions')
    .$call(idPrimaryKey)
    .$call(requiredText('installation_id', 'team_id'))
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('eod', 'bigint', (c) => c.notNull())
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('period_end', 'bigint', (c) => c.notNull())
    /** `{items, discounts}` JSON text. */
    .$call(requiredText('billing', 'usage'))
    .$call(createdAt)
    .execute();
  await db.schema.createIndex('billing_submissions_installation_idx').on('billing_submissions').columns(['installation_id', 'created_at']).execute();

  /** The latest value of each usage metric of a resource (`resource_id` '' for the installation). */
  await db.schema
    .createTable('resource_usage')
    .$call(requiredText('installation_id', 'resource_id', 'name', 'type', 'units'))
    .addColumn('day_value', 'double precision', (c) => c.notNull())
    .addColumn('period_value', 'double precision', (c) => c.notNull())
    .addColumn('plan_value', 'double precision')
    .addColumn('eod', 'bigint', (c) => c.notNull())
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('period_end', 'bigint', (c) => c.notNull())
    /** The submission's `timestamp`: an older submission arriving late does not overwrite a newer value. */
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_usage_pk', ['installation_id', 'resource_id', 'name'])
    .execute();

  // Prepayment balances live in migration 0014's `prepayment_balances`, with the ones Provision Purchase answers.

  /** One-time SSO codes: only the hash is kept; the code itself travels once, in the redirect. */
  await db.schema
    .createTable('sso_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .$call(requiredText('state', 'user_id', 'team_id', 'installation_id', 'integration_id', 'user_role'))
    .$call(optionalText('store_id', 'resource_id', 'project_id', 'invoice_id', 'nonce'))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .$call(createdAt)
    .execute();
  await db.schema.createIndex('sso_codes_expires_idx').on('sso_codes').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_codes').execute();
  await db.schema.dropTable('resource_usage').execute();
  await db.schema.dropTable('billing_submissions').execute();
  await db.schema.dropIndex('installations_finalize_by_idx').execute();
  for (const column of ['finalized_at', 'finalize_by']) await db.schema.alterTable('installations').dropColumn(column).execute();
}
