import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deleteProjectOfTeam, findProjectOfTeam, insertProject, listProjectsOfTeam } from '../../db/projects.js';
import { newId } from '../../domain/ids.js';
import type { Project } from '../../domain/projects.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { DEFAULT_LIMIT, decodeCursor, KeysetPagination, KeysetQuery, keysetPage, keysetPageQuery } from '../keyset-pagination.js';
import type { KeysetPageQuery } from '../../db/keyset.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, teamOf } from '../plugins/auth.js';
import { presentProject } from '../presenters/project.js';
import { CreateProjectBody, Project as ProjectWire } from '../schemas/project.js';

const IdOrNameParams = Type.Object({ idOrName: Type.String({ minLength: 1, maxLength: 128 }) });

const ProjectsPage = Type.Object({ projects: Type.Array(ProjectWire), pagination: KeysetPagination });

/**
 * Filters of Vercel's project list over things Stockroom does not model (git repositories, edge
 * configs, build machines…). Ignoring them would answer a wrong list, so they are a 400.
 */
const UNMODELLED_FILTERS = [
  'repo', 'repoId', 'repoUrl', 'excludeRepos', 'edgeConfigId', 'edgeConfigTokenId', 'deprecated',
  'elasticConcurrencyEnabled', 'staticIpsEnabled', 'buildMachineTypes', 'buildQueueConfiguration', 'gitForkProtection',
] as const;

/**
 * `GET /v10/projects` query: what `@vercel/sdk`'s getProjects sends. `from` continues a list: a
 * previous page's `pagination.next` (epoch ms, like v9's `until`) or its `nextCursor`.
 */
const V10ListQuery = Type.Object({
  ...TeamQuery.properties,
  limit: KeysetQuery.properties.limit,
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "a previous page's `pagination.next` or `pagination.nextCursor`" })),
  search: Type.Optional(Type.String({ maxLength: 100, description: 'only projects whose name contains this' })),
  ...Object.fromEntries(UNMODELLED_FILTERS.map((name) => [name, Type.Optional(Type.String({ description: 'not supported: Stockroom does not model it (400)' }))])),
});

/**
 * Projects, in the minimal shape stores need (issue 4 §3): something to connect a store to and to
 * pull env vars from. Vercel's create is `/v11`, reads are `/v9` and `/v10` (the list the SDK
 * calls), delete is `/v9`.
 */
export const projectRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/v11/projects',
    {
      config: { write: true },
      schema: {
        tags: ['projects'],
        summary: 'Create a project (name unique within the team)',
        querystring: TeamQuery,
        body: CreateProjectBody,
        response: { 200: ProjectWire, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const { team } = teamOf(request);
      const now = ctx.now();
      const project: Project = { id: newId('prj'), teamId: team.id, name: request.body.name, framework: request.body.framework ?? null, createdAt: now, updatedAt: now };
      if (!(await insertProject(ctx.db, project))) {
        throw new ApiError('conflict', `A project named "${project.name}" already exists in team ${team.slug}.`, { param: 'name' });
      }
      return presentProject(project);
    },
  );

  app.get(
    '/v9/projects/:idOrName',
    {
      schema: {
        tags: ['projects'],
        summary: 'One project of the team, by id or name',
        params: IdOrNameParams,
        querystring: TeamQuery,
        response: { 200: ProjectWire, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const project = await findProjectOfTeam(ctx.db, teamOf(request).team.id, request.params.idOrName);
      if (!project) throw new ApiError('not_found', `The project ${request.params.idOrName} was not found.`);
      return presentProject(project);
    },
  );

  app.get(
    '/v9/projects',
    {
      schema: {
        tags: ['projects'],
        summary: "The team's projects, newest first",
        querystring: Type.Object({ ...KeysetQuery.properties, ...TeamQuery.properties, search: V10ListQuery.properties.search }),
        response: { 200: ProjectsPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      return listPage(ctx, teamOf(request).team.id, keysetPageQuery(request.query), request.query.search);
    },
  );

  app.get(
    '/v10/projects',
    {
      schema: {
        tags: ['projects'],
        summary: "The team's projects, newest first (what `@vercel/sdk`'s getProjects calls)",
        querystring: V10ListQuery,
        response: { 200: ProjectsPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const query = request.query as Record<string, string | number | undefined>;
      const unmodelled = UNMODELLED_FILTERS.find((name) => query[name] !== undefined);
      if (unmodelled !== undefined) {
        throw new ApiError('bad_request', `Filtering projects by \`${unmodelled}\` is not supported: Stockroom does not model it.`, { param: unmodelled });
      }
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      return listPage(ctx, teamOf(request).team.id, { limit, ...fromQuery(request.query.from) }, request.query.search);
    },
  );

  app.delete(
    '/v9/projects/:idOrName',
    {
      config: { write: true },
      schema: {
        tags: ['projects'],
        summary: 'Delete a project and its store connections (204)',
        params: IdOrNameParams,
        querystring: TeamQuery,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const teamId = teamOf(request).team.id;
      const project = await findProjectOfTeam(ctx.db, teamId, request.params.idOrName);
      if (!project || !(await deleteProjectOfTeam(ctx.db, ctx.dialect, teamId, project.id, { userId: actorOf(request).user.id, now: ctx.now() }))) {
        throw new ApiError('not_found', `The project ${request.params.idOrName} was not found.`);
      }
      return reply.code(204).send(null);
    },
  );
};

async function listPage(ctx: AppContext, teamId: string, page: KeysetPageQuery, search: string | undefined) {
  const rows = await listProjectsOfTeam(ctx.db, teamId, { ...page, ...(search !== undefined ? { search } : {}) });
  const { items, pagination } = keysetPage(rows, page.limit, (p) => p);
  return { projects: items.map(presentProject), pagination };
}

/** v10's `from`: a number is Vercel's `pagination.next` (read like `until`), anything else a cursor. */
function fromQuery(from: string | undefined): Pick<KeysetPageQuery, 'until' | 'after'> {
  if (from === undefined) return {};
  if (/^\d{1,15}$/.test(from)) return { until: Number(from) };
  return { after: decodeCursor(from) };
}
