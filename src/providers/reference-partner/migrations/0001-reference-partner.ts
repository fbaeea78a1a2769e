import type { Kysely } from 'kysely';

// Migrations take Kysely<any> and import no app code, so they stay frozen in time. Only types
// that both SQLite and PostgreSQL know (text, integer, bigint) are used.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ref_partner_installations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('accepted_policies', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('access_token', 'text', (c) => c.notNull())
    .addColumn('token_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();

  await db.schema
    .createTable('ref_partner_resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('installation_id', 'text', (c) => c.notNull().references('ref_partner_installations.id'))
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('billing_plan_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ready_at', 'bigint')
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('previous_secrets_expire_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  // Lists and the free-plan quota read the live resources of one installation.
  await db.schema
    .createIndex('ref_partner_resources_installation_idx')
    .on('ref_partner_resources')
    .columns(['installation_id', 'billing_plan_id'])
    .execute();

  await db.schema
    .createTable('ref_partner_idempotency_keys')
    .addColumn('installation_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ref_partner_idempotency_keys_pk', ['installation_id', 'key'])
    .execute();
  await db.schema
    .createIndex('ref_partner_idempotency_keys_created_idx')
    .on('ref_partner_idempotency_keys')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ref_partner_idempotency_keys').execute();
  await db.schema.dropTable('ref_partner_resources').execute();
  await db.schema.dropTable('ref_partner_installations').execute();
}
