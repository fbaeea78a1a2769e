import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { changeMembership } from '../../db/accounts-store.js';
import { findMembership, listMembers } from '../../db/teams.js';
import { findUserByEmail, findUserById } from '../../db/users.js';
import { canAdministerTeam, ROLES, type Role } from '../../domain/roles.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../context.js';
import { ErrorBody } from '../error-schema.js';
import { actorOf, resolveTeam } from '../plugins/auth.js';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const MemberWire = Type.Object({
  uid: Type.String(),
  email: Type.String(),
  username: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  confirmed: Type.Boolean(),
  createdAt: Type.Number(),
});
const TeamParams = Type.Object({ teamId: Type.String({ minLength: 1, maxLength: 256 }) });

/** A team keeps at least one OWNER: demoting or removing the last one is refused. */
function lastOwnerError(teamSlug: string): ApiError {
  return new ApiError('last_owner', `A team keeps at least one OWNER: make another member OWNER of ${teamSlug} first.`);
}

/**
 * Team members on Vercel's paths. Vercel invites by email; Stockroom has no mail, so the user must
 * already exist (an operator creates users with `POST /stockroom/v1/users`) and joins at once.
 */
export const memberRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  async function ownerTeam(request: { params: { teamId: string } } & Parameters<typeof actorOf>[0]) {
    const { team, membership } = await resolveTeam(ctx, actorOf(request), { teamId: request.params.teamId });
    if (!canAdministerTeam(membership.role)) throw new ApiError('forbidden', `Only an OWNER of ${team.slug} may manage its members.`);
    return team;
  }

  app.get(
    '/v2/teams/:teamId/members',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: { tags: ['teams'], summary: 'List team members', params: TeamParams, response: { 200: Type.Object({ members: Type.Array(MemberWire) }), 403: ErrorBody } },
    },
    async (request) => {
      const { team } = await resolveTeam(ctx, actorOf(request), { teamId: request.params.teamId });
      const members = await listMembers(ctx.db, team.id);
      return { members: members.map((m) => ({ uid: m.userId, email: m.email, username: m.username, name: m.name, role: m.role, confirmed: true, createdAt: m.createdAt })) };
    },
  );

  app.post(
    '/v1/teams/:teamId/members',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: 'Add an existing user to the team with a role (OWNER only)',
        params: TeamParams,
        body: Type.Object({
          uid: Type.Optional(Type.String()),
          email: Type.Optional(Type.String({ format: 'email' })),
          role: Type.Optional(RoleSchema),
        }),
        response: { 200: Type.Object({ uid: Type.String(), username: Type.String(), email: Type.String(), role: Type.String() }), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const team = await ownerTeam(request);
      const { uid, email } = request.body;
      if (!uid && !email) throw new ApiError('bad_request', 'Give the `uid` or the `email` of the user to add.', { param: 'email' });
      const user = uid ? await findUserById(ctx.db, uid) : await findUserByEmail(ctx.db, email as string);
      if (!user) throw new ApiError('not_found', `No user ${uid ?? email} exists on this Stockroom; an operator can create one with POST /stockroom/v1/users.`);
      const role: Role = request.body.role ?? 'MEMBER';
      // Adding a user who is already a member changes their role, so this is where an OWNER could demote themselves too.
      if ((await changeMembership(ctx.db, { teamId: team.id, userId: user.id, role, now: ctx.now() })) === 'last_owner') throw lastOwnerError(team.slug);
      return { uid: user.id, username: user.username, email: user.email, role };
    },
  );

  app.patch(
    '/v1/teams/:teamId/members/:uid',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: "Change a member's role (OWNER only)",
        params: Type.Object({ teamId: Type.String(), uid: Type.String() }),
        body: Type.Object({ role: RoleSchema }),
        response: { 200: Type.Object({ id: Type.String() }), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const team = await ownerTeam(request);
      const existing = await findMembership(ctx.db, team.id, request.params.uid);
      if (!existing) throw new ApiError('not_found', `The user ${request.params.uid} is not a member of ${team.slug}.`);
      const changed = await changeMembership(ctx.db, { teamId: team.id, userId: request.params.uid, role: request.body.role, now: ctx.now() });
      if (changed === 'last_owner') throw lastOwnerError(team.slug);
      return { id: request.params.uid };
    },
  );

  app.delete(
    '/v1/teams/:teamId/members/:uid',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: 'Remove a member (OWNER only)',
        params: Type.Object({ teamId: Type.String(), uid: Type.String() }),
        response: { 200: Type.Object({ id: Type.String() }), 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const team = await ownerTeam(request);
      const existing = await findMembership(ctx.db, team.id, request.params.uid);
      if (!existing) throw new ApiError('not_found', `The user ${request.params.uid} is not a member of ${team.slug}.`);
      if ((await changeMembership(ctx.db, { teamId: team.id, userId: request.params.uid, role: null, now: ctx.now() })) === 'last_owner') throw lastOwnerError(team.slug);
      return { id: request.params.uid };
    },
  );
};
