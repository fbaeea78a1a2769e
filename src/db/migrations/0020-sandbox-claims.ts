import type { Kysely } from 'kysely';
import { createdAt, idPrimaryKey, optionalText, requiredText } from './columns.js';

/**
 * Claims of sandbox resources (`vercel integration resource claim`, docs/resources-and-sso-links.md):
 * one row per claim URL handed out, and when the partner made the store the team's own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('store_claims')
    .$call(idPrimaryKey)
    // No foreign key to stores: a claim outlives nothing it points at, and stores are soft-deleted.
    .$call(requiredText('store_id', 'team_id', 'installation_id', 'user_id', 'source'))
    /** Epoch ms after which the claim URL's sign-in code no longer works. */
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    /** Epoch ms when the partner changed the store's ownership from `sandbox`; null while open. */
    .addColumn('claimed_at', 'bigint')
    /** The ownership the partner set (`owned` or `linked`); null while open. */
    .$call(optionalText('claimed_ownership'))
    .$call(createdAt)
    .execute();
  await db.schema.createIndex('store_claims_store_idx').on('store_claims').columns(['store_id', 'claimed_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('store_claims').execute();
}
