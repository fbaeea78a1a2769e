import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { storeSecretsContext } from '../../db/store-secrets.js';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { listProjectConnections } from '../../db/connections.js';
import { findProjectOfTeam } from '../../db/projects.js';
import type { Membership } from '../../domain/accounts.js';
import { canReadEnvValues, envForTarget, parseSecretValues, projectEnvVars, type ConnectedSecrets, type ProjectEnvVar } from '../../domain/env-vars.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { teamOf } from '../plugins/auth.js';
import { presentProjectEnv } from '../presenters/env-var.js';
import { EnvPull, ProjectEnvList } from '../schemas/env-var.js';

/**
 * A project's env vars, as connected stores give them (issue 6 §5): `vercel env pull`'s read and
 * Vercel's env list. Values are decrypted only to answer, only for roles that may read them, and
 * never logged; answers carry `cache-control: no-store`.
 */
export const envVarRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/v3/env/pull/:projectId/:target',
    {
      schema: {
        tags: ['projects'],
        summary: "The project's env vars for one target (production, preview, development or a custom environment id), with values",
        params: Type.Object({ projectId: Type.String({ minLength: 1, maxLength: 128 }), target: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: Type.Object({ ...TeamQuery.properties, gitBranch: Type.Optional(Type.String()) }),
        response: { 200: EnvPull, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { team, membership } = teamOf(request);
      assertMayReadValues(membership, team.slug);
      const vars = await loadEnvVars(ctx, team.id, request.params.projectId);
      noStore(reply);
      return { env: envForTarget(vars, request.params.target) };
    },
  );

  // The vercel CLI reads /v9; @vercel/sdk's filterProjectEnvs reads /v10.
  for (const version of ['v9', 'v10']) {
    app.get(
      `/${version}/projects/:idOrName/env`,
      {
        schema: {
          tags: ['projects'],
          summary: "The project's env vars; values only with `decrypt=true`, for OWNER, MEMBER and DEVELOPER",
          params: Type.Object({ idOrName: Type.String({ minLength: 1, maxLength: 128 }) }),
          querystring: Type.Object({ ...TeamQuery.properties, decrypt: Type.Optional(Type.Boolean()) }),
          response: { 200: ProjectEnvList, ...errorResponses(401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { team, membership } = teamOf(request);
        const decrypt = request.query.decrypt === true;
        if (decrypt) assertMayReadValues(membership, team.slug);
        const vars = await loadEnvVars(ctx, team.id, request.params.idOrName);
        noStore(reply);
        const envs = vars.map((v) => presentProjectEnv(v, decrypt));
        return { envs, pagination: { count: envs.length, next: null, prev: null } };
      },
    );
  }
};

function assertMayReadValues(membership: Membership, teamSlug: string): void {
  if (!canReadEnvValues(membership.role)) {
    throw new ApiError('forbidden', `Your role ${membership.role} on team ${teamSlug} may not read environment variable values.`);
  }
}

/**
 * The project's env vars from its connected stores, in one query. Values are opened even when the
 * answer will not show them, because a secret with per-target values is one variable per value
 * and the variables' ids must not depend on who asks; the presenter blanks what may not be shown.
 */
async function loadEnvVars(ctx: AppContext, teamId: string, projectIdOrName: string): Promise<ProjectEnvVar[]> {
  const project = await findProjectOfTeam(ctx.db, teamId, projectIdOrName);
  if (!project) throw new ApiError('not_found', `The project ${projectIdOrName} was not found.`);
  const rows = await listProjectConnections(ctx.db, project.id);
  const connections: ConnectedSecrets[] = rows.map((row) => ({
    connectionId: row.connection.id,
    storeId: row.connection.storeId,
    installationId: row.installationId,
    integrationId: row.integrationId,
    productId: row.productId,
    environments: row.connection.environments,
    envVarPrefix: row.connection.envVarPrefix,
    sensitive: row.connection.sensitive,
    secrets:
      row.secretsSealed !== null
        ? parseSecretValues(ctx.secretBox.open(row.secretsSealed, storeSecretsContext(row.connection.storeId)))
        : row.secrets.map((s) => ({ name: s.name, value: '' })),
    createdAt: row.connection.createdAt,
    updatedAt: Math.max(row.connection.createdAt, row.storeUpdatedAt),
  }));
  return projectEnvVars(connections);
}

function noStore(reply: FastifyReply): void {
  void reply.header('cache-control', 'no-store');
}
