import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { issueToken } from '../../db/accounts-store.js';
import { findTokenOfUser, listTokensOfUser, revokeToken } from '../../db/tokens.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { KeysetPagination, KeysetQuery, keysetPage, keysetPageQuery } from '../keyset-pagination.js';
import type { AccessToken } from '../../domain/accounts.js';
import { tokenSees } from '../../domain/token-scope.js';
import { actorOf, resolveTeam } from '../plugins/auth.js';
import { presentToken, TokenWire } from '../presenters/account.js';
import { TeamQuery } from '../pagination.js';

/**
 * Vercel's access-token endpoints. The value is shown once, in the create answer. A team-scoped
 * token makes tokens of its own team only, and sees and revokes only those (tokenSees); any other
 * token of its user is "not found" to it, so it learns neither that token nor its team's id.
 */
export const tokenRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/v3/user/tokens',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['tokens'],
        summary: 'Create an access token (scoped to the team given by teamId/slug, if any)',
        querystring: TeamQuery,
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 128 }),
          expiresAt: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch milliseconds' })),
        }),
        response: { 200: Type.Object({ token: TokenWire, bearerToken: Type.String() }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const now = ctx.now();
      const { teamId, slug } = request.query;
      let scopeTeamId: string | null = actor.token.teamId;
      if (teamId !== undefined || slug !== undefined) {
        scopeTeamId = (await resolveTeam(ctx, actor, { teamId, slug })).team.id;
      }
      if (request.body.expiresAt !== undefined && request.body.expiresAt <= now) {
        throw new ApiError('bad_request', '`expiresAt` must be in the future.', { param: 'expiresAt' });
      }
      // A token can never outlive or outreach the token that made it.
      const expiresAt = minExpiry(request.body.expiresAt ?? null, actor.token.expiresAt);
      const { token, value } = await issueToken(ctx.db, { userId: actor.user.id, name: request.body.name, teamId: scopeTeamId, expiresAt, origin: 'manual', now });
      return { token: presentToken(token), bearerToken: value };
    },
  );

  // The SDK lists on /v6, older clients and the issue on /v5: both answer the same.
  for (const version of ['v5', 'v6']) {
    app.get(
      `/${version}/user/tokens`,
      {
        config: { auth: 'user', scopedTokens: true },
        schema: {
          tags: ['tokens'],
          summary: "List the user's access tokens",
          querystring: KeysetQuery,
          response: { 200: Type.Object({ tokens: Type.Array(TokenWire), pagination: KeysetPagination }), ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const page = keysetPageQuery(request.query);
        const actor = actorOf(request);
        const rows = await listTokensOfUser(ctx.db, actor.user.id, { ...page, onlyTeamId: actor.token.teamId });
        const { items, pagination } = keysetPage(rows, page.limit, (t) => t);
        return { tokens: items.map(presentToken), pagination };
      },
    );
  }

  /**
   * The caller's live token named in the path ("current" is the calling token); a revoked one, or
   * one its scope does not see, is not found.
   */
  const tokenOfPath = async (request: FastifyRequest, idOrCurrent: string): Promise<AccessToken> => {
    const actor = actorOf(request);
    const tokenId = idOrCurrent === 'current' ? actor.token.id : idOrCurrent;
    const token = await findTokenOfUser(ctx.db, actor.user.id, tokenId);
    if (!token || token.revokedAt !== null || !tokenSees(actor.token, token)) throw new ApiError('not_found', `The token ${tokenId} was not found.`);
    return token;
  };

  app.get('/v5/user/tokens/:tokenId', oneTokenRoute('Get one access token ("current" is the calling token)', Type.Object({ token: TokenWire })), async (request) => ({
    token: presentToken(await tokenOfPath(request, request.params.tokenId)),
  }));

  app.delete(
    '/v3/user/tokens/:tokenId',
    oneTokenRoute('Revoke an access token ("current" revokes the calling token)', Type.Object({ tokenId: Type.String() })),
    async (request) => {
      const token = await tokenOfPath(request, request.params.tokenId);
      await revokeToken(ctx.db, token.id, ctx.now());
      // The auth hook caches token lookups for a few seconds; this process refuses the token at once.
      app.forgetCachedTokens();
      return { tokenId: token.id };
    },
  );
};

const TokenIdParams = Type.Object({ tokenId: Type.String({ minLength: 1, maxLength: 128 }) });

/** The options of a route on one token of the caller's user, answering `ok`. */
function oneTokenRoute<Ok extends TSchema>(summary: string, ok: Ok) {
  return {
    config: { auth: 'user', scopedTokens: true } as const,
    schema: { tags: ['tokens'], summary, params: TokenIdParams, response: { 200: ok, ...errorResponses(401, 404) } },
  };
}

function minExpiry(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
