import type { FastifyRequest } from 'fastify';
import { hashToken } from '../../crypto/secret-box.js';
import { findInstallationByTokenHash } from '../../db/installations.js';
import type { Installation } from '../../domain/installations.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The installation whose access token the request carries, which must be the one in the path:
 * 401 for a missing, unknown or revoked token, or one rotated away whose overlap has ended; 403
 * for another installation's token (so a partner cannot touch a team it was not installed on).
 * Partners call with this token, never a user's.
 */
export async function authenticateInstallation(ctx: AppContext, request: FastifyRequest, icfg: string, options: InstallationTokenOptions = {}): Promise<Installation> {
  const header = request.headers.authorization;
  if (!header) throw new ApiError('unauthorized', 'Missing Authorization header: send `Authorization: Bearer <installation access token>`.');
  const token = BEARER.exec(header.trim())?.[1];
  if (!token) throw new ApiError('unauthorized', 'Malformed Authorization header: expected `Bearer <token>`.');
  const installation = await findInstallationByTokenHash(ctx.db, hashToken(token), ctx.now(), options);
  if (!installation) throw new ApiError('unauthorized', 'The token is not a valid installation access token.');
  if (installation.id !== icfg) throw new ApiError('forbidden', `This token belongs to another installation than ${icfg}.`);
  return installation;
}

export interface InstallationTokenOptions {
  /**
   * Billing calls (usage, balances, invoices, Finalize): also accept the token of an installation
   * uninstalled with `{finalized:false}` while it waits for its final invoices
   * (docs/partner-billing-and-sso.md). Every other call refuses it as soon as the team uninstalls.
   */
  readonly duringFinalization?: boolean;
}

/**
 * An `onRequest` hook for routes with `:icfg` in the path that partners call with the
 * installation's access token; the installation is on `request.installation` for the handler.
 */
export function requireInstallationToken(ctx: AppContext, options: InstallationTokenOptions = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    request.installation = await authenticateInstallation(ctx, request, (request.params as { icfg: string }).icfg, options);
  };
}

/**
 * The options of a route partners call with the installation's token (partner-callbacks.ts,
 * partner-installation.ts, partner-resources.ts): no user auth, the token checked first, tag
 * `marketplace`, bearer security, and hidden from the OpenAPI document under the `/api` prefix.
 */
export function partnerRouteOptions<S extends object>(ctx: AppContext, prefix: string, summary: string, schema: S) {
  return {
    config: { auth: 'none' as const },
    onRequest: requireInstallationToken(ctx),
    schema: { tags: ['marketplace'], summary, hide: prefix !== '', security: [{ bearerToken: [] }], ...schema },
  };
}

/** The installation `requireInstallationToken` put on the request, for the handlers after it. */
export function installationOf(request: FastifyRequest): Installation {
  if (!request.installation) throw new Error('requireInstallationToken did not run before this handler');
  return request.installation;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireInstallationToken` on partner-called routes. */
    installation?: Installation;
  }
}
