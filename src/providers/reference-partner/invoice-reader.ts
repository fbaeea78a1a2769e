import { PartnerError } from '../partner-kit/errors.js';
import { VercelApiError, type VercelApiClient } from '../partner-kit/vercel-api-client.js';
import type { InvoiceReader } from './credit-purchases.js';
import { findAccessToken } from './installation-store.js';
import type { PartnerContext } from './options.js';

/**
 * Reads an invoice the way a partner does: Get Invoice (`GET /v1/installations/{icfg}/billing/invoices/{id}`)
 * with the installation's own access token. Unknown invoices read as undefined.
 */
export function httpInvoiceReader(ctx: Pick<PartnerContext, 'db' | 'secretBox'>, client: VercelApiClient): InvoiceReader {
  return async (installationId, invoiceId) => {
    const token = await findAccessToken(ctx.db, ctx.secretBox, installationId);
    if (!token) throw new PartnerError('forbidden', `Installation ${installationId} holds no access token to read invoices with.`);
    try {
      const invoice = await client.forInstallation(installationId, token).getInvoice(invoiceId);
      const items = Array.isArray(invoice.items) ? (invoice.items as Array<{ resourceId?: string }>) : [];
      return { state: invoice.state, total: invoice.total, items };
    } catch (error) {
      if (error instanceof VercelApiError && error.status === 404) return undefined;
      throw error;
    }
  };
}
