import type { Kysely } from 'kysely';

// The webhook delivery pass (every second, on every replica) keeps an event back while an earlier
// event of its installation is still pending (`NOT EXISTS (… installation_id = ? AND sequence < ?
// AND state = 'pending')`). The only index for that was (installation_id, sequence), so each check
// read every earlier event of the installation, delivered ones included. With a partner down and
// 500 events waiting on each of 10 installations beside 5,000 delivered, one pass took ~137 ms on
// SQLite (on the event loop) and ~210 ms on PostgreSQL. With `state` before `sequence` the check
// is one index probe.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('webhook_events_installation_state_sequence_idx').on('webhook_events').columns(['installation_id', 'state', 'sequence']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('webhook_events_installation_state_sequence_idx').execute();
}
