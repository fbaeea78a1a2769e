import type { Kysely } from 'kysely';

/**
 * Fixed-window request counters, shared by the replicas of one PostgreSQL (docs/rules.md §7). One
 * row per token, endpoint group and window; SQLite deployments count in memory and leave it empty.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'text', (c) => c.notNull())
    /** Start of the window (epoch ms). */
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counters_pk', ['key', 'window_start'])
    .execute();
  await db.schema.createIndex('rate_limit_counters_window_idx').on('rate_limit_counters').columns(['window_start']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').execute();
}
