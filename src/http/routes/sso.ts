import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { exchangeSsoCode } from '../../use-cases/sso.js';
import { errorResponses } from '../error-schema.js';

/**
 * SSO Token Exchange (partner-api.md §1.3, docs/partner-billing-and-sso.md): the partner trades
 * the one-time `code` a team member brought it (store-partner-panels.ts made it) and its client
 * credentials for an `id_token` signed with Stockroom's keys. Mounted at the root and under `/api`.
 */
export const ssoRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Vercel documents `grant_type` "when using x-www-form-urlencoded content type": take that too.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const TokenBody = Type.Object({
    // Optional in the schema so that a refresh-token grant (no code) is refused for its grant type.
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    refresh_token: Type.Optional(Type.String({ maxLength: 1024 })),
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
