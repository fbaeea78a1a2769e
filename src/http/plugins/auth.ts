import type { AnyFastify } from '../../any-fastify.js';
import type { FastifyRequest } from 'fastify';
import { hashToken } from '../../crypto/secret-box.js';
import { findTeamWithMembership, findTokenWithUser } from '../../db/access.js';
import { isTokenUsable, type Actor, type Membership, type Team } from '../../domain/accounts.js';
import { canWrite } from '../../domain/roles.js';
import { defaultTeamOf, hasOperatorPowers, tokenMayCall } from '../../domain/token-scope.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { createTokenCache, type TokenCache } from '../token-cache.js';
import { announceInvalidation, onInvalidation } from '../../worker-invalidations.js';

/**
 * What a route needs from the caller, declared in the route's `config`:
 * - `auth: 'none'`: public (health, JWKS, OpenAPI).
 * - `auth: 'user'`: a valid token; no team is resolved.
 * - `auth: 'team'` (the default for routes that declare nothing): a valid token and a team the
 *   token may act for, from `teamId`/`slug` or the default team; `write: true` also requires a
 *   role that may write (docs/rules.md §1.1–§1.3).
 *
 * A team-scoped token is held to its team here, for every route at once (docs/tokens-and-scopes.md):
 * `team` routes resolve only its team, `admin` routes refuse it, and `user` routes refuse it unless
 * they declare `scopedTokens: true`, which promises they confine themselves to the token's team.
 */
export type AuthMode = 'none' | 'user' | 'team';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    write?: boolean;
    /** Only operators of this Stockroom instance (the bootstrap owner), with an unscoped token, may call it. */
    admin?: boolean;
    /**
     * On an `auth: 'user'` route: a team-scoped token may call it, because the route answers and
     * changes only what belongs to the token's team. Without it, scoped tokens get 403.
     */
    scopedTokens?: boolean;
    /**
     * A request without an Authorization header reaches the handler with `request.actor` null
     * (a person's browser following a link); a header that is present is checked as usual.
     */
    anonymous?: boolean;
  }
  interface FastifyInstance {
    /** Forgets the token lookups the auth hook remembers; call it after revoking a token. */
    forgetCachedTokens(): void;
  }
  interface FastifyRequest {
    actor: Actor | null;
    team: Team | null;
    membership: Membership | null;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/i;

export function registerAuth(app: AnyFastify, ctx: AppContext): void {
  // A token and its user are read once per TOKEN_CACHE_TTL_MS rather than on every request; a
  // revocation elsewhere takes effect within that time (README, "Authentication").
  const tokens = createTokenCache({ now: ctx.now, ttlMs: TOKEN_CACHE_TTL_MS });
  app.decorate('forgetCachedTokens', () => {
    tokens.clear();
    announceInvalidation({ kind: 'tokens' });
  });
  const stopListening = onInvalidation((invalidation) => {
    if (invalidation.kind === 'tokens') tokens.clear();
  });
  app.addHook('onClose', async () => stopListening());
  app.decorateRequest('actor', null);
  app.decorateRequest('team', null);
  app.decorateRequest('membership', null);

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // Unknown routes have no handler config: let the 404 handler answer.
    if (!request.routeOptions.url) return;
    const mode: AuthMode = config.auth ?? 'team';
    if (mode === 'none') return;
    if (config.anonymous === true && request.headers.authorization === undefined) return;
    request.actor = await authenticate(ctx, tokens, request);
    if (!tokenMayCall(request.actor.token, { auth: mode, admin: config.admin === true, scopedTokens: config.scopedTokens === true })) {
      throw new ApiError(
        'forbidden',
        config.admin
          ? 'Operator powers need a token that is not scoped to a team; this token is.'
          : 'This token is scoped to one team and may not do this; use a token that is not scoped to a team.',
      );
    }
    if (config.admin && !hasOperatorPowers(request.actor)) {
      throw new ApiError('forbidden', 'Only an operator of this Stockroom instance may do this.');
    }
    if (mode === 'team') {
      const { team, membership } = await resolveTeam(ctx, request.actor, teamSelector(request.query));
      request.team = team;
      request.membership = membership;
      if (config.write && !canWrite(membership.role)) {
        throw new ApiError('forbidden', `Your role ${membership.role} on team ${team.slug} may read but not change resources.`);
      }
    }
  });
}

