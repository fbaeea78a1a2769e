import { sql, type Kysely } from 'kysely';

// Keys, installations, payment methods and the ledger: what the create-store endpoint reads.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('installations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('integration_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    /** SHA-256 of the access token the provider uses to call Stockroom back. */
    .addColumn('access_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  // One live installation of an integration per team, enforced by the database for replicas.
  await db.schema
    .createIndex('installations_team_integration_live')
    .on('installations')
    .columns(['team_id', 'integration_id'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema.createIndex('installations_team_idx').on('installations').columns(['team_id', 'created_at']).execute();

  await db.schema
    .createTable('payment_methods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    /** The built-in test method it behaves like (`pm_card_visa`, `pm_card_chargeDeclined`…). */
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('payment_methods_team_idx').on('payment_methods').columns(['team_id', 'created_at']).execute();

  await db.schema.alterTable('teams').addColumn('default_payment_method_id', 'text').execute();

  // Append-only: rows are inserted, never updated or deleted (semantics.md §3).
  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text')
    /** authorization | charge | refund | credit */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_method_id', 'text')
    .addColumn('billing_plan_id', 'text')
    /** The processor's reference (charge id) or, for a refund, the charge it reverses. */
    .addColumn('reference', 'text')
    /** Makes each money movement happen once even when a step is retried or recovered. */
    .addColumn('operation_key', 'text', (c) => c.notNull().unique())
    .addColumn('memo', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_team_idx').on('ledger_entries').columns(['team_id', 'created_at']).execute();
  await db.schema.createIndex('ledger_store_idx').on('ledger_entries').columns(['store_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['ledger_entries', 'payment_methods', 'installations', 'signing_keys']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('teams').dropColumn('default_payment_method_id').execute();
}
