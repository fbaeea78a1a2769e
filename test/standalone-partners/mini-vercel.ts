import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** One Update Resource Secrets call a partner made. */
export interface SecretPush {
  readonly installationId: string;
  readonly resourceId: string;
  readonly authorization: string | undefined;
  readonly body: any;
  /** What it was answered. */
  readonly status: number;
}

/**
 * What a standalone partner meets when it is pointed at Vercel (or at `stockroom check-partner`):
 * one server that publishes the JWKS its tokens are signed with, at `/.well-known/jwks`, and
 * receives Update Resource Secrets. The issuer of its tokens is its origin, as Vercel's is.
 */
export interface MiniVercel {
  readonly url: string;
  readonly jwksUrl: string;
  readonly pushes: SecretPush[];
  /** Answer the next this-many pushes 500, as a Vercel having a bad moment. */
  failPushes: number;
  /** A user (ADMIN) token for `installationId`, for the partner `clientId`; `claims` override any claim. */
  userToken(clientId: string, installationId: string | null, claims?: Record<string, unknown>): Promise<string>;
  systemToken(clientId: string, installationId: string | null, claims?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startMiniVercel(): Promise<MiniVercel> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `key-${randomBytes(4).toString('hex')}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const app = Fastify({ logger: false });
  const vercel: MiniVercel = {
    url: '',
    jwksUrl: '',
    pushes: [],
    failPushes: 0,
    userToken: (clientId, installationId, claims) =>
      sign(clientId, { sub: `account:${account}:user:${user}`, account_id: `team_${account}`, installation_id: installationId, user_id: `user_${user}`, user_role: 'ADMIN', user_email: 'h@example.com', type: 'access_token', ...claims }),
    systemToken: (clientId, installationId, claims) => sign(clientId, { sub: `account:${account}`, account_id: `team_${account}`, installation_id: installationId, type: 'access_token', ...claims }),
    close: () => app.close(),
  };
  const account = randomBytes(6).toString('hex');
  const user = randomBytes(6).toString('hex');
  const sign = (clientId: string, claims: Record<string, unknown>) => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: vercel.url, aud: clientId, iat, exp: iat + 300, ...claims }).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
  };
  app.get('/.well-known/jwks', async () => ({ keys: [jwk] }));
  app.put('/v1/installations/:icfg/resources/:resourceId/secrets', async (request, reply) => {
    const { icfg, resourceId } = request.params as { icfg: string; resourceId: string };
    const status = vercel.failPushes > 0 ? 500 : 201;
    if (status === 500) vercel.failPushes--;
    vercel.pushes.push({ installationId: icfg, resourceId, authorization: request.headers.authorization, body: request.body, status });
    return status === 500 ? reply.code(500).send({ error: { code: 'internal_server_error', message: 'a bad moment' } }) : reply.code(201).send({});
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(vercel, { url, jwksUrl: `${url}/.well-known/jwks` });
}
