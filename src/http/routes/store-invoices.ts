import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { listBalancesOfStore, listInvoicesOfStore } from '../../db/invoices.js';
import { findVisibleStoreOfTeam } from '../../db/store-reads.js';
import { ApiError } from '../../errors.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { IdParams } from '../path-params.js';
import { presentStoreBalance, presentStoreInvoice, StoreBalanceWire, StoreInvoiceWire } from '../presenters/invoice.js';
import { teamOf } from '../plugins/auth.js';

/** The most invoices one answer lists: a store invoiced monthly for eight years. */
const MAX_INVOICES = 100;

/**
 * A store's invoices and prepayment balances, for the console (docs/invoices.md). Stockroom's
 * own route (no Vercel equivalent, hence `/stockroom/`): any member of the store's team may read.
 */
export const storeInvoiceRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/stockroom/v1/stores/:id/invoices',
    {
      schema: {
        tags: ['stockroom'],
        summary: "A store's invoices (newest first, at most 100) and the prepayment balances its partner reported",
        params: IdParams,
        querystring: TeamQuery,
        response: { 200: Type.Object({ invoices: Type.Array(StoreInvoiceWire), balances: Type.Array(StoreBalanceWire) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const store = await findVisibleStoreOfTeam(ctx.db, teamOf(request).team.id, request.params.id);
      if (!store) throw new ApiError('not_found', `The store ${request.params.id} was not found.`);
      const [invoices, balances] = await Promise.all([listInvoicesOfStore(ctx.db, store.id, MAX_INVOICES), listBalancesOfStore(ctx.db, store.id)]);
      return { invoices: invoices.map(presentStoreInvoice), balances: balances.map(presentStoreBalance) };
    },
  );
};
