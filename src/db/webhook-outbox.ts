import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { newId } from '../domain/ids.js';
import { keysetPageOf, type KeysetPageQuery } from './keyset.js';
import type { DB, WebhookEventsTable } from './schema.js';

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

/** An outbox row as the delivery job and the delivery log read it. */
export type WebhookEventRow = Selectable<WebhookEventsTable>;

/**
 * The events a delivery pass may send now, at most `limit`: for each installation, its lowest
 * `pending` event, when it is due (`next_attempt_at <= now`). An installation whose lowest pending
 * event is not due (waiting for a retry, or claimed by a delivery in flight) offers nothing, so its
 * later events wait: that is the order per installation (docs/webhooks.md).
 */
export async function listDueWebhookHeads(db: Kysely<DB>, now: number, limit: number): Promise<WebhookEventRow[]> {
  return db
    .selectFrom('webhook_events as e')
    .selectAll('e')
    .where('e.state', '=', 'pending')
    .where('e.next_attempt_at', '<=', now)
    .where(({ not, exists, selectFrom }) => not(exists(earlierPending(selectFrom))))
    .orderBy('e.next_attempt_at')
    .orderBy('e.sequence')
    .limit(limit)
    .execute();
}

/** An earlier event of the same installation that is still pending: `e` must wait for it. */
function earlierPending(selectFrom: ExpressionBuilder<DB & { e: WebhookEventsTable }, 'e'>['selectFrom']) {
  return selectFrom('webhook_events as before')
    .select('before.id')
    .whereRef('before.installation_id', '=', 'e.installation_id')
    .whereRef('before.sequence', '<', 'e.sequence')
    .where('before.state', '=', 'pending');
}

/**
 * Claims a due event for one attempt, by moving `attempts` from the value read to the next and
 * `next_attempt_at` to `leaseUntil`: until then no replica takes it (nor, since it stays the
 * lowest pending event, any later event of its installation), and if this process dies the lease
 * ends and the event is due again. The compare-and-swap on `attempts` lets one replica win; the
 * condition on earlier pending events is checked again here, in the same statement.
 */
export async function claimWebhookEvent(db: Kysely<DB>, row: Pick<WebhookEventRow, 'id' | 'attempts'>, now: number, leaseUntil: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_events as e')
    .set({ attempts: row.attempts + 1, next_attempt_at: leaseUntil, last_attempt_at: now })
    .where('e.id', '=', row.id)
    .where('e.state', '=', 'pending')
    .where('e.attempts', '=', row.attempts)
    .where('e.next_attempt_at', '<=', now)
    .where(({ not, exists, selectFrom }) => not(exists(earlierPending(selectFrom))))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** How one claimed attempt ended, as the delivery log keeps it. */
export interface WebhookAttemptOutcome {
  readonly state: 'pending' | 'delivered' | 'failed' | 'undeliverable';
  /** The HTTP status; null when no answer came (refused, timed out) or nothing was sent. */
  readonly status: number | null;
  /** The answer's start or the error, already truncated. */
  readonly response: string;
  /** For `pending`: the next attempt's time. */
  readonly nextAttemptAt?: number;
  readonly deliveredAt?: number;
}

/**
 * Records the outcome of the attempt `attempts` claimed. Only while the claim still holds (same
 * `attempts`, still pending): a lease that ran out and was taken by another replica makes this a
 * no-op, and the other replica's outcome stands. True when recorded.
 */
export async function recordWebhookAttempt(db: Kysely<DB>, id: string, attempts: number, outcome: WebhookAttemptOutcome): Promise<boolean> {
  const result = await db
    .updateTable('webhook_events')
    .set({
      state: outcome.state,
      last_status: outcome.status,
      last_response: outcome.response,
      ...(outcome.nextAttemptAt !== undefined ? { next_attempt_at: outcome.nextAttemptAt } : {}),
      ...(outcome.deliveredAt !== undefined ? { delivered_at: outcome.deliveredAt } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('attempts', '=', attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Marks a pending event `undeliverable` without an attempt (its integration has no webhook URL or
 * no secret), unless it was claimed meanwhile. Its installation's later events then go on.
 */
export async function markWebhookUndeliverable(db: Kysely<DB>, row: Pick<WebhookEventRow, 'id' | 'attempts'>, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_events')
    .set({ state: 'undeliverable', last_status: null, last_response: reason })
    .where('id', '=', row.id)
    .where('state', '=', 'pending')
    .where('attempts', '=', row.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A page of a team's deliveries, newest first, optionally of one installation (keyset on `(created_at, id)`). */
export async function listWebhookEventsOfTeam(db: Kysely<DB>, teamId: string, page: KeysetPageQuery & { readonly installationId?: string }): Promise<WebhookEventRow[]> {
  let query = db.selectFrom('webhook_events').selectAll().where('team_id', '=', teamId);
  if (page.installationId !== undefined) query = query.where('installation_id', '=', page.installationId);
  return keysetPageOf(query, page).execute();
}

export async function findWebhookEventOfTeam(db: Kysely<DB>, teamId: string, id: string): Promise<WebhookEventRow | undefined> {
  return db.selectFrom('webhook_events').selectAll().where('id', '=', id).where('team_id', '=', teamId).executeTakeFirst();
}

/**
 * Makes an ended event (delivered, failed, undeliverable) pending again, due at `now`, with its
 * attempts counted afresh; its id, type, payload and place in its installation's order stay. False
 * when the event is pending already (a redeliver never doubles a delivery in flight).
 */
export async function redeliverWebhookEvent(db: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_events')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, delivered_at: null })
    .where('id', '=', id)
    .where('state', 'in', ['delivered', 'failed', 'undeliverable'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
