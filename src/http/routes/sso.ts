import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { findVisibleStoreOfTeam } from '../../db/store-reads.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { userCaller } from '../../providers/provider-for.js';
import { exchangeSsoCode, ssoIntegrationOf, startSso } from '../../use-cases/sso.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { IdParams } from '../path-params.js';
import { actorOf, teamOf } from '../plugins/auth.js';

/**
 * SSO, "Open in provider" (partner-api.md §1.3, docs/partner-billing-and-sso.md): a team member
 * asks Stockroom for the partner's Redirect Login URL with a one-time `code` (Stockroom's own
 * route: Vercel's dashboard does this behind its UI), and the partner exchanges the code with its
 * client credentials at Vercel's `POST /v1/integrations/sso/token` for an `id_token`.
 */
export const ssoRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Vercel documents `grant_type` "when using x-www-form-urlencoded content type": take that too.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(
    '/stockroom/v1/stores/:id/sso',
    {
      schema: {
        tags: ['storage'],
        summary: 'Whether the store’s integration offers "Open in provider" (SSO to its dashboard)',
        params: IdParams,
        querystring: TeamQuery,
        response: { 200: Type.Object({ available: Type.Boolean() }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const store = await findVisibleStoreOfTeam(ctx.db, teamOf(request).team.id, request.params.id);
      if (!store) throw new ApiError('not_found', `The store ${request.params.id} was not found.`);
      return { available: (await ssoIntegrationOf(ctx, store.teamId, store.installationId)) !== undefined };
    },
  );

  app.post(
    '/stockroom/v1/stores/:id/sso',
    {
      schema: {
        tags: ['storage'],
        summary: 'Open in provider: a one-time SSO code (5 min) and the partner’s redirect-login URL carrying it',
        params: IdParams,
        querystring: TeamQuery,
        body: Type.Optional(
          Type.Object({
            projectId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            invoiceId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
          }),
        ),
        response: { 200: Type.Object({ url: Type.String(), expiresAt: Type.Number() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { team, membership } = teamOf(request);
      const store = await findVisibleStoreOfTeam(ctx.db, team.id, request.params.id);
      if (!store) throw new ApiError('not_found', `The store ${request.params.id} was not found.`);
      const body = request.body ?? {};
      return startSso(ctx, {
        store,
        caller: userCaller(actorOf(request).user, membership),
        ...(body.projectId !== undefined ? { projectId: body.projectId } : {}),
        ...(body.invoiceId !== undefined ? { invoiceId: body.invoiceId } : {}),
      });
    },
  );

  const TokenBody = Type.Object({
    code: Type.String({ minLength: 1, maxLength: 512 }),
    state: Type.Optional(Type.String({ maxLength: 512 })),
    client_id: Type.String({ minLength: 1, maxLength: 256 }),
    client_secret: Type.String({ minLength: 1, maxLength: 1024 }),
    redirect_uri: Type.Optional(Type.String({ maxLength: 2048 })),
    grant_type: Type.Optional(Type.String({ maxLength: 64 })),
  });
  for (const prefix of ['', '/api']) {
    app.post(
      `${prefix}/v1/integrations/sso/token`,
      {
        config: { auth: 'none' },
        schema: {
          tags: ['marketplace'],
          summary: 'SSO Token Exchange: a partner trades a one-time code and its client credentials for an id_token',
          hide: prefix !== '',
          body: TokenBody,
          // The SDK's first answer shape: `access_token` and `token_type` are required, and null here.
          response: {
            200: Type.Object({ id_token: Type.String(), access_token: Type.Null(), token_type: Type.Null() }),
            ...errorResponses(400, 403),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const { idToken } = await exchangeSsoCode(ctx, {
          code: body.code,
          clientId: body.client_id,
          clientSecret: body.client_secret,
          ...(body.state !== undefined ? { state: body.state } : {}),
          ...(body.grant_type !== undefined ? { grantType: body.grant_type } : {}),
        });
        // A token answer is never cached (RFC 6749 §5.1).
        reply.header('cache-control', 'no-store');
        return { id_token: idToken, access_token: null, token_type: null };
      },
    );
  }
};
