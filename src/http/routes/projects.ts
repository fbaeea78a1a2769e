import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { findProjectOfTeam, insertProject, listProjectsOfTeam } from '../../db/projects.js';
import { newId } from '../../domain/ids.js';
import type { Project } from '../../domain/projects.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../context.js';
import { ErrorBody } from '../error-schema.js';
import { KeysetPagination, KeysetQuery, keysetPage, keysetPageQuery } from '../keyset-pagination.js';
import { TeamQuery } from '../pagination.js';
import { teamOf } from '../plugins/auth.js';
import { presentProject } from '../presenters/project.js';
import { CreateProjectBody, Project as ProjectWire } from '../schemas/project.js';

const IdOrNameParams = Type.Object({ idOrName: Type.String({ minLength: 1, maxLength: 128 }) });

/**
 * Projects, in the minimal shape stores need (issue 4 §3): something to connect a store to and to
 * pull env vars from. Vercel's create is `/v11`, reads are `/v9`.
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
        response: { 200: ProjectWire, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
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
        response: { 200: ProjectWire, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
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
        querystring: Type.Object({ ...KeysetQuery.properties, ...TeamQuery.properties }),
        response: { 200: Type.Object({ projects: Type.Array(ProjectWire), pagination: KeysetPagination }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const page = keysetPageQuery(request.query);
      const rows = await listProjectsOfTeam(ctx.db, teamOf(request).team.id, page);
      const { items, pagination } = keysetPage(rows, page.limit, (p) => p);
      return { projects: items.map(presentProject), pagination };
    },
  );
};
