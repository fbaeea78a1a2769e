import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { refreshResourceOfInstallation } from '../../use-cases/store-resource.js';
import { findStoreRowOfResource } from '../../db/store-reads.js';
import { requireInstallationToken } from '../plugins/installation-token.js';
import { replaceResourceSecrets } from '../../use-cases/partner-resources.js';
import { PartnerSecrets, type PartnerSecret } from '../schemas/index.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';

/**
 * What partners call back on Stockroom with the installation's access token (partner-api.md §1.5,
 * vercel-contract.md §6): Create Event and Update Resource Secrets. Mounted at the root and under
 * `/api`, because partners hard-code `https://vercel.com/api` as well as `https://api.vercel.com`.
 * These routes skip user-token auth: the caller is a provider, never a user.
 */
export const partnerCallbackRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  for (const prefix of ['', '/api']) registerRoutes(app, ctx, prefix);
};

const IcfgParam = Type.String({ minLength: 1, maxLength: 128 });
const ResourceIdParam = Type.String({ minLength: 1, maxLength: 256 });

const EventBody = Type.Object({
  event: Type.Union([
    Type.Object({ type: Type.Literal('installation.updated'), billingPlanId: Type.Optional(Type.String()) }, { additionalProperties: true }),
    Type.Object({ type: Type.Literal('resource.updated'), productId: Type.String(), resourceId: Type.String({ minLength: 1 }) }, { additionalProperties: true }),
  ]),
});

const SecretsBody = Type.Object({ secrets: PartnerSecrets, partial: Type.Optional(Type.Boolean()) });
type SecretsBodyType = { secrets: PartnerSecret[]; partial?: boolean };

function registerRoutes(app: Parameters<FastifyPluginAsyncTypebox>[0], ctx: AppContext, prefix: string): void {
  const hidden = prefix !== '';
  app.post(
    `${prefix}/v1/installations/:icfg/events`,
    {
      config: { auth: 'none' },
      onRequest: requireInstallationToken(ctx),
      schema: {
        tags: ['marketplace'],
        summary: 'Create Event: a partner tells Stockroom an installation or resource changed',
        hide: hidden,
        security: [{ bearerToken: [] }],
        params: Type.Object({ icfg: IcfgParam }),
        body: EventBody,
        response: { 201: Type.Object({}), ...errorResponses(400, 401, 403, 404, 500) },
      },
    },
    async (request, reply) => {
      const { icfg } = request.params;
      const { event } = request.body;
      // installation.updated: Stockroom keeps no installation-level plan to re-read, so the event
      // is acknowledged and nothing changes.
      if (event.type === 'resource.updated') await refreshResourceOfInstallation(ctx, icfg, event.resourceId);
      return reply.code(201).send({});
    },
  );

  const secretsHandler = async (request: FastifyRequest<{ Params: { icfg: string; resourceId: string }; Body: SecretsBodyType }>) => {
    const { icfg, resourceId } = request.params;
    const store = await findStoreRowOfResource(ctx.db, icfg, resourceId);
    if (!store || store.lifecycle !== 'live') throw new ApiError('not_found', `The resource ${resourceId} was not found in ${icfg}.`);
    const body = request.body;
    await replaceResourceSecrets(ctx, store.id, body.secrets, body.partial === true);
    // Names and counts only: the values are secrets.
    request.log.info({ store: store.id, secrets: body.secrets.length, partial: body.partial === true }, 'resource secrets updated by partner');
  };
  const secretsSchema = (summary: string, params: ReturnType<typeof Type.Object>) => ({
    tags: ['marketplace'],
    summary,
    hide: hidden,
    security: [{ bearerToken: [] }],
    params,
    body: SecretsBody,
    // Exactly 201 with no body: the SDK treats any other success status as a failure.
    response: { 201: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
  });
  const secretsOptions = {
    config: { auth: 'none' as const },
    onRequest: requireInstallationToken(ctx),
  };

  app.put(
    `${prefix}/v1/installations/:icfg/resources/:resourceId/secrets`,
    {
      ...secretsOptions,
      schema: secretsSchema('Update Resource Secrets: a partner replaces (or with partial, merges) a resource’s secrets; 201', Type.Object({ icfg: IcfgParam, resourceId: ResourceIdParam })),
    },
    async (request, reply) => {
      await secretsHandler(request as never);
      return reply.code(201).send(null);
    },
  );
  app.put(
    `${prefix}/v1/installations/:icfg/products/:product/resources/:resourceId/secrets`,
    {
      ...secretsOptions,
      schema: {
        ...secretsSchema('Update Resource Secrets (deprecated form with the product in the path); 201', Type.Object({ icfg: IcfgParam, product: Type.String({ minLength: 1, maxLength: 256 }), resourceId: ResourceIdParam })),
        deprecated: true,
      },
    },
    async (request, reply) => {
      await secretsHandler(request as never);
      return reply.code(201).send(null);
    },
  );
}
