import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { changeMembership } from '../../db/accounts-store.js';
import { findMembership, listMembers } from '../../db/teams.js';
import { findUserByEmail, findUserById } from '../../db/users.js';
import { canAdministerTeam, ROLES, type Role } from '../../domain/roles.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { KeysetPagination, KeysetQuery, keysetPage, keysetPageQuery } from '../keyset-pagination.js';
import { actorOf, resolveTeam } from '../plugins/auth.js';
import { TeamIdParams } from '../path-params.js';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const MemberWire = Type.Object({
  uid: Type.String(),
  email: Type.String(),
  username: Type.String(),
  /** Absent when the user has none, as on Vercel (the SDK reads a null as a wrong type). */
  name: Type.Optional(Type.String()),
  role: Type.String(),
  confirmed: Type.Boolean(),
  createdAt: Type.Number(),
});
const MemberParams = Type.Object({ teamId: Type.String(), uid: Type.String() });

/** Filters of Vercel's member list over project membership, which Stockroom does not model (400). */
const UNMODELLED_MEMBER_FILTERS = ['excludeProject', 'eligibleMembersForProjectId'] as const;

/** `GET /v3/teams/:teamId/members`: what `@vercel/sdk`'s getTeamMembers sends, plus Stockroom's `cursor`. */
const MembersQuery = Type.Object({
  ...KeysetQuery.properties,
  search: Type.Optional(Type.String({ maxLength: 256, description: 'a part of the name, username or email' })),
  role: Type.Optional(Type.String({ maxLength: 32, description: 'only members with this role' })),
  ...Object.fromEntries(UNMODELLED_MEMBER_FILTERS.map((name) => [name, Type.Optional(Type.String({ description: 'not supported: Stockroom has no project members (400)' }))])),
});

