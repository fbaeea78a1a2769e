import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import {
  accountOfInstallation,
  checkClientCredentials,
  memberOfInstallation,
  revokeInstallationCredential,
  rotateInstallationCredential,
  updateInstallationByPartner,
} from '../../use-cases/partner-installation.js';
import { errorResponses } from '../error-schema.js';
import { installationOf, requireInstallationToken } from '../plugins/installation-token.js';
import {
  AccountInfo,
  MemberInfo,
  RevokeCredentialBody,
  RevokeCredentialResponse,
  RotateCredentialBody,
  RotateCredentialResponse,
  UpdateInstallationBody,
} from '../schemas/index.js';

/**
 * The installation endpoints partners call with its access token (partner-api.md §1.5,
 * docs/partner-calls.md): Update Installation, Get Account and Member Information, and rotating
 * and revoking that token. Mounted at the root and under `/api`, like partner-callbacks.ts.
 */
export const partnerInstallationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  for (const prefix of ['', '/api']) registerRoutes(app, ctx, prefix);
};

const IcfgParam = Type.String({ minLength: 1, maxLength: 128 });
const Icfg = Type.Object({ icfg: IcfgParam });

function registerRoutes(app: Parameters<FastifyPluginAsyncTypebox>[0], ctx: AppContext, prefix: string): void {
  const common = {
    config: { auth: 'none' as const },
    onRequest: requireInstallationToken(ctx),
  };
  const schema = (summary: string) => ({ tags: ['marketplace'], summary, hide: prefix !== '', security: [{ bearerToken: [] }] });

  app.patch(
    `${prefix}/v1/installations/:icfg`,
    {
      ...common,
      schema: {
        ...schema('Update Installation: the partner records its status, externalId, billing plan or notification for the installation; 204'),
        params: Icfg,
        body: UpdateInstallationBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await updateInstallationByPartner(ctx, installationOf(request), request.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    `${prefix}/v1/installations/:icfg/account`,
    {
      ...common,
      schema: {
        ...schema('Get Account Information: the installing team’s name, URL and contact'),
        params: Icfg,
        response: { 200: AccountInfo, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => accountOfInstallation(ctx, installationOf(request)),
  );

  app.get(
    `${prefix}/v1/installations/:icfg/member/:memberId`,
    {
      ...common,
      schema: {
        ...schema('Get Member Information: a member of the installing team by user id, with its role as ADMIN or USER'),
        params: Type.Object({ icfg: IcfgParam, memberId: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: MemberInfo, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => memberOfInstallation(ctx, installationOf(request), request.params.memberId),
  );

  app.post(
    `${prefix}/v1/installations/:icfg/credentials/rotate`,
    {
      ...common,
      schema: {
        ...schema('Rotate Installation Credential: with the client secret, a new access token; the previous one stays valid for the overlap (24 h by default)'),
        params: Icfg,
        body: RotateCredentialBody,
        response: { 200: RotateCredentialResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const installation = installationOf(request);
      checkClientCredentials(ctx, installation, request.body);
      const { accessToken, scope } = await rotateInstallationCredential(ctx, installation);
      // The value only goes back to the caller: never logged, stored only as its hash.
      request.log.info({ installation: installation.id }, 'installation credential rotated by partner');
      return { access_token: accessToken, expires_in: 0, scope, token_type: 'oauth2-token' as const };
    },
  );

  app.post(
    `${prefix}/v1/installations/:icfg/credentials/revoke`,
    {
      ...common,
      schema: {
        ...schema('Revoke Installation Credential: with the client secret, retires a superseded access token before its overlap ends'),
        params: Icfg,
        body: RevokeCredentialBody,
        response: { 200: RevokeCredentialResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const installation = installationOf(request);
      checkClientCredentials(ctx, installation, request.body);
      const { revoked, alreadyRevoked } = await revokeInstallationCredential(ctx, installation, request.body.token);
      return { revoked, already_revoked: alreadyRevoked };
    },
  );
}
