import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { readUsageAndBalance } from '../../db/partner-billing.js';
import type { AppContext } from '../../app-context.js';
import { userCaller } from '../../providers/provider-for.js';
import { ssoIntegrationOf, startStoreSso } from '../../use-cases/sso.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { IdParams } from '../path-params.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { StoreUsageResponse } from '../schemas/store-usage.js';
import { visibleStoreOfPath } from '../visible-store.js';

/**
 * What the console's store page shows of the store's partner (docs/partner-billing-and-sso.md):
 * the usage and balance it reported, and "Open in provider" (SSO) — Stockroom's own routes, since
 * Vercel's dashboard does these behind its UI.
 */
export const storePartnerPanelRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  /** The options of a route on one store of the team: tag, summary, path and team, and the rest of its schema. */
  const storeRoute = <S extends object>(summary: string, rest: S) => ({ schema: { tags: ['storage'], summary, params: IdParams, querystring: TeamQuery, ...rest } });
  const loadStore = (request: FastifyRequest, id: string) => visibleStoreOfPath(ctx, request, id);

  app.get(
    '/stockroom/v1/stores/:id/usage',
    storeRoute('A store’s latest usage values and prepayment balance, as its partner reported them', { response: { 200: StoreUsageResponse, ...errorResponses(401, 403, 404) } }),
    async (request) => {
      const store = await loadStore(request, request.params.id);
      return store.externalResourceId ? readUsageAndBalance(ctx.db, store.installationId, store.externalResourceId) : { usage: [], balance: null };
    },
  );

  app.get(
    '/stockroom/v1/stores/:id/sso',
    storeRoute('Whether the store’s integration offers "Open in provider" (SSO to its dashboard)', { response: { 200: Type.Object({ available: Type.Boolean() }), ...errorResponses(401, 403, 404) } }),
    async (request) => {
      const store = await loadStore(request, request.params.id);
      return { available: (await ssoIntegrationOf(ctx, store.teamId, store.installationId)) !== undefined };
    },
  );

  app.post(
    '/stockroom/v1/stores/:id/sso',
    storeRoute('Open in provider: a one-time SSO code (5 min) and the partner’s redirect-login URL carrying it', {
      body: Type.Optional(
        Type.Object({
          projectId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
          invoiceId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
        }),
      ),
      response: { 200: Type.Object({ url: Type.String(), expiresAt: Type.Number() }), ...errorResponses(400, 401, 403, 404) },
    }),
    async (request) => {
      const store = await loadStore(request, request.params.id);
      const body = request.body ?? {};
      return startStoreSso(ctx, {
        store,
        caller: userCaller(actorOf(request).user, teamOf(request).membership),
        ...(body.projectId !== undefined ? { projectId: body.projectId } : {}),
        ...(body.invoiceId !== undefined ? { invoiceId: body.invoiceId } : {}),
      });
    },
  );
};
