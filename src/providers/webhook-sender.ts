import { createHttpTransport, type HttpTransport } from './http-transport.js';
import { webhookBody, webhookSignature, type OutgoingWebhook } from './webhook-signature.js';

export type { OutgoingWebhook };

/** How one POST ended: an HTTP answer (any status), or no answer at all. */
export type WebhookPostResult = { readonly status: number; readonly text: string } | { readonly error: string };

/** What a delivery sends one webhook with. */
export type WebhookSender = (url: string, clientSecret: string, webhook: OutgoingWebhook) => Promise<WebhookPostResult>;

/** The user-agent partners see; Vercel's is not documented, so it names Stockroom. */
export const WEBHOOK_USER_AGENT = 'Stockroom-Webhooks/1.0';

/** Most bytes of an answer read; the log keeps only its start anyway. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Sends webhooks over keep-alive connections (the transport partner calls use), with a timeout
 * for the whole exchange. Redirects are not followed: a 3xx is an answer that is not a 2xx.
 */
export function createWebhookSender(options: { readonly timeoutMs: number; readonly transport?: HttpTransport }): WebhookSender {
  const transport = options.transport ?? createHttpTransport();
  return async (url, clientSecret, webhook) => {
    const body = webhookBody(webhook);
    try {
      const answer = await transport({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'user-agent': WEBHOOK_USER_AGENT,
          'x-vercel-signature': webhookSignature(body, clientSecret),
        },
        body,
        timeoutMs: options.timeoutMs,
        maxBodyBytes: MAX_ANSWER_BYTES,
      });
      return { status: answer.status, text: answer.bodyTooLarge ? `(an answer longer than ${MAX_ANSWER_BYTES} bytes, not kept)` : answer.text };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message = error instanceof Error ? error.message : String(error);
      return { error: code && !message.includes(code) ? `${code}: ${message}` : message };
    }
  };
}
