import type { AppContext } from '../app-context.js';
import { startLoop } from '../background-loop.js';
import { resolvePartnerUrl } from '../catalog/catalog.js';
import { claimWebhookEvent, listDueWebhookHeads, markWebhookUndeliverable, recordWebhookAttempt, type WebhookAttemptOutcome, type WebhookEventRow } from '../db/webhook-outbox.js';
import { afterFailedAttempt, truncateAnswer, type RetrySchedule } from '../domain/webhook-events.js';
import type { WebhookSender } from '../providers/webhook-sender.js';

/**
 * Delivers the webhook outbox to partners (issue 15 §4, docs/webhooks.md): at least once, in
 * `sequence` order per installation, retried with backoff, across replicas and restarts.
 *
 * - A pass lists, for each installation, its lowest pending event if it is due
 *   (`listDueWebhookHeads`), claims it with a lease (`claimWebhookEvent`: a compare-and-swap that
 *   moves `next_attempt_at` to the lease's end), POSTs it and records the outcome. While claimed
 *   it stays the installation's lowest pending event and is not due, so no replica sends it or any
 *   later event of that installation: one in flight per installation.
 * - A 2xx is `delivered`; anything else (another status, a timeout, a refused connection) is
 *   retried after `min(base · 2^(n−1), max)` until `maxAttempts`, then `failed`. A failed or
 *   undeliverable event no longer holds back the later ones.
 * - A process killed mid-delivery leaves its claim; when the lease ends the event is due again and
 *   is sent again, with the same id (the partner may see it twice, never a different one).
 *
 * Different installations are delivered in parallel, so a slow partner delays only its own.
 */
export interface WebhookDeliverySettings {
  /** The timeout of one POST, reading the answer included. */
  readonly timeoutMs: number;
  readonly retry: RetrySchedule;
  readonly send: WebhookSender;
  /** Installations served at once in one round; default 20. */
  readonly batch?: number;
}

/** Rounds of one pass: each sends at most one event per installation. */
const MAX_ROUNDS = 50;

/**
 * How long a claim holds: past the POST's timeout with room to record the outcome, so a live
 * delivery is never taken over, while a dead one is retried soon after.
 */
export function webhookLeaseMs(timeoutMs: number): number {
  return 2 * timeoutMs + 1000;
}

/** One pass: delivers what is due now, round after round, until nothing due is left. */
export async function deliverDueWebhooks(ctx: AppContext, settings: WebhookDeliverySettings): Promise<{ readonly attempted: number }> {
  let attempted = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const heads = await listDueWebhookHeads(ctx.db, ctx.now(), settings.batch ?? 20);
    if (heads.length === 0) break;
    const results = await Promise.all(heads.map((row) => deliverOne(ctx, settings, row)));
    attempted += results.filter((r) => r === 'attempted').length;
    // Every claim lost to other replicas: they are delivering these; nothing more to do here.
    if (results.every((r) => r === 'taken')) break;
  }
  return { attempted };
}

type OneResult = 'attempted' | 'undeliverable' | 'taken';

async function deliverOne(ctx: AppContext, settings: WebhookDeliverySettings, row: WebhookEventRow): Promise<OneResult> {
  const target = targetOf(ctx, row.integration_id);
  if ('reason' in target) {
    if (await markWebhookUndeliverable(ctx.db, row, target.reason)) {
      ctx.logger.info({ event: row.id, type: row.type, installation: row.installation_id, reason: target.reason }, 'webhook not deliverable');
    }
    return 'undeliverable';
  }
  const claimedAt = ctx.now();
  if (!(await claimWebhookEvent(ctx.db, row, claimedAt, claimedAt + webhookLeaseMs(settings.timeoutMs)))) return 'taken';
  const attempts = row.attempts + 1;
  const result = await settings.send(target.url, target.secret, { id: row.id, type: row.type, createdAt: row.created_at, payloadJson: row.payload });
  const at = ctx.now();
  const answered = 'status' in result;
  const ok = answered && result.status >= 200 && result.status < 300;
  const response = truncateAnswer(answered ? result.text : result.error);
  const status = answered ? result.status : null;
  let outcome: WebhookAttemptOutcome;
  if (ok) {
    outcome = { state: 'delivered', status, response, deliveredAt: at };
  } else {
    const next = afterFailedAttempt(attempts, settings.retry);
    outcome = next === 'give-up' ? { state: 'failed', status, response } : { state: 'pending', status, response, nextAttemptAt: at + next.retryInMs };
  }
  const recorded = await recordWebhookAttempt(ctx.db, row.id, attempts, outcome);
  const fields = { event: row.id, type: row.type, installation: row.installation_id, attempt: attempts, status, state: outcome.state, recorded };
  if (ok) ctx.logger.info(fields, 'webhook delivered');
  else ctx.logger.warn({ ...fields, error: answered ? undefined : result.error }, 'webhook attempt failed');
  return 'attempted';
}

/** Where an integration's webhooks go and what signs them, or why they cannot be sent. */
function targetOf(ctx: AppContext, integrationId: string): { url: string; secret: string } | { reason: string } {
  const integration = ctx.catalog.findIntegration(integrationId);
  if (!integration) return { reason: `the integration ${integrationId} is no longer in the catalog` };
  if (!integration.webhookUrl) return { reason: `the integration ${integration.slug} has no webhook URL in the catalog` };
  if (!integration.clientSecret) return { reason: `the integration ${integration.slug} has no client secret to sign webhooks with` };
  try {
    return { url: resolvePartnerUrl(integration.webhookUrl, ctx.providerBaseUrl), secret: integration.clientSecret };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Runs a delivery pass every `intervalMs` until the returned function is called. A pass never
 * overlaps the previous one in this process; across replicas the claims keep them apart. Errors
 * (the database unreachable) are logged and the loop goes on: the outbox keeps every event.
 */
export function startWebhookDelivery(ctx: AppContext, settings: WebhookDeliverySettings & { readonly intervalMs: number }): () => Promise<void> {
  const pass = async () => {
    try {
      await deliverDueWebhooks(ctx, settings);
    } catch (error) {
      ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'webhook delivery pass failed');
    }
  };
  return startLoop(pass, settings.intervalMs, { runAtOnce: false });
}
