import type { Kysely } from 'kysely';
import { createdAt, createdUpdatedAndDeletedAt, idPrimaryKey, optionalText, requiredText, teamIdReference } from './columns.js';
import { uniqueAmongLiveRows } from './indexes.js';

// Keys, installations, payment methods and the ledger: what the create-store endpoint reads.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .$call(requiredText('public_jwk', 'private_jwk_sealed'))
    .$call(createdAt)
    .execute();

  await db.schema
    .createTable('installations')
    .$call(idPrimaryKey)
    .$call(teamIdReference)
    .$call(requiredText('integration_id', 'user_id', 'scopes'))
    /** SHA-256 of the access token the provider uses to call Stockroom back. */
    .addColumn('access_token_hash', 'text', (c) => c.notNull().unique())
    .$call(requiredText('source', 'status'))
    .$call(createdUpdatedAndDeletedAt)
    .execute();
  // One live installation of an integration per team, enforced by the database for replicas.
  await uniqueAmongLiveRows(db, 'installations_team_integration_live', 'installations', ['team_id', 'integration_id']).execute();
  await db.schema.createIndex('installations_team_idx').on('installations').columns(['team_id', 'created_at']).execute();

  await db.schema
    .createTable('payment_methods')
    .$call(idPrimaryKey)
    .$call(teamIdReference)
    /** The built-in test method it behaves like (`pm_card_visa`, `pm_card_chargeDeclined`…). */
    .$call(requiredText('source', 'brand', 'last4'))
    .$call(createdAt)
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('payment_methods_team_idx').on('payment_methods').columns(['team_id', 'created_at']).execute();

  await db.schema.alterTable('teams').addColumn('default_payment_method_id', 'text').execute();

  // Append-only: rows are inserted, never updated or deleted (docs/rules.md §3).
  await db.schema
    .createTable('ledger_entries')
    .$call(idPrimaryKey)
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text')
    /** authorization | charge | refund | credit */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .$call(optionalText('payment_method_id', 'billing_plan_id'))
    /** The processor's reference (charge id) or, for a refund, the charge it reverses. */
    .addColumn('reference', 'text')
    /** Makes each money movement happen once even when a step is retried or recovered. */
    .addColumn('operation_key', 'text', (c) => c.notNull().unique())
    .addColumn('memo', 'text')
    .$call(createdAt)
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
