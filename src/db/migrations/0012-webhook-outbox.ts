import type { Kysely } from 'kysely';
import { createdAt, idPrimaryKey, optionalText, requiredText } from './columns.js';

/**
 * The durable outbox of webhooks to partners (docs/webhooks.md): an event is a row written in the
 * same transaction as the change it reports, so a crash between the two loses neither. Delivery
 * reads the rows, in `sequence` order per installation, and records every attempt's outcome here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_events')
    .$call(idPrimaryKey)
    .$call(requiredText('installation_id', 'team_id', 'integration_id', 'type', 'payload'))
    /** 1, 2, 3… per installation: the order events are delivered in. */
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    /** pending | delivered | failed (given up after the last retry; a redeliver makes it pending again). */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    /** The HTTP status of the last attempt; null when it got no answer (refused, timed out). */
    .addColumn('last_status', 'integer')
    /** The last answer's start or the network error, for the delivery log. */
    .$call(optionalText('last_response'))
    .addColumn('delivered_at', 'bigint')
    .$call(createdAt)
    .execute();
  await db.schema.createIndex('webhook_events_installation_sequence').on('webhook_events').columns(['installation_id', 'sequence']).unique().execute();
  await db.schema.createIndex('webhook_events_due_idx').on('webhook_events').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_events_team_idx').on('webhook_events').columns(['team_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_events').execute();
}
