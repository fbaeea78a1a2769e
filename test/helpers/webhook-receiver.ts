import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The client secret the test catalogs give the reference integration: what webhooks are signed with. */
export const WEBHOOK_CLIENT_SECRET = 'whsec_test_0123456789abcdefghij';

/** One POST the receiver got, as the partner sees it. */
export interface ReceivedWebhook {
  readonly rawBody: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly headers: http.IncomingHttpHeaders;
  /** The signature checked against the raw body with the client secret, as a partner must. */
  readonly signatureValid: boolean;
  /** The status it was answered with. */
  readonly answeredWith: number;
}

/**
 * A partner's webhook endpoint (node:http) that verifies `x-vercel-signature` with the client
 * secret and records every request. `answer` decides each status (200 by default); `hold` makes
 * the next requests wait unanswered until released (a partner mid-answer when Stockroom dies).
 */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** The status for the n-th request (0-based); 200 unless set. */
  answer: (index: number, body: { id: string; type: string }) => number;
  /** Answer this long after the request arrived (a partner doing some work); 0 by default. */
  delayMs: number;
  /** The most requests of one installation (the payload's `installationIds[0]`) ever open at once. */
  readonly maxInFlightPerInstallation: () => number;
  /** Resolves at the next request; with `hold`, leaves it unanswered until `release()`. */
  nextRequest(options?: { hold?: boolean }): Promise<ReceivedWebhook>;
  release(): void;
  close(): Promise<void>;
}

export function verifySignature(rawBody: string, signature: string | undefined, secret = WEBHOOK_CLIENT_SECRET): boolean {
  if (!signature) return false;
  const expected = Buffer.from(createHmac('sha1', secret).update(rawBody).digest('hex'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiting: Array<{ resolve: (w: ReceivedWebhook) => void; hold: boolean }> = [];
  const held: http.ServerResponse[] = [];
  let holdAll = false;
  const inFlight = new Map<string, number>();
  let maxInFlight = 0;
  const receiver: WebhookReceiver = {
    url: '',
    received,
    answer: () => 200,
    delayMs: 0,
    maxInFlightPerInstallation: () => maxInFlight,
    nextRequest(options = {}) {
      if (options.hold) holdAll = true;
      return new Promise((resolve) => waiting.push({ resolve, hold: options.hold ?? false }));
    },
    release() {
      holdAll = false;
      for (const res of held.splice(0)) res.destroy();
    },
    async close() {
      receiver.release();
      server.closeAllConnections();
      server.close();
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const status = holdAll ? 0 : receiver.answer(received.length, body as { id: string; type: string });
      const webhook: ReceivedWebhook = {
        rawBody,
        body,
        headers: req.headers,
        signatureValid: verifySignature(rawBody, req.headers['x-vercel-signature'] as string | undefined),
        answeredWith: status,
      };
      received.push(webhook);
      const n = received.length;
      const waiter = waiting.shift();
      const installation = String((body as { payload?: { installationIds?: string[] } } | undefined)?.payload?.installationIds?.[0]);
      inFlight.set(installation, (inFlight.get(installation) ?? 0) + 1);
      maxInFlight = Math.max(maxInFlight, inFlight.get(installation) ?? 0);
      const done = () => inFlight.set(installation, (inFlight.get(installation) ?? 1) - 1);
      if (holdAll) {
        held.push(res);
        res.on('close', done);
      } else {
        setTimeout(() => {
          // Counted as answered before the answer leaves, so the next request cannot look concurrent.
          done();
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300, n }));
        }, receiver.delayMs);
      }
      waiter?.resolve(webhook);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return receiver;
}

/**
 * The default catalog with the reference integration's webhooks sent to `webhookUrl` (or none) and
 * signed with WEBHOOK_CLIENT_SECRET; its path, for STOCKROOM_CATALOG.
 */
export function writeWebhookCatalog(dir: string, webhookUrl: string | undefined): string {
  const catalog = JSON.parse(readFileSync(new URL('../../catalog/default.json', import.meta.url), 'utf8'));
  const reference = catalog.integrations[0];
  // The default catalog names the reference partner's receiver; `undefined` means none at all.
  if (webhookUrl) reference.webhookUrl = webhookUrl;
  else delete reference.webhookUrl;
  reference.clientSecret = WEBHOOK_CLIENT_SECRET;
  const path = join(dir, 'webhook-catalog.json');
  writeFileSync(path, JSON.stringify(catalog));
  return path;
}
