import { Type, type Static } from 'typebox';
import type { AccessToken, Membership, Team, User } from '../../domain/accounts.js';

/** `GET /v2/user`'s user, as Vercel answers it (the CLI reads id, username, email, defaultTeamId, version). */
export const UserWire = Type.Object({
  id: Type.String(),
  uid: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  username: Type.String(),
  avatar: Type.Null(),
  defaultTeamId: Type.Union([Type.String(), Type.Null()]),
  // "northstar" users always act in a team; the vercel CLI then scopes calls to defaultTeamId.
  version: Type.Literal('northstar'),
  createdAt: Type.Number(),
  softBlock: Type.Null(),
  billing: Type.Null(),
  hasTrialAvailable: Type.Boolean(),
  resourceConfig: Type.Object({}),
  stagingPrefix: Type.String(),
});

export function presentUser(user: User): Static<typeof UserWire> {
  return {
    id: user.id,
    uid: user.id,
    email: user.email,
    name: user.name,
    username: user.username,
    avatar: null,
    defaultTeamId: user.defaultTeamId,
    version: 'northstar',
    createdAt: user.createdAt,
    softBlock: null,
    billing: null,
    hasTrialAvailable: false,
    resourceConfig: {},
    stagingPrefix: user.username,
  };
}

export const TeamWire = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  avatar: Type.Null(),
  description: Type.Null(),
  billing: Type.Null(),
  stagingPrefix: Type.String(),
  creatorId: Type.String(),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
  membership: Type.Object({
    uid: Type.String(),
    role: Type.String(),
    confirmed: Type.Boolean(),
    createdAt: Type.Number(),
    created: Type.Number(),
  }),
  /** Stockroom extension: whether the team may buy (docs/rules.md §3). */
  billingState: Type.String(),
});

export function presentTeam(team: Team, membership: Membership): Static<typeof TeamWire> {
  return {
    id: team.id,
    slug: team.slug,
    name: team.name,
    avatar: null,
    description: null,
    billing: null,
    stagingPrefix: team.slug,
    creatorId: team.creatorId,
    createdAt: team.createdAt,
    updatedAt: team.updatedAt,
    membership: { uid: membership.userId, role: membership.role, confirmed: true, createdAt: membership.createdAt, created: membership.createdAt },
    billingState: team.billingState,
  };
}

const TokenScope = Type.Object({
  type: Type.Union([Type.Literal('user'), Type.Literal('team')]),
  teamId: Type.Optional(Type.String()),
  // Vercel's scope origin is a closed enum (the SDK rejects others); API-made tokens are "manual".
  origin: Type.Literal('manual'),
  createdAt: Type.Number(),
  expiresAt: Type.Optional(Type.Number()),
});

/** Vercel's AuthToken. The token value is never part of it. */
export const TokenWire = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  origin: Type.String(),
  scopes: Type.Array(TokenScope),
  expiresAt: Type.Optional(Type.Number()),
  activeAt: Type.Number(),
  createdAt: Type.Number(),
});

export function presentToken(token: AccessToken): Static<typeof TokenWire> {
  const expires = token.expiresAt === null ? {} : { expiresAt: token.expiresAt };
  const scope: Static<typeof TokenScope> = token.teamId
    ? { type: 'team', teamId: token.teamId, origin: 'manual', createdAt: token.createdAt, ...expires }
    : { type: 'user', origin: 'manual', createdAt: token.createdAt, ...expires };
  return {
    id: token.id,
    name: token.name,
    type: 'oauth2-token',
    origin: token.origin,
    scopes: [scope],
    ...expires,
    activeAt: token.activeAt,
    createdAt: token.createdAt,
  };
}