const AddMemberBody = Type.Object({
  uid: Type.Optional(Type.String()),
  email: Type.Optional(Type.String({ format: 'email' })),
  role: Type.Optional(RoleSchema),
  /** Vercel's per-project roles for the new member; Stockroom has no project members. */
  projects: Type.Optional(Type.Array(Type.Unknown(), { description: 'not supported: must be absent or empty (400)' })),
});
const AddedMember = Type.Object({ uid: Type.String(), username: Type.String(), email: Type.String(), role: Type.String() });
const AddMemberResponses = { 200: AddedMember, ...errorResponses(400, 403, 404, 409) };

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
      schema: { tags: ['teams'], summary: 'List team members', params: TeamIdParams, response: { 200: Type.Object({ members: Type.Array(MemberWire) }), ...errorResponses(403) } },
    },
    async (request) => {
      const { team } = await resolveTeam(ctx, actorOf(request), { teamId: request.params.teamId });
      const members = await listMembers(ctx.db, team.id);
      return { members: members.map(presentMember) };
    },
  );

  app.get(
    '/v3/teams/:teamId/members',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: "List team members, newest first (what `@vercel/sdk`'s getTeamMembers calls)",
        params: TeamIdParams,
        querystring: MembersQuery,
        response: { 200: Type.Object({ members: Type.Array(MemberWire), pagination: Type.Object({ ...KeysetPagination.properties, hasNext: Type.Boolean() }) }), ...errorResponses(400, 403) },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      const unmodelled = UNMODELLED_MEMBER_FILTERS.find((name) => query[name] !== undefined);
      if (unmodelled !== undefined) throw new ApiError('bad_request', `Filtering members by \`${unmodelled}\` is not supported: Stockroom has no project members.`, { param: unmodelled });
      const page = keysetPageQuery(request.query);
      const { team } = await resolveTeam(ctx, actorOf(request), { teamId: request.params.teamId });
      // A team's members are few: filtered and paged here, in the list's keyset order.
      const search = request.query.search?.toLowerCase();
      const rows = (await listMembers(ctx.db, team.id))
        .map((m) => ({ ...m, id: m.userId }))
        .filter((m) => request.query.role === undefined || m.role === request.query.role)
        .filter((m) => !search || [m.name ?? '', m.username, m.email].some((text) => text.toLowerCase().includes(search)))
        .filter((m) => (page.since === undefined || m.createdAt > page.since) && (page.until === undefined || m.createdAt < page.until))
        .filter((m) => !page.after || m.createdAt < page.after.createdAt || (m.createdAt === page.after.createdAt && m.id < page.after.id))
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .slice(0, page.limit + 1);
      const { items, pagination } = keysetPage(rows, page.limit, (m) => m);
      return { members: items.map(presentMember), pagination: { ...pagination, hasNext: pagination.next !== null } };
    },
  );

  app.post(
    '/v1/teams/:teamId/members',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: { tags: ['teams'], summary: 'Add an existing user to the team with a role (OWNER only)', params: TeamIdParams, body: AddMemberBody, response: AddMemberResponses },
    },
    async (request) => addUser(request, request.body),
  );

  // Vercel's v2 takes a list of invitations but answers one member, so one invitation per call.
  app.post(
    '/v2/teams/:teamId/members',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: "Add one existing user to the team with a role (OWNER only; what `@vercel/sdk`'s inviteUserToTeam calls)",
        params: TeamIdParams,
        body: Type.Array(AddMemberBody, { minItems: 1, maxItems: 1, description: 'exactly one invitation: the answer names one member' }),
        response: AddMemberResponses,
      },
    },
    async (request) => addUser(request, request.body[0] as Static<typeof AddMemberBody>),
  );

  async function addUser(request: Parameters<typeof ownerTeam>[0], body: Static<typeof AddMemberBody>) {
    if (body.projects?.length) throw new ApiError('bad_request', 'Project roles are not supported: Stockroom has no project members.', { param: 'projects' });
    const team = await ownerTeam(request);
    const { uid, email } = body;
    if (!uid && !email) throw new ApiError('bad_request', 'Give the `uid` or the `email` of the user to add.', { param: 'email' });
    const user = uid ? await findUserById(ctx.db, uid) : await findUserByEmail(ctx.db, email as string);
    if (!user) throw new ApiError('not_found', `No user ${uid ?? email} exists on this Stockroom; an operator can create one with POST /stockroom/v1/users.`);
    const role: Role = body.role ?? 'MEMBER';
    // Adding a user who is already a member changes their role, so this is where an OWNER could demote themselves too.
    if ((await changeMembership(ctx.db, { teamId: team.id, userId: user.id, role, now: ctx.now(), actorId: actorOf(request).user.id })) === 'last_owner') throw lastOwnerError(team.slug);
    return { uid: user.id, username: user.username, email: user.email, role };
  }

  /** Gives the member in the path a new role, or (null) removes them; never the team's last OWNER. */
  async function changeMember(request: Parameters<typeof ownerTeam>[0] & { params: Static<typeof MemberParams> }, role: Role | null) {
    const team = await ownerTeam(request);
    const existing = await findMembership(ctx.db, team.id, request.params.uid);
    if (!existing) throw new ApiError('not_found', `The user ${request.params.uid} is not a member of ${team.slug}.`);
    if ((await changeMembership(ctx.db, { teamId: team.id, userId: request.params.uid, role, now: ctx.now(), actorId: actorOf(request).user.id })) === 'last_owner') throw lastOwnerError(team.slug);
    return { id: request.params.uid };
  }

  app.patch(
    '/v1/teams/:teamId/members/:uid',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: "Change a member's role (OWNER only)",
        params: MemberParams,
        body: Type.Object({ role: RoleSchema }),
        response: { 200: Type.Object({ id: Type.String() }), ...errorResponses(400, 403, 404, 409) },
      },
    },
    async (request) => changeMember(request, request.body.role),
  );

  app.delete(
    '/v1/teams/:teamId/members/:uid',
    {
      config: { auth: 'user', scopedTokens: true },
      schema: {
        tags: ['teams'],
        summary: 'Remove a member (OWNER only)',
        params: MemberParams,
        response: { 200: Type.Object({ id: Type.String() }), ...errorResponses(403, 404, 409) },
      },
    },
    async (request) => changeMember(request, null),
  );
};

function presentMember(m: Awaited<ReturnType<typeof listMembers>>[number]): Static<typeof MemberWire> {
  return { uid: m.userId, email: m.email, username: m.username, ...(m.name !== null ? { name: m.name } : {}), role: m.role, confirmed: true, createdAt: m.createdAt };
}