/** How long a token lookup is reused, in milliseconds: revocation by another replica shows within it. */
export const TOKEN_CACHE_TTL_MS = 2000;

async function authenticate(ctx: AppContext, tokens: TokenCache, request: FastifyRequest): Promise<Actor> {
  const header = request.headers.authorization;
  if (!header) throw new ApiError('unauthorized', 'Missing Authorization header: send `Authorization: Bearer <token>`.');
  const match = BEARER.exec(header.trim());
  if (!match?.[1]) throw new ApiError('unauthorized', 'Malformed Authorization header: expected `Bearer <token>`.');
  const tokenHash = hashToken(match[1]);
  let identity = tokens.get(tokenHash);
  if (!identity) {
    const found = await findTokenWithUser(ctx.db, tokenHash);
    if (!found) throw new ApiError('unauthorized', 'The token is not valid.');
    if (found.token.revokedAt !== null) throw new ApiError('unauthorized', 'The token was revoked.');
    if (!found.user) throw new ApiError('unauthorized', 'The token is not valid.');
    identity = { token: found.token, user: found.user };
    tokens.set(tokenHash, identity);
  }
  const { token, user } = identity;
  // Checked on every request, cached or not, so a token expires on time.
  if (!isTokenUsable(token, ctx.now())) throw new ApiError('unauthorized', 'The token has expired.');
  return { user, token };
}

export interface TeamSelector {
  readonly teamId?: string;
  readonly slug?: string;
}

function teamSelector(query: unknown): TeamSelector {
  const q = (query ?? {}) as Record<string, unknown>;
  // A repeated parameter names no team (403 below). Not a NUL sentinel: PostgreSQL refuses NUL in text.
  const pick = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : Array.isArray(v) ? '(repeated)' : undefined);
  return { teamId: pick(q.teamId), slug: pick(q.slug) };
}

/**
 * Resolves the team a request acts for (docs/rules.md §1.2). An unknown team answers 403 like a
 * team the caller may not see, so team ids cannot be probed.
 */
export async function resolveTeam(ctx: AppContext, actor: Actor, selector: TeamSelector): Promise<{ team: Team; membership: Membership }> {
  const denied = (what: string) => new ApiError('forbidden', `You do not have access to the team ${what}.`);
  // The team and the caller's membership come in one query; neither is cached, so a role or
  // billing change applies to the very next request.
  let found: { team: Team; membership: Membership | undefined } | undefined;
  if (selector.teamId !== undefined) {
    found = await findTeamWithMembership(ctx.db, selector.teamId.startsWith('team_') ? { id: selector.teamId } : { slug: selector.teamId }, actor.user.id);
    if (!found) throw denied(`"${selector.teamId}"`);
    if (selector.slug !== undefined && selector.slug !== found.team.slug) throw denied(`"${selector.slug}"`);
  } else if (selector.slug !== undefined) {
    found = await findTeamWithMembership(ctx.db, { slug: selector.slug }, actor.user.id);
    if (!found) throw denied(`"${selector.slug}"`);
  } else {
    const defaultId = defaultTeamOf(actor);
    if (!defaultId) throw new ApiError('forbidden', 'No team given and the user has no default team: pass `teamId` or `slug`.');
    found = await findTeamWithMembership(ctx.db, { id: defaultId }, actor.user.id);
    if (!found) throw new ApiError('forbidden', 'No team given and the default team no longer exists: pass `teamId` or `slug`.');
  }
  const { team, membership } = found;
  if (actor.token.teamId !== null && actor.token.teamId !== team.id) {
    throw new ApiError('forbidden', `This token is scoped to another team and may not act for ${team.slug}.`);
  }
  if (!membership) throw denied(`"${selector.teamId ?? selector.slug ?? team.slug}"`);
  return { team, membership };
}

/** For handlers: the authenticated caller, which the hook guarantees on non-public routes. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new ApiError('unauthorized');
  return request.actor;
}

export function teamOf(request: FastifyRequest): { team: Team; membership: Membership } {
  if (!request.team || !request.membership) throw new ApiError('forbidden');
  return { team: request.team, membership: request.membership };
}
