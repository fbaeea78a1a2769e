import type { Kysely } from 'kysely';

// The status poller looks for live stores still `initializing` or `onboarding`, oldest check first
// (`lifecycle = 'live' AND status = ? AND updated_at <= ? ORDER BY updated_at`, once per status).
// The only index it could use was (lifecycle, updated_at), which made it read every live store:
// 100,000 stores took ~100 ms, on the event loop, every poll (issue 7). This one reads only the
// waiting stores, already in order, and SQLite picks it without needing table statistics.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('stores_status_updated_idx').on('stores').columns(['lifecycle', 'status', 'updated_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('stores_status_updated_idx').execute();
}
