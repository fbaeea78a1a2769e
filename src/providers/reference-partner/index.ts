import type { FastifyPluginAsync } from 'fastify';
import { servePartnerApi } from '../partner-kit/partner-server.js';
import { resolveContext, type ReferencePartnerOptions } from './options.js';
import { sealPlaintextRows } from './sealed-values.js';
import { referencePartnerApi } from './reference-api.js';

export type { ReferencePartnerOptions } from './options.js';
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
 * Not wrapped in fastify-plugin on purpose: its error handler, body parser and token check stay
 * inside its own plugin context and leave the host server's untouched.
 */
export const referencePartnerPlugin: FastifyPluginAsync<ReferencePartnerOptions> = async (app, options) => {
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  const ctx = resolveContext(options, closing.signal);
  // Rows written before secrets were sealed are sealed now, before any request reads them.
  const sealed = await sealPlaintextRows(ctx.db, ctx.secretBox);
  if (sealed > 0) app.log.info({ rows: sealed }, 'reference partner sealed secrets stored in plaintext');

  const settings = { providerName: 'reference partner', clientId: options.clientId, issuer: options.issuer, jwksUrl: options.jwksUrl, now: ctx.now };
  await servePartnerApi(app, settings, referencePartnerApi(ctx));
};
