import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { startLoop } from '../../background-loop.js';
import { registerPartnerErrorHandler } from '../partner-kit/error-handler.js';
import { servePartnerApi } from '../partner-kit/partner-server.js';
import { createSsoVerifier } from '../partner-kit/sso-id-token.js';
import { createVercelApiClient } from '../partner-kit/vercel-api-client.js';
import { claimRoutes } from './claim.js';
import { createControl } from './control.js';
import { httpInvoiceReader } from './invoice-reader.js';
import { resolveContext, type ReferencePartnerOptions } from './options.js';
import { sealPlaintextRows } from './sealed-values.js';
import { referencePartnerApi } from './reference-api.js';
import { createSecretPusher, type SecretPusher } from './secret-pushes.js';
import { ssoRoutes } from './sso.js';
import { webhookRoutes } from './webhooks.js';

export type { ReferencePartnerOptions, ReferencePartnerControl } from './options.js';
export type { JobReport } from './jobs.js';
export { migrateReferencePartner } from './migrate.js';
export { REFERENCE_PRODUCTS, type ReferenceProduct } from './products.js';
export { HOOKS, type HookDescription } from './hooks.js';
export type { BillingPlan } from '../partner-kit/billing-plan.js';

/**
 * The reference partner: Stockroom's built-in storage provider, an HTTP service that speaks
 * Vercel's Marketplace partner API (partner-api.md §1.1) over virtual resources. Stockroom mounts
 * it under a prefix (default `/partners/reference`) and calls it over HTTP like any partner;
 * `main.ts` runs it alone. All state lives in its `ref_partner_` tables, so replicas sharing a
 * database and a restarted process see the same resources. Run `migrateReferencePartner` first.
 *
 * It also calls Stockroom back as a real partner does (partner-api.md §1.5, `jobs.ts`): usage,
 * invoices, prepaid balances and Finalize Installation, with each installation's access token; and
 * it serves the pages a partner serves beside its API: the webhook receiver (`/webhooks`) and the
 * SSO landing page (`/sso`) and the sandbox claim page (`/claim`).
 *
 * Not wrapped in fastify-plugin on purpose: its error handler, body parser and token check stay
 * inside its own plugin context and leave the host server's untouched.
 */
export const referencePartnerPlugin: FastifyPluginAsync<ReferencePartnerOptions> = async (app, options) => {
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  const client = createVercelApiClient({ baseUrl: options.stockroomUrl ?? options.issuer, userAgent: `Acme Data (Stockroom reference partner)/${options.clientId}` });
  let pusher: SecretPusher | undefined;
  const resolved = resolveContext(options, closing.signal, () => pusher?.kick());
  const ctx = { ...resolved, readInvoice: resolved.readInvoice ?? httpInvoiceReader(resolved, client) };
  pusher = createSecretPusher(ctx, client, app.log);
  // Rows written before secrets were sealed are sealed now, before any request reads them.
  const sealed = await sealPlaintextRows(ctx.db, ctx.secretBox);
  if (sealed > 0) app.log.info({ rows: sealed }, 'reference partner sealed secrets stored in plaintext');

  const settings = { providerName: 'reference partner', clientId: options.clientId, issuer: options.issuer, jwksUrl: options.jwksUrl, now: ctx.now };
  await app.register(async (partnerApi) => servePartnerApi(partnerApi, settings, referencePartnerApi(ctx)));

  await app.register(async (pages) => {
    // Called by Stockroom's webhook sender and by people's browsers, not with a partner-API JWT.
    pages.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'none' };
    });
    registerPartnerErrorHandler(pages, 'reference partner', { notFound: false });
    await webhookRoutes(pages, ctx, options.clientSecret);
    const verify = createSsoVerifier({ issuer: options.issuer, clientId: options.clientId, jwksUrl: options.jwksUrl, now: ctx.now });
    const sso = { client, clientId: options.clientId, clientSecret: options.clientSecret, verify };
    await ssoRoutes(pages, ctx, sso);
    await claimRoutes(pages, ctx, sso);
  });

  const control = createControl(ctx, client, app.log);
  const interval = options.jobIntervalMs ?? 60_000;
  if (interval > 0) startLoggedLoop(app, 'jobs', () => control.runJobs(), interval, false);
  // Due pushes whose first attempt failed, or whose process stopped before making it, are found by this poll.
  if (ctx.rotation === 'async') {
    startLoggedLoop(app, 'secret pushes', () => pusher.runDue(), options.secretPushIntervalMs ?? 250, true);
    app.addHook('preClose', async () => pusher.settle());
  }
  options.onControl?.(control);
};

/** Runs `pass` on the background loop until the server closes; a failed pass is logged and the loop goes on. */
function startLoggedLoop(app: FastifyInstance, what: string, pass: () => Promise<unknown>, intervalMs: number, runAtOnce: boolean): void {
  const stop = startLoop(
    async () => {
      try {
        await pass();
      } catch (error) {
        app.log.error({ err: { message: error instanceof Error ? error.message : String(error) } }, `reference partner ${what} failed`);
      }
    },
    intervalMs,
    { runAtOnce },
  );
  app.addHook('preClose', async () => stop());
}
