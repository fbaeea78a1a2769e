import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { deleteResource, getResource, importResource, listResources, updateResource } from '../../use-cases/partner-resources.js';
import { errorResponses } from '../error-schema.js';
import { installationOf, partnerRouteOptions } from '../plugins/installation-token.js';
import { presentPartnerResource, presentPartnerResourceItem } from '../presenters/partner-resource.js';
import { ImportResourceBody, PartnerResource, PartnerResourceList, ResourceNameResponse, UpdateResourceBody } from '../schemas/index.js';

/**
 * The resource endpoints partners call with the installation's access token (partner-api.md
 * §1.5, vercel-contract.md §6, docs/partner-calls.md): List and Get Resource(s), Import Resource
 * (a resource made outside Stockroom becomes a store of the team), Update Resource and Delete
 * Resource. `resourceId` is always the partner's id. Mounted at the root and under `/api`.
 */
export const partnerResourceRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  for (const prefix of ['', '/api']) registerRoutes(app, ctx, prefix);
};

const IcfgParam = Type.String({ minLength: 1, maxLength: 128 });
const ResourceParams = Type.Object({ icfg: IcfgParam, resourceId: Type.String({ minLength: 1, maxLength: 256 }) });

function registerRoutes(app: Parameters<FastifyPluginAsyncTypebox>[0], ctx: AppContext, prefix: string): void {
  const options = <S extends object>(summary: string, schema: S) => partnerRouteOptions(ctx, prefix, summary, schema);
  const path = `${prefix}/v1/installations/:icfg/resources/:resourceId`;

  app.get(
    `${prefix}/v1/installations/:icfg/resources`,
    options('Get Integration Resources: the installation’s live stores, as the partner’s resources', {
      params: Type.Object({ icfg: IcfgParam }),
      response: { 200: PartnerResourceList, ...errorResponses(401, 403, 404) },
    }),
    async (request) => ({ resources: (await listResources(ctx, installationOf(request))).map(presentPartnerResourceItem) }),
  );

  app.get(
    path,
    options('Get Integration Resource: one store of the installation, by the partner’s resource id', { params: ResourceParams, response: { 200: PartnerResource, ...errorResponses(401, 403, 404, 409) } }),
    async (request) => presentPartnerResource(await getResource(ctx, installationOf(request), request.params.resourceId)),
  );

  app.put(
    path,
    options('Import Resource: a resource the partner made becomes (or updates) a store of the team; nothing is charged', {
      params: ResourceParams,
      body: ImportResourceBody,
      response: { 200: ResourceNameResponse, ...errorResponses(400, 401, 403, 404, 409, 422) },
    }),
    async (request) => importResource(ctx, installationOf(request), request.params.resourceId, request.body),
  );

  app.patch(
    path,
    options('Update Resource: the partner changes a store’s name, status, metadata, plan, notification, ownership, extras or secrets', {
      params: ResourceParams,
      body: UpdateResourceBody,
      response: { 200: ResourceNameResponse, ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (request) => {
      const { secrets, ...fields } = request.body;
      const given = secrets === undefined ? undefined : Array.isArray(secrets) ? { secrets, partial: false } : { secrets: secrets.secrets, partial: secrets.partial === true };
      return updateResource(ctx, installationOf(request), request.params.resourceId, { ...fields, ...(given ? { secrets: given } : {}) });
    },
  );

  app.delete(
    path,
    options('Delete Integration Resource: the store is recorded deleted and its projects lose its variables; the partner is not called back', {
      params: ResourceParams,
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
    }),
    async (request, reply) => {
      await deleteResource(ctx, installationOf(request), request.params.resourceId);
      return reply.code(204).send(null);
    },
  );
}
