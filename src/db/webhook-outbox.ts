import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.js';
import type { DB } from './schema.js';

/** What a change tells the partner: Vercel's webhook `type` and `payload` for one installation. */
export interface NewWebhookEvent {
  readonly installationId: string;
  readonly teamId: string;
  readonly integrationId: string;
  /** e.g. `integration-configuration.removed`, `marketplace.invoice.paid`. */
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Epoch ms: the event's `createdAt` and its first delivery time. */
  readonly now: number;
}

/** Attempts to take the next sequence number before giving up: only concurrent writers collide. */
const SEQUENCE_ATTEMPTS = 8;

/**
 * Puts an event in the outbox, to be delivered after every earlier event of its installation.
 * Call it with the transaction that makes the change the event reports, so the two are stored
 * together or not at all (docs/webhooks.md). Returns the event's id (`evt_…`), which every
 * delivery of it carries, so a partner can drop a repeat.
 *
 * The sequence is the installation's highest plus one; two replicas taking the same number meet
 * the unique index, and the loser (`do nothing`, which leaves a PostgreSQL transaction usable)
 * takes the next.
 */
export async function enqueueWebhookEvent(db: Kysely<DB>, event: NewWebhookEvent): Promise<{ id: string }> {
  const id = newId('evt');
  const payload = JSON.stringify(event.payload);
  for (let attempt = 0; attempt < SEQUENCE_ATTEMPTS; attempt++) {
    const last = await db
      .selectFrom('webhook_events')
      .select((eb) => eb.fn.max('sequence').as('sequence'))
      .where('installation_id', '=', event.installationId)
      .executeTakeFirst();
    const inserted = await db
      .insertInto('webhook_events')
      .values({
        id,
        installation_id: event.installationId,
        team_id: event.teamId,
        integration_id: event.integrationId,
        type: event.type,
        payload,
        sequence: Number(last?.sequence ?? 0) + 1,
        state: 'pending',
        attempts: 0,
        next_attempt_at: event.now,
        last_attempt_at: null,
        last_status: null,
        last_response: null,
        delivered_at: null,
        created_at: event.now,
      })
      .onConflict((oc) => oc.columns(['installation_id', 'sequence']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id };
  }
  throw new Error(`Could not take a webhook sequence number for ${event.installationId} after ${SEQUENCE_ATTEMPTS} attempts.`);
}
