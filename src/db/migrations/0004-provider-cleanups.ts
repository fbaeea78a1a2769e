import type { Kysely } from 'kysely';
import { createdAt, idPrimaryKey, requiredText } from './columns.js';

/**
 * Orphan mitigation that survives a restart (docs/rules.md §6): a resource a provider may have made
 * for a store that failed, to be found and deleted at the provider.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('provider_cleanups')
    .$call(idPrimaryKey)
    .addColumn('store_id', 'text', (c) => c.notNull().unique())
    .$call(requiredText('team_id', 'installation_id', 'integration_id', 'store_name'))
    .addColumn('resource_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .$call(createdAt)
    .addColumn('done_at', 'bigint')
    .execute();
  await db.schema.createIndex('provider_cleanups_due_idx').on('provider_cleanups').columns(['done_at', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('provider_cleanups').execute();
}
