import type { Kysely } from 'kysely';
import { createdAt, createdUpdatedAndDeletedAt, idPrimaryKey, requiredText } from '../../../db/migrations/columns.js';

// Migrations take Kysely<any> and import no app code but the column helpers (frozen too, guarded by
// test/db/schema-snapshot.test.ts), so they stay frozen in time. Only types
// that both SQLite and PostgreSQL know (text, integer, bigint) are used.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ref_partner_installations')
    .$call(idPrimaryKey)
    .$call(requiredText('scopes', 'accepted_policies', 'account', 'access_token', 'token_type'))
    .$call(createdUpdatedAndDeletedAt)
    .execute();

  await db.schema
    .createTable('ref_partner_resources')
    .$call(idPrimaryKey)
    .addColumn('installation_id', 'text', (c) => c.notNull().references('ref_partner_installations.id'))
    .$call(requiredText('product_id', 'name', 'metadata', 'billing_plan_id'))
    .addColumn('external_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ready_at', 'bigint')
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('previous_secrets_expire_at', 'bigint')
    .$call(createdUpdatedAndDeletedAt)
    .execute();
  // Lists and the free-plan quota read the live resources of one installation.
  await db.schema.createIndex('ref_partner_resources_installation_idx').on('ref_partner_resources').columns(['installation_id', 'billing_plan_id']).execute();

  await db.schema
    .createTable('ref_partner_idempotency_keys')
    .$call(requiredText('installation_id', 'key', 'fingerprint'))
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .$call(createdAt)
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
