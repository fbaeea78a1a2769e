import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readUsageAndBalance } from '../../db/partner-billing.js';
import { findVisibleStoreOfTeam } from '../../db/store-reads.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { IdParams } from '../path-params.js';
import { teamOf } from '../plugins/auth.js';
import { StoreUsageResponse } from '../schemas/store-usage.js';

/** What the store's partner last reported about its usage and balance, for the console's store page. */
export const storeUsageRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/stockroom/v1/stores/:id/usage',
    {
      schema: {
        tags: ['storage'],
        summary: 'A store’s latest usage values and prepayment balance, as its partner reported them',
        params: IdParams,
        querystring: TeamQuery,
        response: { 200: StoreUsageResponse, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const store = await findVisibleStoreOfTeam(ctx.db, teamOf(request).team.id, request.params.id);
      if (!store) throw new ApiError('not_found', `The store ${request.params.id} was not found.`);
      if (!store.externalResourceId) return { usage: [], balance: null };
      return readUsageAndBalance(ctx.db, store.installationId, store.externalResourceId);
    },
  );
};
