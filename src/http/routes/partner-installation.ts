import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import type { Installation } from '../../domain/installations.js';
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
import { installationOf, partnerRouteOptions } from '../plugins/installation-token.js';
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
  const options = <S extends object>(summary: string, schema: S) => partnerRouteOptions(ctx, prefix, summary, schema);

  app.patch(
    `${prefix}/v1/installations/:icfg`,
    options('Update Installation: the partner records its status, externalId, billing plan or notification for the installation; 204', {
      params: Icfg,
      body: UpdateInstallationBody,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
    }),
    async (request, reply) => {
      await updateInstallationByPartner(ctx, installationOf(request), request.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    `${prefix}/v1/installations/:icfg/account`,
    options('Get Account Information: the installing team’s name, URL and contact', { params: Icfg, response: { 200: AccountInfo, ...errorResponses(401, 403, 404) } }),
    async (request) => accountOfInstallation(ctx, installationOf(request)),
  );

  app.get(
    `${prefix}/v1/installations/:icfg/member/:memberId`,
    options('Get Member Information: a member of the installing team by user id, with its role as ADMIN or USER', {
      params: Type.Object({ icfg: IcfgParam, memberId: Type.String({ minLength: 1, maxLength: 128 }) }),
      response: { 200: MemberInfo, ...errorResponses(401, 403, 404) },
    }),
    async (request) => memberOfInstallation(ctx, installationOf(request), request.params.memberId),
  );

  // Rotate and revoke: both need the integration's client secret besides the token.
  const credentialRoute = <B extends TSchema, R extends TSchema>(
    action: 'rotate' | 'revoke',
    summary: string,
    body: B,
    response: R,
    run: (installation: Installation, body: Static<B>, request: FastifyRequest) => Promise<Static<R>>,
  ) => {
    const handler = async (request: FastifyRequest): Promise<Static<R>> => {
      const installation = installationOf(request);
      const given = request.body as Static<B> & { client_secret: string; client_id?: string };
      checkClientCredentials(ctx, installation, given);
      return run(installation, given, request);
    };
    // Generic over the body and answer schemas, the handler's types are checked here, not by Fastify's inference.
    app.post(`${prefix}/v1/installations/:icfg/credentials/${action}`, options(summary, { params: Icfg, body, response: { 200: response, ...errorResponses(400, 401, 403, 404, 409) } }), handler as never);
  };

  credentialRoute(
    'rotate',
    'Rotate Installation Credential: with the client secret, a new access token; the previous one stays valid for the overlap (24 h by default)',
    RotateCredentialBody,
    RotateCredentialResponse,
    async (installation, _body, request) => {
      const { accessToken, scope } = await rotateInstallationCredential(ctx, installation);
      // The value only goes back to the caller: never logged, stored only as its hash.
      request.log.info({ installation: installation.id }, 'installation credential rotated by partner');
      return { access_token: accessToken, expires_in: 0, scope, token_type: 'oauth2-token' as const };
    },
  );
  credentialRoute(
    'revoke',
    'Revoke Installation Credential: with the client secret, retires a superseded access token before its overlap ends',
    RevokeCredentialBody,
    RevokeCredentialResponse,
    async (installation, body) => {
      const { revoked, alreadyRevoked } = await revokeInstallationCredential(ctx, installation, body.token);
      return { revoked, already_revoked: alreadyRevoked };
    },
  );
}
