import { createHmac } from 'node:crypto';

/** One webhook as it goes over the wire: the body Vercel sends, `{id, type, createdAt, payload}`. */
export interface OutgoingWebhook {
  readonly id: string;
  readonly type: string;
  /** Epoch milliseconds: when the change happened (the outbox row's `created_at`). */
  readonly createdAt: number;
  /** The stored JSON text of the payload, placed in the body as it is. */
  readonly payloadJson: string;
}

/**
 * The exact body of a webhook. Built once per attempt from the stored row, so every attempt (and
 * every redelivery) of one event sends the same bytes and the same signature.
 */
export function webhookBody(webhook: OutgoingWebhook): string {
  return `{"id":${JSON.stringify(webhook.id)},"type":${JSON.stringify(webhook.type)},"createdAt":${webhook.createdAt},"payload":${webhook.payloadJson}}`;
}

/** Vercel's `x-vercel-signature`: hex HMAC-SHA1 of the raw body, keyed with the integration's client secret. */
export function webhookSignature(body: string, clientSecret: string): string {
  return createHmac('sha1', clientSecret).update(body, 'utf8').digest('hex');
}
