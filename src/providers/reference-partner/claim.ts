import type { FastifyInstance } from 'fastify';
import { VercelApiError } from '../partner-kit/vercel-api-client.js';
import { findAccessToken } from './installation-store.js';
import type { PartnerContext } from './options.js';
import { page, signIn, type SsoSettings } from './sso.js';

/**
 * `GET /claim`: the reference partner's sandbox claim page (catalog `sandboxClaimUrl:
 * "builtin:reference/claim"`, docs/resources-and-sso-links.md). Stockroom sends the person here
 * with a one-time sign-in code; the partner trades it for an `id_token`, and the resource it
 * names (the token's `resource_id`, signed by Stockroom, not the query's) becomes the team's:
 * the partner tells Stockroom with Update Resource `{ownership: "owned"}`, which completes the
 * claim that `vercel integration resource claim` is polling for.
 *
 * A real partner would ask the person to sign up or confirm first; the code is single-use and
 * bound to the person, so opening the link is the confirmation here.
 */
export async function claimRoutes(app: FastifyInstance, ctx: PartnerContext, sso: SsoSettings): Promise<void> {
  app.get('/claim', { schema: { hide: true } }, async (request, reply) => {
    const identity = await signIn(request, reply, sso);
    if (!identity) return reply;
    // Any member gets a sign-in code from "Open in provider", a VIEWER too; claiming changes who
    // owns the resource, which Stockroom lets only OWNER and MEMBER do (`user_role` ADMIN).
    if (identity.userRole !== 'ADMIN') {
      return page(reply, 403, 'Claim refused', 'Only a team member who may change resources (role ADMIN at this partner) can claim a sandbox resource.');
    }
    const resourceId = identity.claims.resource_id;
    if (typeof resourceId !== 'string' || resourceId === '') return page(reply, 400, 'Claim failed', 'The sign-in names no resource to claim.');
    const token = await findAccessToken(ctx.db, ctx.secretBox, identity.installationId);
    if (!token) return page(reply, 409, 'Claim failed', `This partner holds no access token for installation ${identity.installationId}.`);
    try {
      await sso.client.forInstallation(identity.installationId, token).updateResource(resourceId, { ownership: 'owned' });
    } catch (error) {
      request.log.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'reference partner claim failed');
      const status = error instanceof VercelApiError && error.status >= 400 && error.status < 500 ? 409 : 502;
      return page(reply, status, 'Claim failed', 'Stockroom refused the change of ownership. Run the claim again from Stockroom.');
    }
    const who = identity.userName ?? identity.userEmail ?? identity.userId ?? 'unknown user';
    return page(reply, 200, 'Claimed', `${who} claimed resource ${resourceId}: it now belongs to the team.`);
  });
}
