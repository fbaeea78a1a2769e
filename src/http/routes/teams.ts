import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createTeam } from '../../db/accounts-store.js';
import { listTeamsOfUser } from '../../db/teams.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { KeysetPagination, KeysetQuery, keysetPage, keysetPageQuery } from '../keyset-pagination.js';
import { actorOf, resolveTeam } from '../plugins/auth.js';
import { presentTeam, TeamWire } from '../presenters/account.js';
import { TeamIdParams } from '../path-params.js';

const TeamList = Type.Object({ teams: Type.Array(TeamWire), pagination: KeysetPagination });
const SLUG = '^[a-z0-9][a-z0-9-]{0,47}$';

/** Vercel's team endpoints: list (v1 and v2), get one, create. */
export const teamRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  for (const version of ['v1', 'v2']) {
    app.get(
      `/${version}/teams`,
      {
        config: { auth: 'user', scopedTokens: true },
        schema: {
          tags: ['teams'],
          summary: 'List the teams of the authenticated user',
          querystring: KeysetQuery,
          response: { 200: TeamList, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const page = keysetPageQuery(request.query);
        // A team-scoped token sees only its team.
        const rows = await listTeamsOfUser(ctx.db, actor.user.id, { ...page, onlyTeamId: actor.token.teamId });
        const { items, pagination } = keysetPage(rows, page.limit, (r) => r.team);
        return { teams: items.map((r) => presentTeam(r.team, r.membership)), pagination };
      },
    );
  }

  app.get(
    '/v2/teams/:teamId',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: 'Get a team by id (or slug)',
        params: TeamIdParams,
        querystring: Type.Object({ slug: Type.Optional(Type.String()) }),
        response: { 200: TeamWire, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const { team, membership } = await resolveTeam(ctx, actorOf(request), { teamId: request.params.teamId });
      return presentTeam(team, membership);
    },
  );

  app.post(
    '/v1/teams',
    {
      // Not for team-scoped tokens (the auth hook refuses them): a new team is beyond their team.
      config: { auth: 'user' },
      schema: {
        tags: ['teams'],
        summary: 'Create a team; the caller becomes its OWNER',
        body: Type.Object({
          slug: Type.String({ pattern: SLUG, description: 'lowercase letters, digits and dashes, at most 48' }),
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        }),
        response: { 200: TeamWire, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const now = ctx.now();
      const team = await createTeam(ctx.db, { slug: request.body.slug, name: request.body.name ?? request.body.slug, creatorId: actor.user.id, now });
      return presentTeam(team, { teamId: team.id, userId: actor.user.id, role: 'OWNER', createdAt: now });
    },
  );
};
