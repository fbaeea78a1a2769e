import { Type, type Static } from 'typebox';
import { WEBHOOK_STATES } from '../../domain/webhook-events.js';
import { KeysetPagination } from '../keyset-pagination.js';

const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** One event of the webhook outbox as the delivery log shows it (docs/webhooks.md). */
export const WebhookDelivery = Type.Object({
  id: Type.String({ description: 'The event id (`evt_…`): the body `id` of every delivery of it' }),
  type: Type.String({ description: "Vercel's event type, e.g. `integration-configuration.removed`" }),
  installationId: Type.String(),
  integrationId: Type.String(),
  sequence: Type.Integer({ description: "The event's place in its installation's order" }),
  state: Type.Enum(WEBHOOK_STATES),
  attempts: Type.Integer({ minimum: 0, description: 'Attempts since it was enqueued or last redelivered' }),
  nextAttemptAt: Type.Union([Type.Integer(), Type.Null()], { description: 'epoch ms; while pending: the next try (or the end of the attempt in flight)' }),
  lastAttemptAt: NullableInteger,
  lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: "The last attempt's HTTP status; null when no answer came" }),
  lastResponse: Type.Union([Type.String(), Type.Null()], { description: "The start of the last answer, or the error, or why it cannot be delivered" }),
  deliveredAt: NullableInteger,
  createdAt: Type.Integer({ description: "epoch ms; also the body's `createdAt`" }),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

/** One delivery with the payload it sends. */
export const WebhookDeliveryDetail = Type.Object({ ...WebhookDelivery.properties, payload: Type.Record(Type.String(), Type.Unknown()) });
export type WebhookDeliveryDetail = Static<typeof WebhookDeliveryDetail>;

export const WebhookDeliveryList = Type.Object({ deliveries: Type.Array(WebhookDelivery), pagination: KeysetPagination });
export type WebhookDeliveryList = Static<typeof WebhookDeliveryList>;
