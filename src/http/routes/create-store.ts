import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createStorePorts } from '../../use-cases/create-store-ports.js';
import { listConnectionViews } from '../../db/store-connection-views.js';
import { createStore } from '../../domain/create-store.js';
import type { AppContext } from '../../app-context.js';
import { STORE_CREATE_ERRORS } from '../error-schema.js';
import { assertBoundedMetadata } from '../json-limits.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { presentedStoreSerializer } from '../plugins/presenter-serializer.js';
import { presentStore } from '../presenters/store.js';
import { CreateStoreDirectBody, CreateStoreResponse } from '../schemas/index.js';

/**
 * `POST /v1/storage/stores/integration/direct`, "Create integration store (free and paid plans)":
 * the heart of Stockroom. Auth, team and role come from the auth hook, the body shape from the
 * schema (400 with `param`); the rest is `createStore` (docs/rules.md §1). A natural retry (same
 * externalId, name, product and plan) answers 200 with the existing store.
 */
export const createStoreRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/v1/storage/stores/integration/direct',
    {
      config: { write: true },
      serializerCompiler: presentedStoreSerializer,
      schema: {
        tags: ['storage'],
        summary: 'Create integration store (free and paid plans)',
        description:
          'Creates an integration store with automatic billing plan handling. Omit billingPlanId to use the first free plan; pass one from the billing plans endpoint for paid resources.',
        querystring: TeamQuery,
        body: CreateStoreDirectBody,
        response: { 200: CreateStoreResponse, ...STORE_CREATE_ERRORS },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      const user = actorOf(request).user;
      const body = request.body;
      // Sent on to the provider: bounded before any provider call or insert.
      assertBoundedMetadata('metadata', body.metadata);
      assertBoundedMetadata('protocolSettings', body.protocolSettings);
      const { store, product, created } = await createStore(createStorePorts(ctx, { user, membership }), {
        teamId: team.id,
        teamBillingState: team.billingState,
        userId: user.id,
        name: body.name,
        integrationConfigurationId: body.integrationConfigurationId,
        integrationProductIdOrSlug: body.integrationProductIdOrSlug,
        ...(body.metadata ? { metadata: body.metadata } : {}),
        ...(body.externalId !== undefined ? { externalId: body.externalId } : {}),
        ...(body.protocolSettings ? { protocolSettings: body.protocolSettings } : {}),
        source: body.source ?? 'marketplace',
        ...(body.billingPlanId !== undefined ? { billingPlanId: body.billingPlanId } : {}),
        ...(body.paymentMethodId !== undefined ? { paymentMethodId: body.paymentMethodId } : {}),
        ...(body.prepaymentAmountCents !== undefined ? { prepaymentAmountCents: body.prepaymentAmountCents } : {}),
      });
      // A store this request made is answered as it was made, with no project connected: a
      // connection needs its id, which only a list read in the moments since it went live could
      // have shown. A natural retry answers an older store, read with its connections.
      const connections = created ? [] : ((await listConnectionViews(ctx.db, [store.id])).get(store.id) ?? []);
      return { store: presentStore(store, product.integration, product.entry, connections) };
    },
  );
};
