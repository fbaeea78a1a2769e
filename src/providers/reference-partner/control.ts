import type { FastifyBaseLogger } from 'fastify';
import type { VercelApiClient } from '../partner-kit/vercel-api-client.js';
import { findInvoiceByStockroomId } from './billing-store.js';
import { recordPurchase } from './credit-purchases.js';
import { findAccessToken } from './installation-store.js';
import { createPartnerJobs, requestRefund } from './jobs.js';
import type { PartnerContext, ReferencePartnerControl } from './options.js';

/** The reference partner's controls over its own calls back to Stockroom. */
export function createControl(ctx: PartnerContext, client: VercelApiClient, log: FastifyBaseLogger): ReferencePartnerControl {
  const jobs = createPartnerJobs(ctx, client, log);
  return {
    runJobs: () => jobs.runOnce(),
    async refundInvoice(invoiceId, reason, totalCents) {
      const invoice = await findInvoiceByStockroomId(ctx.db, invoiceId);
      if (!invoice) throw new Error(`the reference partner never submitted invoice ${invoiceId}`);
      const token = await findAccessToken(ctx.db, ctx.secretBox, invoice.installationId);
      if (!token) throw new Error(`installation ${invoice.installationId} holds no access token`);
      await requestRefund(ctx, client.forInstallation(invoice.installationId, token), invoice, reason, totalCents ?? invoice.totalCents);
    },
    recordCreditPurchase: (p) => recordPurchase(ctx.db, { invoiceId: p.invoiceId, installationId: p.installationId, resourceId: p.resourceId, cents: p.amountCents, now: ctx.now() }),
  };
}
