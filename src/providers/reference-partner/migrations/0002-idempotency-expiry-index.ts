import type { Kysely } from 'kysely';

// Every Provision Resource forgets its installation's expired idempotency keys
// (`installation_id = ? AND created_at < ?`). The primary key's `installation_id` prefix made that
// delete read every key the installation ever recorded, a cost that grew with each resource; this
// index reads only the expired ones (issue 7).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('ref_partner_idempotency_keys_installation_created_idx')
    .on('ref_partner_idempotency_keys')
    .columns(['installation_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ref_partner_idempotency_keys_installation_created_idx').execute();
}
