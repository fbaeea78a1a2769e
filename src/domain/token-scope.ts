import type { AccessToken, Actor } from './accounts.js';

/**
 * What a team-scoped token may do (issue 13 §10, docs/tokens-and-scopes.md). An unscoped token may
 * do whatever its user may. A token scoped to a team acts for that team only, and nothing it
 * answers names another team of its user.
 */

/** How a route reaches: what its `config` says about the caller. */
export interface RouteReach {
  /** `'team'`: acts for one team, which the auth hook resolves (and refuses unless it is the token's). */
  readonly auth: 'user' | 'team';
  /** Operators of this instance only. */
  readonly admin: boolean;
  /** A `'user'` route that confines what it does and answers to a scoped token's team. */
  readonly scopedTokens: boolean;
}

/**
 * Whether `token` may call a route at all; checked once, centrally, by the auth hook, so a new
 * route is closed to scoped tokens until it says how it confines itself.
 */
export function tokenMayCall(token: AccessToken, route: RouteReach): boolean {
  if (token.teamId === null) return true;
  if (route.admin) return false;
  return route.auth === 'team' || route.scopedTokens;
}

/**
 * Operator powers (creating users, changing any team's billing state) belong to the operator's
 * unscoped tokens: a token scoped to one team must not reach beyond it.
 */
export function hasOperatorPowers(actor: Actor): boolean {
  return actor.user.isAdmin && actor.token.teamId === null;
}

/** Whether `caller` may see or revoke `other`, a token of the same user: a scoped one, only tokens of its own team. */
export function tokenSees(caller: AccessToken, other: AccessToken): boolean {
  return caller.teamId === null || other.teamId === caller.teamId;
}

/** The team a caller works in by default: a scoped token's own team, else the user's default. */
export function defaultTeamOf(actor: Actor): string | null {
  return actor.token.teamId ?? actor.user.defaultTeamId;
}
