import type { Kysely } from 'kysely';

// Asynchronous rotation (`rotation: 'async'`): Request Secrets Rotation answers 202 and the new
// secrets are pushed to Update Resource Secrets afterwards. The push that is due is a column of
// the resource, not a timer, so a push interrupted by a restart is made by the next process; a
// failed one is retried `secrets_push_attempts` times with backoff.
export async function up(db: Kysely<any>): Promise<void> {
  // When the resource's current secrets are next to be pushed (epoch ms); null when none is due.
  await db.schema.alterTable('ref_partner_resources').addColumn('secrets_push_due_at', 'bigint').execute();
  // Attempts made at the due push; 0 after each rotation.
  await db.schema.alterTable('ref_partner_resources').addColumn('secrets_push_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Counts rotations, so that a push of older secrets that ends after a newer rotation is known as
  // stale and the newer secrets are pushed again after it (several replicas push concurrently).
  await db.schema.alterTable('ref_partner_resources').addColumn('secrets_generation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('ref_partner_resources_secrets_push_idx').on('ref_partner_resources').column('secrets_push_due_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ref_partner_resources_secrets_push_idx').execute();
  await db.schema.alterTable('ref_partner_resources').dropColumn('secrets_generation').execute();
  await db.schema.alterTable('ref_partner_resources').dropColumn('secrets_push_attempts').execute();
  await db.schema.alterTable('ref_partner_resources').dropColumn('secrets_push_due_at').execute();
}
