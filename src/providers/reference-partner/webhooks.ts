import type { FastifyInstance } from 'fastify';
import { PartnerError, validationError } from '../partner-kit/errors.js';
import { verifyVercelSignature } from '../partner-kit/webhook-signature.js';
import { findInvoiceByStockroomId, markWebhookProcessed, recordWebhookDelivery, updateInvoice } from './billing-store.js';
import { webhookFailFirst } from './hooks.js';
import { markInstallationDeleted } from './installation-store.js';
import type { PartnerContext } from './options.js';
import { markInstallationResourcesDeleted } from './resource-store.js';

/** The invoice events and the local state each one records. */
const INVOICE_STATES: Readonly<Record<string, string>> = {
  'marketplace.invoice.created': 'invoiced',
  'marketplace.invoice.paid': 'paid',
  'marketplace.invoice.notpaid': 'notpaid',
  'marketplace.invoice.refunded': 'refunded',
};

/** How far along an invoice is: an event never moves the partner's copy back (a late `paid` after `refunded`). */
function progress(state: string): number {
  if (state === 'refunded') return 3;
  if (state === 'refund_requested') return 2;
  if (state === 'paid' || state === 'notpaid') return 1;
  return 0;
}

/**
 * `POST /webhooks`: the integration's webhook URL (catalog `webhookUrl: "builtin:reference/webhooks"`).
 * The raw body must carry a valid `x-vercel-signature` (hex HMAC-SHA1 keyed with the client
 * secret) or the answer is 403 and nothing is recorded — Vercel's example answers 200 there, but a
 * refusal is what lets the sender see a misconfigured secret. Each event is recorded once by its
 * `id` and acted on once, however often it is delivered: `integration-configuration.removed`
 * deletes the installation and its resources, `marketplace.invoice.*` moves the partner's own copy
 * of the invoice. Other event types are recorded and otherwise ignored, as a partner that does not
 * subscribe to them would.
 */
export async function webhookRoutes(app: FastifyInstance, ctx: PartnerContext, clientSecret: string | undefined): Promise<void> {
  // The signature covers the bytes received, so the body is kept as text and parsed here.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post('/webhooks', async (request, reply) => {
    if (!clientSecret) throw new PartnerError('forbidden', 'This partner was started without the client secret, so it cannot verify webhooks.');
    const raw = typeof request.body === 'string' ? request.body : '';
    const signature = request.headers['x-vercel-signature'];
    if (!verifyVercelSignature(raw, typeof signature === 'string' ? signature : undefined, clientSecret)) {
      throw new PartnerError('forbidden', 'The x-vercel-signature header does not match the body.');
    }
    const event = parseEvent(raw);
    const now = ctx.now();
    const { deliveries, processed } = await recordWebhookDelivery(ctx.db, event, now);
    const failFirst = webhookFailFirst((request.query as { fail_first?: unknown }).fail_first);
    if (deliveries <= failFirst) {
      throw new PartnerError('internal_server_error', `Refusing delivery ${deliveries} of ${failFirst} (webhook-fail-first test hook).`);
    }
    // Acting is idempotent, so two deliveries racing may both act; a failure leaves the event
    // unprocessed (500) for the next delivery.
    if (!processed) {
      await act(ctx, event, now);
      await markWebhookProcessed(ctx.db, event.id, now);
    }
    return reply.code(200).send({ received: true, id: event.id });
  });
}

interface WebhookEvent {
  readonly id: string;
  readonly type: string;
  readonly installationId: string | null;
  readonly payload: Record<string, unknown>;
}

function parseEvent(raw: string): WebhookEvent {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw validationError([{ key: 'body', message: 'is not valid JSON' }], 'The webhook body is not valid JSON.');
  }
  const event = value as { id?: unknown; type?: unknown; payload?: unknown };
  if (value === null || typeof value !== 'object' || typeof event.id !== 'string' || event.id === '' || typeof event.type !== 'string') {
    throw validationError([{ key: 'body', message: 'must be {id, type, createdAt, payload}' }]);
  }
  const payload = event.payload !== null && typeof event.payload === 'object' ? (event.payload as Record<string, unknown>) : {};
  return { id: event.id, type: event.type, installationId: installationOf(payload), payload };
}

/** The installation an event is about, in the payload forms Vercel uses. */
function installationOf(payload: Record<string, unknown>): string | null {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const configuration = payload.configuration as { id?: unknown } | undefined;
  const integrations = payload.integrations as Array<{ installationId?: unknown }> | undefined;
  const ids = payload.installationIds as unknown[] | undefined;
  return (
    text(payload.installationId) ??
    text(configuration?.id) ??
    (Array.isArray(integrations) ? text(integrations[0]?.installationId) : null) ??
    (Array.isArray(ids) ? text(ids[0]) : null)
  );
}

async function act(ctx: PartnerContext, event: WebhookEvent, now: number): Promise<void> {
  if (event.type === 'integration-configuration.removed' && event.installationId) {
    const installationId = event.installationId;
    await ctx.db.transaction().execute(async (trx) => {
      await markInstallationDeleted(trx, installationId, now);
      await markInstallationResourcesDeleted(trx, installationId, now);
    });
    return;
  }
  const state = INVOICE_STATES[event.type];
  const invoiceId = event.payload.invoiceId;
  if (state && typeof invoiceId === 'string') {
    const invoice = await findInvoiceByStockroomId(ctx.db, invoiceId);
    if (invoice && invoice.state !== state && progress(state) > progress(invoice.state)) await updateInvoice(ctx.db, invoice.id, { state }, now);
  }
}
