import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SsoIdentity } from '../partner-kit/sso-id-token.js';
import type { VercelApiClient } from '../partner-kit/vercel-api-client.js';
import type { PartnerContext } from './options.js';
import { findLiveResource } from './resource-store.js';

export interface SsoSettings {
  readonly client: VercelApiClient;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly verify: (idToken: string) => Promise<SsoIdentity>;
}

/**
 * `GET /sso`: the integration's Redirect Login URL (catalog `redirectLoginUrl: "builtin:reference/sso"`).
 * Stockroom opens it with `code`, `state` and, from a store page, `resource_id` (the partner's
 * resource id). The partner trades the code at `POST /v1/integrations/sso/token` with its client id
 * and secret, verifies the `id_token` against Stockroom's JWKS, and shows who signed in. A real
 * partner would start a session here; this one only says it would. Failures are a small HTML page
 * with a 4xx/5xx status, never the token or the secret.
 */
export async function ssoRoutes(app: FastifyInstance, ctx: PartnerContext, sso: SsoSettings): Promise<void> {
  // A page for people's browsers (it answers HTML, errors included), not an API endpoint: kept out
  // of /openapi.json like the console's pages.
  app.get('/sso', { schema: { hide: true } }, async (request, reply) => {
    const identity = await signIn(request, reply, sso);
    if (!identity) return reply;
    const query = request.query as Record<string, unknown>;
    const resourceId = typeof query.resource_id === 'string' && query.resource_id !== '' ? query.resource_id : null;
    const resource = resourceId ? await findLiveResource(ctx.db, ctx.secretBox, identity.installationId, resourceId) : undefined;
    const who = identity.userName ?? identity.userEmail ?? identity.userId ?? 'unknown user';
    const what = resource ? resource.name : (resourceId ?? `installation ${identity.installationId}`);
    return page(reply, 200, 'Signed in to Acme', `Signed in to Acme as ${who} for ${what}`);
  });
}

/**
 * Trades the request's `code` (and `state`) for a verified identity; on failure answers the
 * failure page itself and returns undefined. Shared by every page Stockroom sends a person to
 * with a code (`/sso`, `/claim`).
 */
export async function signIn(request: FastifyRequest, reply: FastifyReply, sso: SsoSettings): Promise<SsoIdentity | undefined> {
  const query = request.query as Record<string, unknown>;
  const code = typeof query.code === 'string' ? query.code : '';
  const state = typeof query.state === 'string' ? query.state : undefined;
  if (code === '') return void page(reply, 400, 'Sign-in failed', 'The sign-in link has no code.');
  if (!sso.clientSecret) return void page(reply, 503, 'Sign-in unavailable', 'This partner was started without its client secret, so it cannot exchange sign-in codes.');
  try {
    const tokens = await sso.client.exchangeSsoToken({ code, ...(state === undefined ? {} : { state }), clientId: sso.clientId, clientSecret: sso.clientSecret });
    return await sso.verify(tokens.idToken);
  } catch (error) {
    request.log.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'reference partner SSO sign-in failed');
    return void page(reply, 401, 'Sign-in failed', 'The sign-in code was refused or the identity token did not verify. Open the store from Stockroom again.');
  }
}

/** A small HTML page with `status`: what the partner's pages answer, errors included. */
export function page(reply: FastifyReply, status: number, title: string, text: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(html(title, text));
}

function html(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p id="message">${escape(text)}</p></body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
